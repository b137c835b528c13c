// Loaded (--import) into every sandboxed lab app before its own code. Node's permission model disables fsync and
// fdatasync outright, yet flushing to disk is good practice in durable code (a student's log or store). Inside the
// sandbox they succeed without flushing: a killed process loses nothing it wrote, which is all a test can observe.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

const flushed = (_fd, callback) => process.nextTick(callback, null);
fs.fsync = flushed;
fs.fdatasync = flushed;
fs.fsyncSync = () => {};
fs.fdatasyncSync = () => {};
const handle = await fs.promises.open(new URL(import.meta.url), 'r');
const proto = Object.getPrototypeOf(handle);
proto.sync = async function sync() {};
proto.datasync = async function datasync() {};
await handle.close();
syncBuiltinESMExports();

// Node's permission model does not cover signals: an app could signal any process of the grader's user (its parent,
// the test runner, a neighbour's app). A lab app may signal only itself; anything else is refused as the model
// refuses a file, with ERR_ACCESS_DENIED. The replacements cannot be undone by the app (not writable, not configurable).
const refuse = (pid) => {
  const error = new Error(`Access to this API has been restricted: a lab app may signal only itself, not pid ${pid}`);
  error.code = 'ERR_ACCESS_DENIED';
  error.permission = 'Signal';
  error.resource = String(pid);
  return error;
};
const own = (pid) => Number(pid) === process.pid;
const kill = process.kill.bind(process);
const rawKill = process._kill?.bind(process);
Object.defineProperty(process, 'kill', {
  value: function kill_(pid, signal) {
    if (!own(pid)) throw refuse(pid);
    return kill(pid, signal);
  },
  writable: false,
  configurable: false,
  enumerable: true,
});
if (rawKill) {
  Object.defineProperty(process, '_kill', {
    value: function _kill(pid, signal) {
      if (!own(pid)) return -1; // EPERM, as the raw binding answers
      return rawKill(pid, signal);
    },
    writable: false,
    configurable: false,
  });
}

// The network is shared between submissions graded side by side: without this, an app could forward every request to
// the app of the submission graded beside it (and score its points), or disturb it. The grader lists the ports of the
// apps it is grading in LAB_APP_PORTS (a folder this app may read, not write); a connection to any of them but this
// app's own port fails as a refused connection would. PORT and the folder are read now, before the app's code runs.
const ownPort = Number(process.env.PORT);
const portsDir = process.env.LAB_APP_PORTS;
if (portsDir) {
  const exists = fs.existsSync;
  const connect = net.Socket.prototype.connect;
  const portOf = (args) => {
    let first = args[0];
    if (Array.isArray(first)) first = first[0]; // net.connect passes its normalized arguments as one array
    if (first && typeof first === 'object') return Number(first.port);
    if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) return Number(first);
    return Number.NaN; // a Unix socket path
  };
  Object.defineProperty(net.Socket.prototype, 'connect', {
    value: function guardedConnect(...args) {
      const port = portOf(args);
      if (Number.isInteger(port) && port !== ownPort && exists(`${portsDir}/${port}`)) {
        const error = new Error(
          `connect ECONNREFUSED: port ${port} belongs to another submission being graded; a lab app may not connect to it`,
        );
        error.code = 'ECONNREFUSED';
        error.port = port;
        process.nextTick(() => this.destroy(error));
        return this;
      }
      return connect.apply(this, args);
    },
    writable: false,
    configurable: false,
  });
}
