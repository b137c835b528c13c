// Helpers for this lab's tests: the carriers mock as the tests drive it (faults, shipments, the calls it saw), a
// proxy that can reset connections (the mock cannot), and the tracking service's two routes.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { http, startLab, type LabRun, type StartLabOptions } from '#testkit';
import type { CarriersControl } from '../../../mock-servers/carriers/index.ts';
import type { SeenRequest } from '../../../mock-servers/carriers/faults.ts';

export interface TrackingRun {
  run: LabRun;
  control: CarriersControl;
  /** The lab's numbers as this app got them (lab.json, or the test's own). */
  numbers: {
    timeoutMs: number;
    retryMax: number;
    retryBaseMs: number;
    retryAfterMaxMs: number;
    threshold: number;
    cooldownMs: number;
    bulkheadMax: number;
  };
  /** Only with `{ proxy: true }`: the next `n` requests that reach the proxy are cut with a TCP reset. */
  resetNext(n: number): void;
  /** How many requests the proxy has cut so far. */
  resets(): number;
  /** Only with `{ proxy: true }`: the tracking number of every request sent to DHL so far, cut ones included. */
  sent(): string[];
  /**
   * Only with `{ proxy: true }`: for one tracking number, the ms from DHL's answer to one request for it reaching the
   * app to the app sending the next. A busy machine can only make these longer than the app's waits, never shorter.
   */
  waitsBetweenSends(trackingNumber: string): number[];
  stop(): Promise<void>;
}

/**
 * Start the carriers mock and the app. The mock's rate limit is out of the way unless a test sets one, and an injected
 * hang answers 504 after 3 s (so an app without a timeout fails a test instead of hanging it). With `proxy`, the app
 * reaches DHL through a TCP proxy in this process that can reset connections.
 */
export async function startTracking(options: StartLabOptions & { proxy?: boolean } = {}): Promise<TrackingRun> {
  const proxy = options.proxy ? await startResetProxy() : undefined;
  let run: LabRun;
  try {
    run = await startLab({
      ...options,
      mockOptions: {
        carriers: { rateLimit: { limit: 1_000_000, windowSeconds: 60 }, maxHangMs: 3000 },
        ...options.mockOptions,
      },
      env: { ...(proxy ? { DHL_API_URL: proxy.url } : {}), ...options.env },
    });
  } catch (error) {
    await proxy?.close();
    throw error;
  }
  const mock = run.mocks.carriers!;
  proxy?.target(Number(new URL(mock.url).port));
  const control = mock.mock.control;
  const n = (name: string) => Number(run.env[name]);
  return {
    run,
    control,
    numbers: {
      timeoutMs: n('CARRIER_TIMEOUT_MS'),
      retryMax: n('RETRY_MAX'),
      retryBaseMs: n('RETRY_BASE_MS'),
      retryAfterMaxMs: n('RETRY_AFTER_MAX_MS'),
      threshold: n('BREAKER_THRESHOLD'),
      cooldownMs: n('BREAKER_COOLDOWN_MS'),
      bulkheadMax: n('BULKHEAD_MAX'),
    },
    resetNext: (count) => {
      if (!proxy) throw new Error('start with { proxy: true } to reset connections');
      proxy.resetNext(count);
    },
    resets: () => proxy?.resets() ?? 0,
    sent: () => {
      if (!proxy) throw new Error('start with { proxy: true } to see what was sent');
      return proxy.sends().map((s) => s.number);
    },
    waitsBetweenSends: (trackingNumber) => {
      if (!proxy) throw new Error('start with { proxy: true } to see what was sent');
      const sent = proxy.sends().filter((s) => s.number === trackingNumber);
      const answered = proxy.answers().filter((a) => a.number === trackingNumber);
      return sent.slice(1).map((s, i) => {
        // From the first bytes of the answer to the previous request, passed on before this request came: the app
        // cannot have had the answer sooner. (Not the last bytes: an app may retry on the status line alone, and on a
        // busy machine the rest of a 503's body can pass the proxy after the app's wait began, which shortened it.)
        const first = answered.find((a) => a.at >= sent[i]!.at && a.at <= s.at);
        return s.at - (first?.at ?? sent[i]!.at);
      });
    },
    async stop() {
      await run.stop();
      await proxy?.close();
    },
  };
}

/** A shipment of its own for one test (DHL only), so no test sees another's last known status. */
export function newShipment(
  t: TrackingRun,
  scenario: 'delivered' | 'in-progress' | 'failed' | 'unknown' = 'delivered',
): string {
  return t.control.addShipment('dhl', scenario).trackingNumber;
}

/** GET /shipments/{id}/tracking, timed. */
export async function track(t: TrackingRun, id: string, timeoutMs = 5000) {
  const started = performance.now();
  const res = await http(`${t.run.url}/shipments/${encodeURIComponent(id)}/tracking`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { ...res, ms: performance.now() - started };
}

/** A reply that is a fresh tracking answer (the `tracking` rule checks its fields; other rules only need to tell). */
export const isFresh = (res: { status: number; json: unknown }) =>
  res.status === 200 && (res.json as { stale?: unknown } | undefined)?.stale === false;

/** The calls DHL (the mock) saw so far, oldest first; a cut connection never reaches it. */
export const dhlCalls = (t: TrackingRun): SeenRequest[] => t.control.requests('dhl');

/** The calls DHL saw for one tracking number (another request's late retry is not this one's business). */
export const dhlCallsFor = (t: TrackingRun, trackingNumber: string): SeenRequest[] =>
  dhlCalls(t).filter((c) => new URLSearchParams(c.query).get('trackingNumber') === trackingNumber);

/** When a logged call started and ended at the mock, in ms since the epoch. */
export const span = (r: SeenRequest) => ({ start: Date.parse(r.at) - r.durationMs, end: Date.parse(r.at) });

export async function breakerState(t: TrackingRun) {
  const res = await http(`${t.run.url}/health/dependencies`);
  return { res, state: (res.json as { dhl?: { state?: unknown } } | undefined)?.dhl?.state };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ResetProxy {
  url: string;
  target(port: number): void;
  resetNext(n: number): void;
  resets(): number;
  sends(): { number: string; at: number }[];
  answers(): { number: string; at: number }[];
  close(): Promise<void>;
}

/**
 * A TCP proxy: passes bytes through, except that the next N requests (data chunks from the app) get a reset. It notes
 * the tracking number of each request as it is sent, so a test can tell requests apart and count them without
 * waiting for the mock to log calls that are still in flight.
 */
async function startResetProxy(): Promise<ResetProxy> {
  let port = 0;
  let pending = 0;
  let done = 0;
  const sends: { number: string; at: number }[] = [];
  const answers: { number: string; at: number }[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(port, '127.0.0.1');
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    let current = ''; // the tracking number of the request on this connection
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(/ \/track\/shipments\?trackingNumber=([^ &]*)/g)) {
        current = decodeURIComponent(m[1]!);
        sends.push({ number: current, at: performance.now() });
      }
      if (pending > 0) {
        pending--;
        done++;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      answers.push({ number: current, at: performance.now() }); // before the app can have it
      client.write(chunk);
    });
    client.on('close', () => {
      // The app hung up (an aborted attempt, say): DHL must see it at once, as it would without the proxy.
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.end();
    });
    client.on('error', drop);
    upstream.on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    target: (p) => {
      port = p;
    },
    resetNext: (n) => {
      pending += n;
    },
    resets: () => done,
    sends: () => [...sends],
    answers: () => [...answers],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
