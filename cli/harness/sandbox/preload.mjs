// Loaded (--import) into every sandboxed lab app before its own code. Node's permission model disables fsync and
// fdatasync outright, yet flushing to disk is good practice in durable code (a student's log or store). Inside the
// sandbox they succeed without flushing: a killed process loses nothing it wrote, which is all a test can observe.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const flushed = (fd, callback) => process.nextTick(callback, null);
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
