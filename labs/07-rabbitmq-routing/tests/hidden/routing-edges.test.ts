import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, type LabRun } from '#testkit';
import { cleanup, counts, drainAll, durability, publishTo, tap, topology } from '../support.ts';

let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
  if (run) await cleanup(run.prefix);
});

graded(
  'keys with one or three words reach only the archive queue',
  {
    rule: 'topic-wildcards',
    points: 3,
    hint: '"*" matches exactly one word and "#" zero or more: "error.#" would also take "error" and "error.payment.card", "#.payment" would take "payment", and "*.*" is not everything.',
  },
  async () => {
    await drainAll(run.prefix);
    const keys = ['error', 'payment', 'error.payment.card', 'info.payment.refund', 'warn.auth.token.expired'];
    // One two-word key that only the archive takes: if it is missing too, the archive's binding or the exchange type
    // is wrong (the two-word table grades that), and only the errors and payments queues are judged here.
    const control = 'info.auth';
    await publishTo(topology(run.prefix).exchanges.logs, [...keys, control]);
    const got = await drainAll(run.prefix);
    const keysIn = (list: { routingKey: string }[]) => list.map((m) => m.routingKey).sort();
    expect(keysIn(got.errors), 'errors (error.*) got').toEqual([]);
    expect(keysIn(got.payments), 'payments (*.payment) got').toEqual([]);
    if (keysIn(got.archive).includes(control)) {
      expect(keysIn(got.archive), 'archive (#) got').toEqual([...keys, control].sort());
    }
  },
);

graded(
  'the announcements exchange is a fanout: any routing key reaches every announcement queue',
  {
    rule: 'announcements',
    points: 2,
    hint: 'Declare NAME_PREFIX + ".announcements" with the type fanout: it ignores routing keys, so other services may publish with any key.',
  },
  async () => {
    await drainAll(run.prefix);
    await publishTo(topology(run.prefix).exchanges.announcements, ['release.v2', 'payments']);
    expect(
      counts(await drainAll(run.prefix)),
      'messages per queue after publishing with the keys release.v2 and payments',
    ).toEqual({ email: 2, chat: 2 });
  },
);

graded(
  'published messages are persistent JSON',
  {
    rule: 'message-format',
    points: 2,
    hint: 'Publish every message with { persistent: true, contentType: "application/json" } and a JSON body: { severity, area, message } for a log line, { message } for an announcement, { team, message } for a page.',
  },
  async () => {
    const { exchanges } = topology(run.prefix);
    const cases = [
      {
        exchange: exchanges.logs,
        key: 'warn.auth',
        path: '/logs',
        json: { severity: 'warn', area: 'auth', message: 'token expires soon' },
      },
      { exchange: exchanges.announcements, key: '', path: '/announcements', json: { message: 'Release at noon' } },
      {
        exchange: exchanges.pages,
        key: 'platform',
        path: '/pages',
        json: { team: 'platform', message: 'Disk almost full' },
      },
    ];
    const seen: string[] = [];
    for (const { exchange, key, path, json } of cases) {
      const probe = await tap(exchange, [key]);
      try {
        const res = await http(`${run.url}${path}`, { method: 'POST', json });
        const [msg] = await probe.take();
        // A route that answers no 2xx or publishes elsewhere (another key) is graded by its own rule; this one judges
        // the messages that do arrive, and needs at least one.
        if (res.status < 200 || res.status > 299 || !msg) continue;
        seen.push(res.said);
        expect(msg?.deliveryMode, `deliveryMode of the message for ${res.said} (2 = persistent)`).toBe(2);
        expect(msg?.contentType, `contentType of the message for ${res.said}`).toBe('application/json');
        expect(msg?.body, `the JSON body published for ${res.said}`).toMatchObject(json);
      } finally {
        await probe.close();
      }
    }
    expect(seen.length, 'messages published by POST /logs, /announcements and /pages').toBeGreaterThan(0);
  },
);

graded(
  'the three exchanges and the seven queues are durable',
  {
    rule: 'durable',
    points: 1,
    hint: "Declare every exchange and queue with { durable: true }, so that they survive a broker restart (the tutorials' { durable: false } does not).",
  },
  async () => {
    const { exchanges, queues } = topology(run.prefix);
    const entities = [
      ...Object.values(exchanges).map((name) => ({ kind: 'exchange' as const, name })),
      ...Object.values(queues).map((name) => ({ kind: 'queue' as const, name })),
    ];
    const found = (await durability(entities)).map((how, i) => ({ ...entities[i]!, how }));
    // A missing one is the business of the routing tests; this one judges those that exist.
    const existing = found.filter((e) => e.how !== 'missing');
    expect(existing.length, 'exchanges and queues found').toBeGreaterThan(0);
    for (const { kind, name, how } of existing) expect(how, `the ${kind} ${name}`).toBe('durable');
  },
);
