// Faults on the carriers mock: retries with their backoff, Retry-After, the breaker per carrier, and what the service
// records about every call (integrations_log, metrics, JSON logs). One app, its steps in order: the breaker's count of
// failed commands runs across them, so each step leaves it closed (a success resets it) for the next.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { graded } from '#testkit';
import {
  appCalls,
  command,
  dhlCallsFor,
  integrationsLog,
  jsonLogLines,
  newShipment,
  requiredSample,
  sampleValue,
  type Service,
  scrape,
  sleep,
  span,
  startService,
  untilDeadLetter,
  untilDone,
  untilTracked,
} from '../support.ts';

let s: Service;
let n: { attempts: number; baseMs: number; threshold: number; openMs: number; timeoutMs: number };
beforeAll(async () => {
  s = await startService();
  const env = (name: string) => Number(s.run.env[name]);
  n = {
    attempts: env('RETRY_ATTEMPTS'),
    baseMs: env('RETRY_BASE_MS'),
    threshold: env('BREAKER_THRESHOLD'),
    openMs: env('BREAKER_OPEN_MS'),
    timeoutMs: env('CARRIER_TIMEOUT_MS'),
  };
});
afterAll(async () => {
  await s?.stop();
});
// A test that failed half-way must not leave its faults to the next one.
afterEach(() => {
  s.control.clearFaults();
  s.control.setRateLimit(1_000_000, 60);
});

/** A DHL command for a fresh delivered shipment, sent; its command and tracking number. */
async function dhlCommand() {
  const tn = newShipment(s, 'dhl', 'delivered');
  const cmd = command('dhl', tn);
  await s.send(cmd);
  return { tn, cmd };
}
const tracked = (tn: string) => untilTracked(s, tn);

// The shipment that met two 503s, shared by the tests that judge how its calls were made and recorded.
let flaky: Promise<{ tn: string; cmd: { command_id: string } }> | undefined;
function flakyCommand() {
  flaky ??= (async () => {
    s.control.setFaults('dhl', { failNext: 2, errorStatus: 503 });
    const sent = await dhlCommand();
    await untilDone(s, sent.cmd.command_id, sent.tn);
    return sent;
  })();
  return flaky;
}

graded(
  'a 503 is retried: two failed attempts, then the third succeeds and the events are published',
  {
    rule: 'retry',
    points: 2,
    hint: 'A 5xx, a 429 and no answer at all are worth another attempt, up to RETRY_ATTEMPTS attempts in all.',
  },
  async () => {
    const { tn } = await flakyCommand();
    expect(
      dhlCallsFor(s, tn).map((r) => r.status),
      `DHL's answers to the app for ${tn}`,
    ).toEqual([503, 503, 200]);
  },
);

graded(
  'after RETRY_ATTEMPTS failed attempts the command goes to the dead letters with reason retries_exhausted',
  {
    rule: 'retry',
    points: 2,
    hint: 'Count attempts, not retries: RETRY_ATTEMPTS is all of them, the first included; when the last one fails, dead-letter the command.',
  },
  async () => {
    s.control.setFaults('dhl', { failNext: n.attempts, errorStatus: 503 });
    const { tn, cmd } = await dhlCommand();
    const m = await untilDeadLetter(s, cmd.command_id);
    expect(m.json, m.value).toMatchObject({ reason: 'retries_exhausted', command_id: cmd.command_id });
    await sleep(300);
    expect(dhlCallsFor(s, tn).length, `calls DHL saw for ${tn}`).toBe(n.attempts);
    s.control.clearFaults();
    await tracked((await dhlCommand()).tn); // a success: the breaker's count starts again
  },
);

graded(
  'retries wait RETRY_BASE_MS, then twice that, between attempts',
  {
    rule: 'backoff',
    points: 2,
    hint: 'Sleep before each retry: RETRY_BASE_MS × 2^(n−1) before retry n.',
  },
  async () => {
    const calls = dhlCallsFor(s, (await flakyCommand()).tn);
    expect(calls.length, 'calls DHL saw for a command that met two 503s').toBeGreaterThanOrEqual(2);
    for (let i = 1; i < calls.length; i++) {
      const gap = span(calls[i]!).start - span(calls[i - 1]!).end;
      expect(gap, `ms between DHL's answer to attempt ${i} and attempt ${i + 1}`).toBeGreaterThanOrEqual(
        n.baseMs * 2 ** (i - 1) - 15,
      );
    }
  },
);

graded(
  'a 4xx other than 429 is not retried: one call for an unknown shipment',
  {
    rule: 'no-retry-4xx',
    points: 1,
    hint: 'A 404 (or any 4xx but 429) will be the same answer next time: stop after the first.',
  },
  async () => {
    const cmd = command('dhl', 'NOSUCH0815');
    await s.send(cmd);
    await untilDeadLetter(s, cmd.command_id);
    await sleep(300);
    expect(dhlCallsFor(s, 'NOSUCH0815').length, 'calls DHL saw for an unknown shipment').toBe(1);
  },
);

