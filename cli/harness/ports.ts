import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { appPortsDir } from './sandbox/index.ts';

/**
 * A TCP port for an app under test, free on this machine right now. It is picked at random below the kernel's
 * ephemeral range, so that no outgoing connection (a Kafka client, a test's HTTP request) and no `listen(0)` is handed
 * it between a test killing the app and starting it again on the same port; ports registered to a graded app on this
 * machine are skipped. Falls back to a port the OS picks.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  const floor = Math.max(1024, low - 12_000);
  for (let attempt = 0; attempt < 40 && low - floor > 100; attempt++) {
    const port = floor + randomInt(low - floor);
    if (existsSync(join(appPortsDir(), String(port)))) continue;
    if ((await portFree(port)) && (await portFree(port, '127.0.0.1'))) return port;
  }
  return osPort();
}

/** The first port of the kernel's ephemeral range (Linux), or the IANA default elsewhere. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 1024) return low;
  } catch {
    /* not Linux */
  }
  return 49152;
}

function osPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Can a program listen on `port` (all addresses, as a lab app does, or `host`)? False when another program holds it. */
export function portFree(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
