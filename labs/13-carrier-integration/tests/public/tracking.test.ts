// Commands in, normalised events out: both carriers, one model, each external event published once (polled again or
// pushed by a webhook), dead letters for commands that cannot be done, and the trace carried throughout. One app for
// the whole file; the mock plays a shipment's story in about a second and a half (timeScale 0.00001).
import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, waitFor } from '#testkit';
import {
  appCalls,
  command,
  dhlCallsFor,
  dhlShipment,
  eventsFor,
  expectedEvents,
  newShipment,
  newTraceparent,
  postTogether,
  type Service,
  sleep,
  startService,
  TRACEPARENT,
  untilComplete,
  untilDeadLetter,
  untilEvents,
  untilTracked,
} from '../support.ts';

let s: Service;
beforeAll(async () => {
  s = await startService({ mockOptions: { carriers: { timeScale: 0.00001 } } });
});
afterAll(async () => {
  await s?.stop();
});

/** Send a command for a finished shipment and wait for all its events; what the carrier says they are. */
async function trackToEnd(
  api: 'dhl' | 'postal',
  scenario: 'failed' | 'delivered',
  headers: Record<string, string> = {},
) {
  const tn = newShipment(s, api, scenario);
  await untilComplete(s, tn);
  const expected = await expectedEvents(s, api, tn);
  const cmd = command(api, tn);
  await s.send(cmd, headers);
  // As many events as the carrier shows (whether their ids and fields are right is for the tests of the model).
  const messages = await untilTracked(s, tn).catch((error: Error) => {
    const got = eventsFor(s, tn).map((m) => m.value);
    throw new Error(`${error.message}; expected ${expected.length}, got ${JSON.stringify(got).slice(0, 600)}`);
  });
  return { tn, cmd, expected, messages };
}

graded(
  "a DHL command's events are published to <prefix>.tracking.events in the event model, keyed by tracking number",
  {
    rule: 'dhl-events',
    points: 3,
    hint: "Read every entry of DHL's `events` list (not only `status`): statusCode is already the model's status; occurred_at is the timestamp in UTC and the external_event_id is carrier:TRACKING:occurred_at.",
  },
  async () => {
    const { tn, expected, messages } = await trackToEnd('dhl', 'failed');
    for (const e of expected) {
      const m = messages.find((x) => x.json?.external_event_id === e.external_event_id)!;
      expect(m.key, `the key of event ${e.external_event_id}`).toBe(tn);
      expect(m.json, `event ${m.value}`).toMatchObject({
        carrier: 'dhl',
        tracking_number: tn,
        status: e.status,
        occurred_at: e.occurred_at,
      });
      expect(typeof m.json?.description === 'string' && m.json.description !== '', `description of ${m.value}`).toBe(
        true,
      );
      expect(typeof m.json?.location, `location of ${m.value}`).toBe('string');
    }
  },
);

graded(
  "a postal command's SOAP history is published in the same model: statuses mapped, times in UTC",
  {
    rule: 'postal-events',
    points: 3,
    hint: "Each historyRecord is one event: map OperType (1, 8, 2, 12, 3) to the README's statuses and turn OperDate (local time with +03:00) into UTC with toISOString() before you build the id.",
  },
  async () => {
    const { tn, expected, messages } = await trackToEnd('postal', 'failed');
    expect(
      expected.map((e) => e.status),
      'the statuses the mock played',
    ).toContain('failure');
    for (const e of expected) {
      const m = messages.find((x) => x.json?.external_event_id === e.external_event_id)!;
      expect(m.key, `the key of event ${e.external_event_id}`).toBe(tn);
      expect(m.json, `event ${m.value}`).toMatchObject({
        carrier: 'postal',
        tracking_number: tn,
        status: e.status,
        occurred_at: e.occurred_at,
      });
      expect(typeof m.json?.description === 'string' && m.json.description !== '', `description of ${m.value}`).toBe(
        true,
      );
    }
  },
);