graded(
  'after a 429 the next attempt waits Retry-After; a Retry-After over RETRY_AFTER_MAX_MS ends the retries at once',
  {
    rule: 'retry-after',
    points: 2,
    hint: 'DHL says how long to wait in Retry-After (seconds): wait at least that instead of your backoff; when it asks for longer than RETRY_AFTER_MAX_MS, give up on this command now.',
  },
  async () => {
    s.control.setRateLimit(1, 2); // one call per 2 s window, then 429 + Retry-After
    try {
      const first = await dhlCommand();
      await tracked(first.tn);
      const second = await dhlCommand();
      await tracked(second.tn);
      const calls = dhlCallsFor(s, second.tn);
      const limited = calls.findIndex((r) => r.status === 429);
      expect(limited, `DHL's answers for ${second.tn}: ${calls.map((r) => r.status)}`).toBeGreaterThanOrEqual(0);
      const next = calls[limited + 1];
      expect(next, 'an attempt after the 429').toBeTruthy();
      expect(
        span(next!).start - span(calls[limited]!).end,
        'ms waited after the 429 (Retry-After is at least 1 s)',
      ).toBeGreaterThanOrEqual(900);

      // DHL's real quota: a day's calls spent, the next answer is 429 with a Retry-After of hours, far over
      // RETRY_AFTER_MAX_MS. Here the day holds one call, which the first command takes.
      s.control.setRateLimit(1_000_000, 60, 1);
      await tracked((await dhlCommand()).tn);
      const started = Date.now();
      const over = await dhlCommand();
      const m = await untilDeadLetter(s, over.cmd.command_id, 6000);
      expect(m.json, m.value).toMatchObject({ reason: 'retries_exhausted' });
      expect(Date.now() - started, 'ms until the dead letter').toBeLessThan(3000);
      expect(dhlCallsFor(s, over.tn).length, 'calls for a command told to come back tomorrow').toBe(1);
    } finally {
      s.control.setRateLimit(1_000_000, 60);
    }
    await tracked((await dhlCommand()).tn); // a success: the breaker's count starts again
  },
);

graded(
  'every attempt is a row of integrations_log: request, attempt, response status (NULL without an answer), duration',
  {
    rule: 'integrations-log',
    points: 3,
    hint: "Insert one row per attempt, right after it ends, also when it failed or timed out (response_status NULL); attempt counts 1, 2, 3 within a command; command_id is the command's.",
  },
  async () => {
    const { tn, cmd } = await flakyCommand();
    const rows = integrationsLog(s).filter((r) => r.command_id === cmd.command_id);
    // The answers DHL gave (503, 503, 200 when the retries are right; whatever they were otherwise).
    const calls = dhlCallsFor(s, tn);
    expect(calls.length, `the app's calls for ${tn}`).toBeGreaterThanOrEqual(2);
    expect(
      rows.map((r) => ({
        carrier: r.carrier,
        tracking_number: r.tracking_number,
        attempt: r.attempt,
        response_status: r.response_status,
      })),
      `integrations_log rows of command ${cmd.command_id}`,
    ).toEqual(
      calls.map((c, i) => ({ carrier: 'dhl', tracking_number: tn, attempt: i + 1, response_status: c.status })),
    );
    for (const r of rows) {
      expect(r.request, 'request').toContain(tn);
      expect(r.duration_ms, 'duration_ms').toBeGreaterThanOrEqual(0);
      expect(Number.isNaN(Date.parse(r.at)), `at ${r.at}`).toBe(false);
    }
    // A postal call that never answers: a row without a status, as long as the timeout.
    s.control.setFaults('postal', { hangNext: 1 });
    const barcode = newShipment(s, 'postal', 'delivered');
    const postal = command('postal', barcode);
    await s.send(postal);
    await untilDone(s, postal.command_id, barcode);
    await sleep(200);
    const postalRows = integrationsLog(s).filter((r) => r.command_id === postal.command_id);
    const postalCalls = appCalls(s, 'postal');
    expect(postalCalls.map((c) => c.status).slice(0, 1), 'the postal call that hung').toEqual([499]);
    expect(
      postalRows.map((r) => [r.attempt, r.response_status]),
      `rows of command ${postal.command_id}`,
    ).toEqual(postalCalls.map((c, i) => [i + 1, c.status === 499 ? null : c.status]));
    expect(postalRows[0]!.duration_ms, 'duration of the attempt that timed out').toBeGreaterThanOrEqual(
      n.timeoutMs - 20,
    );
    expect(postalRows[0]!.request, 'request').toMatch(/postal/);
    expect(integrationsLog(s).filter((r) => r.carrier === 'dhl').length, "rows for DHL = the app's calls DHL saw").toBe(
      appCalls(s, 'dhl').length,
    );
  },
);

