// Loaded (--import) into every sandboxed lab app before its own code. Node's permission model disables fsync and
// fdatasync outright, yet flushing to disk is good practice in durable code (a student's log or store). Inside the
// sandbox they succeed without flushing: a killed process loses nothing it wrote, which is all a test can observe.
import fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { basename, dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

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
// Node 24's permission model makes existsSync throw for a path the app may not read, where every library expects
// `false` (node-gyp-build probes /etc/alpine-release before loading a native addon): a path the app may not read does
// not exist for it. Nothing more is revealed than the refusal did.
const existsSync = fs.existsSync;
fs.existsSync = function guardedExistsSync(path) {
  try {
    return existsSync(path);
  } catch (error) {
    if (error?.code === 'ERR_ACCESS_DENIED') return false;
    throw error;
  }
};
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

// A lab granted native addons (lab.json grants.addons: Pact's core, in Rust) may load the addons the course installed,
// never one it wrote itself: native code is beyond the permission model, and the scratch folder is writable. Only a
// path inside the course's node_modules is loaded, at its real path (which Node's loader hands over): every folder on
// it is read-only to the app, so no link can be swapped in between the check and the load.
const realOrNone = (path) => {
  try {
    return fs.realpathSync(path);
  } catch {
    return undefined;
  }
};
const addonRoots = [
  realOrNone(fileURLToPath(new URL('../../../node_modules', import.meta.url))),
  realOrNone('node_modules'), // the copy's link to it (the working folder is the copy)
].filter(Boolean);
const dlopen = process.dlopen.bind(process);
Object.defineProperty(process, 'dlopen', {
  value: function guardedDlopen(module, filename, ...rest) {
    const path = resolve(String(filename));
    if (!addonRoots.some((root) => path.startsWith(root + sep))) {
      const error = new Error(
        `Access to this API has been restricted: a lab app may load only the course's installed addons, not ${path}`,
      );
      error.code = 'ERR_ACCESS_DENIED';
      error.permission = 'Addon';
      error.resource = path;
      throw error;
    }
    return dlopen(module, filename, ...rest);
  },
  writable: false,
  configurable: false,
  enumerable: true,
});

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

// node:sqlite reads and writes its files through SQLite's own I/O, which Node's permission model does not check: an app
// could open, ATTACH or VACUUM INTO a database anywhere the grader's user may read or write (a browser's cookie store
// is a SQLite file). Here a database lives in the scratch folder (TMPDIR) or in memory; any other file is refused as
// the model refuses one, with ERR_ACCESS_DENIED. Opening, ATTACH and VACUUM INTO (SQLite's authorizer sees both as
// an attach) and backup() are checked; the checks cannot be taken off the module or a database.
const scratch = process.env.TMPDIR ? fs.realpathSync(process.env.TMPDIR) : undefined;
if (scratch) {
  const sqlite = createRequire(import.meta.url)('node:sqlite');
  const { DatabaseSync: Original, backup: originalBackup, constants } = sqlite;
  const deny = (file) => {
    const error = new Error(
      `Access to this API has been restricted: a lab app keeps its databases in its scratch folder (TMPDIR), not ${file}`,
    );
    error.code = 'ERR_ACCESS_DENIED';
    error.permission = 'FileSystemWrite';
    error.resource = String(file);
    return error;
  };
  /** The real place a path names; a link (even a dangling one) is followed, so none leads outside. */
  const realPlace = (file) => {
    try {
      return fs.realpathSync(file);
    } catch {
      if (fs.lstatSync(file, { throwIfNoEntry: false })) return undefined; // a dangling link: where to, is not known
      return resolve(fs.realpathSync(dirname(resolve(file))), basename(file));
    }
  };
  const allowed = (file) => {
    if (file === '' || file === ':memory:') return true;
    if (typeof file !== 'string' || file.startsWith('file:')) return false; // URI filenames: not needed in a lab
    try {
      const place = realPlace(file);
      return place?.startsWith(scratch + sep) === true;
    } catch {
      return false;
    }
  };
  const asPath = (location) => {
    if (location instanceof URL) return location.protocol === 'file:' ? fileURLToPath(location) : location.href;
    return Buffer.isBuffer(location) ? location.toString() : location;
  };
  const guard = (code, first) =>
    code === constants.SQLITE_ATTACH && !allowed(first) ? constants.SQLITE_DENY : constants.SQLITE_OK;
  const { open, setAuthorizer } = Original.prototype;
  const fixed = (value) => ({ value, writable: false, configurable: false, enumerable: false });
  // On the built-in prototype itself, so no path to the unguarded methods is left.
  Object.defineProperties(Original.prototype, {
    open: fixed(function guardedOpen(...args) {
      const result = open.apply(this, args);
      setAuthorizer.call(this, guard);
      return result;
    }),
    // The app's own authorizer runs after the sandbox's: it may refuse more, never allow what the sandbox refused.
    setAuthorizer: fixed(function guardedSetAuthorizer(callback) {
      if (callback === null || callback === undefined) return setAuthorizer.call(this, guard);
      return setAuthorizer.call(this, (...args) =>
        guard(...args) === constants.SQLITE_DENY ? constants.SQLITE_DENY : callback(...args),
      );
    }),
  });
  // A function, not a subclass: a subclass would hand out the unchecked constructor as its prototype.
  function DatabaseSync(location, ...rest) {
    if (!new.target) throw new TypeError("Class constructor DatabaseSync cannot be invoked without 'new'");
    const file = asPath(location);
    if (!allowed(file)) throw deny(file);
    const db = Reflect.construct(Original, [location, ...rest], new.target);
    if (db.isOpen) setAuthorizer.call(db, guard);
    return db;
  }
  DatabaseSync.prototype = Original.prototype;
  Object.defineProperty(Original.prototype, 'constructor', fixed(DatabaseSync));
  Object.defineProperty(sqlite, 'DatabaseSync', { ...fixed(DatabaseSync), enumerable: true });
  Object.defineProperty(sqlite, 'backup', {
    ...fixed(function backup(source, destination, options) {
      const file = asPath(destination);
      if (!allowed(file)) return Promise.reject(deny(file));
      return originalBackup(source, destination, options);
    }),
    enumerable: true,
  });
  syncBuiltinESMExports();
}