graded(
  'tracking a shipment again publishes no event twice: each external_event_id is on the topic once',
  {
    rule: 'dedupe',
    points: 3,
    hint: 'Remember every external_event_id you published (the published_events table survives a restart) and publish only the ones not seen before.',
  },
  async () => {
    const dhl = await trackToEnd('dhl', 'delivered');
    const postal = await trackToEnd('postal', 'delivered');
    const dhlCalls = dhlCallsFor(s, dhl.tn).length;
    const postalCalls = appCalls(s, 'postal').length;
    await s.send(command('dhl', dhl.tn));
    // The same barcode in small letters is the same shipment (the README's id has it in capitals).
    await s.send(command('postal', postal.tn.toLowerCase()));
    await s.send(command('dhl', dhl.tn));
    // The app has asked the carriers again; then a moment for anything it would publish.
    await waitFor(
      () => dhlCallsFor(s, dhl.tn).length >= dhlCalls + 2 && appCalls(s, 'postal').length >= postalCalls + 1,
      {
        timeoutMs: 8000,
        message: 'the app to ask DHL and the postal service again',
      },
    );
    await sleep(1000);
    for (const { tn, expected } of [dhl, postal]) {
      const ids = eventsFor(s, tn).map((m) => String(m.json?.external_event_id));
      expect(ids.length, `events of ${tn} on the topic: ${JSON.stringify(ids)}`).toBe(expected.length);
      expect(new Set(ids).size, `distinct ids of ${tn}`).toBe(expected.length);
    }
  },
);

graded(
  'POST /webhooks/dhl publishes only new events, once, even when pushes race each other and a poll follows; a malformed push is refused with 400',
  {
    rule: 'webhooks',
    points: 3,
    hint: 'A pushed DHL document is read like a polled one, through the same dedupe; make "is it new?" and "it is mine" one step (INSERT … ON CONFLICT DO NOTHING and look at changes) before you publish, or two pushes both win.',
  },
  async () => {
    const tn = newShipment(s, 'dhl', 'delivered');
    await untilComplete(s, tn);
    const doc = await dhlShipment(s, tn);
    const expected = await expectedEvents(s, 'dhl', tn);
    // Five pushes whose bodies the app gets complete at one moment: each event must be published once. Then a
    // command makes the app poll DHL for the same shipment, whose events were all pushed already.
    const statuses = await postTogether(s.run.url, '/webhooks/dhl', { shipments: [doc] }, 5);
    expect(statuses, 'the answers to five pushes of one document').toEqual([202, 202, 202, 202, 202]);
    await s.send(command('dhl', tn));
    await untilEvents(
      s,
      tn,
      expected.map((e) => e.external_event_id),
    );
    // A later push with one event DHL had not shown before: that one is new.
    const events = doc.events as Record<string, unknown>[];
    const later = new Date(Date.parse(String(events[0]!.timestamp)) + 60_000).toISOString();
    const extra = {
      ...events[0]!,
      timestamp: later,
      statusCode: 'delivered',
      status: 'DELIVERED',
      description: 'Delivered again (a correction).',
    };
    const res = await http(`${s.run.url}/webhooks/dhl`, {
      method: 'POST',
      json: { shipments: [{ ...doc, events: [extra, ...events] }] },
    });
    expect(res.status, res.said).toBe(202);
    const extraId = `dhl:${tn}:${later}`;
    await untilEvents(s, tn, [extraId]);
    await waitFor(() => dhlCallsFor(s, tn).length >= 1, { timeoutMs: 8000, message: `the app to poll DHL for ${tn}` });
    await sleep(800);
    const ids = eventsFor(s, tn).map((m) => String(m.json?.external_event_id));
    expect(ids.sort(), 'every event of the shipment once').toEqual(
      [...expected.map((e) => e.external_event_id), extraId].sort(),
    );
    for (const bad of [{ shipments: 'nope' }, { shipments: [{ id: tn, events: [{ statusCode: 'transit' }] }] }]) {
      const refused = await http(`${s.run.url}/webhooks/dhl`, { method: 'POST', json: bad });
      expect(refused.status, refused.said).toBe(400);
      expect(refused.text.length, `a message saying what to fix: ${refused.said}`).toBeGreaterThan(10);
    }
  },
);