graded(
  'every carrier call is logged as one JSON line on stdout with the command id as correlation_id and the attempt',
  {
    rule: 'json-logs',
    points: 2,
    hint: 'Log each attempt with JSON.stringify({ …, correlation_id: command_id, carrier, attempt, status }) on one line: a retry too, not only the first attempt.',
  },
  async () => {
    const { tn, cmd } = await flakyCommand();
    const calls = dhlCallsFor(s, tn).length;
    expect(calls, `the app's calls for ${tn}`).toBeGreaterThanOrEqual(2);
    const lines = jsonLogLines(s).filter((l) => l.correlation_id === cmd.command_id && 'attempt' in l);
    expect(
      lines.map((l) => Number(l.attempt)).sort(),
      `JSON log lines with correlation_id ${cmd.command_id} and an attempt, one per call`,
    ).toEqual(Array.from({ length: calls }, (_, i) => i + 1));
    for (const l of lines) expect(l.carrier, JSON.stringify(l)).toBe('dhl');
  },
);

// The breaker: BREAKER_THRESHOLD failed DHL commands open it; the state shows on /metrics; postal goes on; after
// BREAKER_OPEN_MS a command is tried again and closes it.
let breakerRun:
  | Promise<{
      firstLetters: string[];
      blockedLetter: string;
      dhlCallsWhileOpen: number;
      gauge: { dhl: number; postal: number };
      postalTn: string;
    }>
  | undefined;
function openDhlCircuit() {
  breakerRun ??= (async () => {
    // Start from a closed breaker with no failures counted, whatever earlier steps left (a success resets the count;
    // a breaker left open by a mistake graded elsewhere gets its open time first).
    for (let i = 0; i < 3; i++) {
      const { tn, cmd } = await dhlCommand();
      await untilDone(s, cmd.command_id, tn).catch(() => {});
      const letter = s.deadLetters().find((m) => m.json?.command_id === cmd.command_id);
      if (!letter) break;
      await sleep(n.openMs + 100);
    }
    s.control.setFaults('dhl', { errorRate: 1, errorStatus: 503 });
    const failed = [];
    for (let i = 0; i < n.threshold; i++) failed.push((await dhlCommand()).cmd);
    const firstLetters = [];
    for (const c of failed) firstLetters.push((await untilDeadLetter(s, c.command_id)).value);
    const before = appCalls(s, 'dhl').length;
    const blocked = await dhlCommand();
    const blockedLetter = (await untilDeadLetter(s, blocked.cmd.command_id)).value;
    const dhlCallsWhileOpen = appCalls(s, 'dhl').length - before;
    const postalTn = newShipment(s, 'postal', 'delivered');
    await s.send(command('postal', postalTn));
    const { samples } = await scrape(s);
    const gauge = {
      dhl: requiredSample(samples, 'carrier_circuit_state', { carrier: 'dhl' }),
      postal: requiredSample(samples, 'carrier_circuit_state', { carrier: 'postal' }),
    };
    s.control.clearFaults();
    return { firstLetters, blockedLetter, dhlCallsWhileOpen, gauge, postalTn };
  })();
  return breakerRun;
}

graded(
  'BREAKER_THRESHOLD failed commands in a row open the DHL circuit: the next is dead-lettered circuit_open without a call; after BREAKER_OPEN_MS a command gets through again',
  {
    rule: 'breaker',
    points: 3,
    hint: 'Count failed commands (all attempts failed), not attempts; while open, answer at once with a dead letter; after BREAKER_OPEN_MS let one command try (half-open) and close on its success.',
  },
  async () => {
    const { firstLetters, blockedLetter, dhlCallsWhileOpen } = await openDhlCircuit();
    expect(
      firstLetters.map((l) => JSON.parse(l).reason),
      `the dead letters of the ${n.threshold} failing commands`,
    ).toEqual(Array(n.threshold).fill('retries_exhausted'));
    expect(JSON.parse(blockedLetter), blockedLetter).toMatchObject({ reason: 'circuit_open' });
    expect(dhlCallsWhileOpen, 'calls DHL saw for the command while the circuit was open').toBe(0);
    await sleep(n.openMs + 100);
    const { tn } = await dhlCommand();
    await tracked(tn);
  },
);

graded(
  "DHL's open circuit does not stop postal commands",
  {
    rule: 'breaker-per-carrier',
    points: 2,
    hint: 'One breaker per carrier: an outage at DHL says nothing about the postal service.',
  },
  async () => {
    const { postalTn } = await openDhlCircuit();
    await tracked(postalTn);
  },
);