graded(
  'an invalid command goes to <prefix>.dead.letters with reason invalid_command and the original message',
  {
    rule: 'dead-letter-invalid',
    points: 2,
    hint: 'Validate before calling anyone: JSON, a command_id, carrier "dhl" or "postal", a tracking number; a message that fails goes to the dead letters with its text as original, and the consumer moves on.',
  },
  async () => {
    const bad = [
      { value: 'this is not JSON', id: undefined },
      { value: JSON.stringify(command('ups', '1Z999AA10123456784')), id: 'ups' },
      { value: JSON.stringify({ command_id: `cmd-${Date.now()}`, carrier: 'dhl' }), id: 'no-number' },
    ];
    for (const b of bad) await s.send(b.value);
    const found = await waitFor(
      () => {
        const letters = bad.map((b) => s.deadLetters().find((m) => m.json?.original === b.value));
        return letters.every(Boolean) ? letters : undefined;
      },
      { timeoutMs: 8000, message: `three dead letters whose original is the message sent, on ${s.topics.deadLetters}` },
    );
    for (const m of found) expect(m!.json, m!.value).toMatchObject({ reason: 'invalid_command' });
  },
);

graded(
  'a shipment the carrier does not know goes to the dead letters with reason unknown_shipment',
  {
    rule: 'dead-letter-unknown',
    points: 2,
    hint: 'DHL answers 404 for a number it does not know, the postal service a SOAP fault (HTTP 400, OperationHistoryFault): neither is an outage, both end the command with a dead letter.',
  },
  async () => {
    const dhl = command('dhl', 'NOSUCH4711');
    const postal = command('postal', 'RA000000001RU');
    await s.send(dhl);
    await s.send(postal);
    for (const c of [dhl, postal]) {
      const m = await untilDeadLetter(s, c.command_id);
      expect(m.json, m.value).toMatchObject({ reason: 'unknown_shipment', command_id: c.command_id });
    }
  },
);

graded(
  "the command's traceparent reaches every carrier call with the same trace id and a span id of the call's own",
  {
    rule: 'trace-carrier',
    points: 2,
    hint: 'Read traceparent from the Kafka message headers; send 00-<same trace id>-<new 16-hex span id>-<flags> on each call (DHL and postal). No header: start a new trace.',
  },
  async () => {
    const trace = newTraceparent();
    for (const api of ['dhl', 'postal'] as const) {
      const tn = newShipment(s, api, 'delivered');
      await s.send(command(api, tn), { traceparent: trace.header });
      const call = await waitFor(
        () => appCalls(s, api).find((r) => (r.headers.traceparent ?? '').includes(trace.traceId)),
        { timeoutMs: 8000, message: `a ${api} call carrying trace id ${trace.traceId}` },
      );
      const m = TRACEPARENT.exec(call.headers.traceparent!);
      expect(m, `traceparent ${call.headers.traceparent} is 00-<32 hex>-<16 hex>-<2 hex>`).toBeTruthy();
      expect(m![1], 'trace id').toBe(trace.traceId);
      expect(m![2], `the call's parent id (the command's was ${trace.parentId})`).not.toBe(trace.parentId);
      expect(m![2], 'parent id').not.toBe('0000000000000000');
    }
    // Without a traceparent the service starts a trace of its own.
    const tn = newShipment(s, 'dhl', 'delivered');
    await s.send(command('dhl', tn));
    const call = await waitFor(() => dhlCallsFor(s, tn)[0], {
      timeoutMs: 8000,
      message: `the app's DHL call for ${tn}`,
    });
    const m = TRACEPARENT.exec(call.headers.traceparent ?? '');
    expect(m, `traceparent ${call.headers.traceparent} of a command without one`).toBeTruthy();
    expect(m![1], 'a new trace id').not.toMatch(/^0+$/);
  },
);

graded(
  'each published event carries a traceparent with the trace id of the command that found it',
  {
    rule: 'trace-event',
    points: 2,
    hint: "Give every event you publish a traceparent header in the command's trace (same trace id, a span id of its own).",
  },
  async () => {
    const trace = newTraceparent();
    const { messages } = await trackToEnd('postal', 'delivered', { traceparent: trace.header });
    for (const m of messages) {
      const tp = TRACEPARENT.exec(m.headers.traceparent ?? '');
      expect(tp, `the traceparent header of event ${m.value}: ${m.headers.traceparent}`).toBeTruthy();
      expect(tp![1], 'trace id').toBe(trace.traceId);
    }
  },
);