graded(
  '/metrics shows each circuit as carrier_circuit_state: 1 for the open DHL circuit, 0 for the closed postal one',
  {
    rule: 'metrics-breaker',
    points: 1,
    hint: 'Set the gauge whenever a breaker changes state (open 1, half-open 2, closed 0), for each carrier from the start.',
  },
  async () => {
    const { gauge, blockedLetter } = await openDhlCircuit();
    // Whether the circuit opened is the breaker rule's business: the gauge must say what happened either way.
    const opened = JSON.parse(blockedLetter).reason === 'circuit_open';
    expect(
      gauge,
      `carrier_circuit_state after ${n.threshold} failed DHL commands (${opened ? 'open' : 'not open'})`,
    ).toEqual({
      dhl: opened ? 1 : 0,
      postal: 0,
    });
  },
);

/** After the breaker scenario (which leaves everything quiet): the mock's log and the dead letters to compare with. */
async function settled() {
  await openDhlCircuit();
  await sleep(500);
}

graded(
  '/metrics counts every attempt in carrier_calls_total by carrier and outcome, as many as the carriers saw',
  {
    rule: 'metrics-calls',
    points: 2,
    hint: 'Increment carrier_calls_total{carrier, outcome} once per attempt (retries too): success, client_error, rate_limited, server_error or no_answer.',
  },
  async () => {
    await settled();
    const { samples, types } = await scrape(s);
    expect(types.get('carrier_calls_total'), 'the TYPE of carrier_calls_total').toBe('counter');
    const outcome = (status: number) =>
      status === 499
        ? 'no_answer'
        : status === 429
          ? 'rate_limited'
          : status >= 500
            ? 'server_error'
            : status >= 400
              ? 'client_error'
              : 'success';
    for (const api of ['dhl', 'postal'] as const) {
      const seen: Record<string, number> = {};
      for (const r of appCalls(s, api)) seen[outcome(r.status)] = (seen[outcome(r.status)] ?? 0) + 1;
      const shown = Object.fromEntries(
        Object.keys(seen).map((o) => [o, sampleValue(samples, 'carrier_calls_total', { carrier: api, outcome: o })]),
      );
      expect(shown, `carrier_calls_total for ${api} against the calls the mock saw`).toEqual(seen);
    }
  },
);

graded(
  '/metrics has the latency histogram carrier_call_duration_seconds, one observation per attempt, in seconds',
  {
    rule: 'metrics-latency',
    points: 1,
    hint: 'A prom-client Histogram labelled by carrier; observe every attempt, answered or not, in seconds (ms / 1000).',
  },
  async () => {
    await settled();
    s.control.setFaults('postal', { latencyMs: 150 });
    const barcode = newShipment(s, 'postal', 'delivered');
    await s.send(command('postal', barcode));
    await tracked(barcode);
    s.control.clearFaults();
    const { samples, types } = await scrape(s);
    expect(types.get('carrier_call_duration_seconds'), 'the TYPE of carrier_call_duration_seconds').toBe('histogram');
    for (const api of ['dhl', 'postal'] as const) {
      const count = sampleValue(samples, 'carrier_call_duration_seconds_count', { carrier: api });
      const sum = sampleValue(samples, 'carrier_call_duration_seconds_sum', { carrier: api });
      const inf = sampleValue(samples, 'carrier_call_duration_seconds_bucket', { carrier: api, le: '+Inf' });
      expect(count, `observations for ${api} against the calls the mock saw`).toBe(appCalls(s, api).length);
      expect(inf, `the +Inf bucket of ${api}`).toBe(count);
      expect(sum / count, `mean seconds per ${api} call`).toBeLessThan(n.timeoutMs / 1000 + 1);
    }
    expect(
      sampleValue(samples, 'carrier_call_duration_seconds_sum', { carrier: 'postal' }),
      'seconds of postal calls, one of them 150 ms late',
    ).toBeGreaterThanOrEqual(0.15);
  },
);

graded(
  '/metrics counts dead letters in dead_letters_total by reason, as many as are on the topic',
  {
    rule: 'metrics-dead-letters',
    points: 1,
    hint: 'Increment dead_letters_total{reason} for every dead letter you send, whatever the reason.',
  },
  async () => {
    await settled();
    const { samples } = await scrape(s);
    const onTopic: Record<string, number> = {};
    for (const m of s.deadLetters()) onTopic[String(m.json?.reason)] = (onTopic[String(m.json?.reason)] ?? 0) + 1;
    const shown = Object.fromEntries(
      Object.keys(onTopic).map((r) => [r, sampleValue(samples, 'dead_letters_total', { reason: r })]),
    );
    expect(Object.keys(onTopic).length, 'reasons of the dead letters on the topic').toBeGreaterThan(0);
    expect(shown, 'dead_letters_total against the dead letters on the topic').toEqual(onTopic);
  },
);
