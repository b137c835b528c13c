import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { expectErrorEnvelope, graded, http, startLab, type LabRun } from '#testkit';
import { cleanup, counts, drainAll, publishTo, tap, topology } from '../support.ts';

let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
  if (run) await cleanup(run.prefix);
});

graded(
  'POST /logs publishes the log line to the logs exchange with the routing key <severity>.<area> and answers 202',
  {
    rule: 'logs-publish',
    points: 3,
    hint: 'Publish to the exchange NAME_PREFIX + ".logs" with the routing key `${severity}.${area}` (severity first), the body { severity, area, message }, and answer 202 { routingKey } once the broker has confirmed.',
  },
  async () => {
    // A queue of the test's own, bound with the exact key: this sees what the app publishes, whatever its bindings.
    const { exchanges } = topology(run.prefix);
    const probe = await tap(exchanges.logs, ['error.payment', 'info.shipping']);
    try {
      for (const [severity, area] of [
        ['error', 'payment'],
        ['info', 'shipping'],
      ] as const) {
        const message = `log line ${randomUUID()}`;
        const res = await http(`${run.url}/logs`, { method: 'POST', json: { severity, area, message } });
        expect(res.status, res.said).toBe(202);
        expect(res.json?.routingKey, res.said).toBe(`${severity}.${area}`);
        // 202 comes after the broker's confirm, so the copy is in the test's queue now.
        const got = await probe.take();
        expect(
          got.map((m) => m.routingKey),
          `messages that reached ${exchanges.logs} with the key ${severity}.${area} after ${res.said}`,
        ).toEqual([`${severity}.${area}`]);
        expect(got[0]?.body, `the body published for ${res.said}`).toMatchObject({ severity, area, message });
      }
    } finally {
      await probe.close();
    }
  },
);

graded(
  'POST /logs rejects an unknown severity, a dotted area or an empty message with 400, and publishes nothing',
  {
    rule: 'logs-validation',
    points: 2,
    hint: 'Validate before publishing: severity is one of debug, info, warn, error; area is one lowercase word without dots (a dot would add a word to the routing key); message is not empty. Answer 400 with the error envelope, code validation_failed.',
  },
  async () => {
    const probe = await tap(topology(run.prefix).exchanges.logs, [
      'fatal.payment',
      'error.payment.card',
      'error.payment',
      'debug.Payment',
    ]);
    try {
      for (const body of [
        { severity: 'fatal', area: 'payment', message: 'x' },
        { severity: 'error', area: 'payment.card', message: 'x' },
        { severity: 'error', area: 'payment', message: '' },
        { severity: 'debug', area: 'Payment', message: 'x' },
      ]) {
        const res = await http(`${run.url}/logs`, { method: 'POST', json: body });
        expect(res.status, res.said).toBe(400);
        expectErrorEnvelope(res);
        expect(res.json?.error?.code, res.said).toBe('validation_failed');
        expect(res.json?.error?.details?.length, `details name the invalid field: ${res.said}`).toBeGreaterThan(0);
      }
      expect(
        (await probe.take()).map((m) => m.routingKey),
        'messages published for the invalid requests',
      ).toEqual([]);
    } finally {
      await probe.close();
    }
  },
);

graded(
  'the logs exchange routes a table of two-word keys to the right queues',
  {
    rule: 'logs-bindings',
    points: 4,
    hint: 'errors is bound with "error.*", payments with "*.payment", archive with "#"; the exchange must be of type topic for the patterns to work.',
  },
  async () => {
    await drainAll(run.prefix);
    const keys = ['error.payment', 'error.auth', 'info.payment', 'warn.shipping', 'debug.payment', 'error.shipping'];
    await publishTo(topology(run.prefix).exchanges.logs, keys);
    const got = await drainAll(run.prefix);
    const keysIn = (list: { routingKey: string }[]) => list.map((m) => m.routingKey).sort();
    expect(keysIn(got.errors), `errors (error.*) after publishing ${keys.join(', ')}`).toEqual([
      'error.auth',
      'error.payment',
      'error.shipping',
    ]);
    expect(keysIn(got.payments), `payments (*.payment) after publishing ${keys.join(', ')}`).toEqual([
      'debug.payment',
      'error.payment',
      'info.payment',
    ]);
    expect(keysIn(got.archive), `archive (#) after publishing ${keys.join(', ')}`).toEqual([...keys].sort());
    expect(counts(got), 'messages per queue').toEqual({ errors: 3, payments: 3, archive: 6 });
  },
);

graded(
  'POST /announcements reaches every announcement queue and nothing else',
  {
    rule: 'announcements',
    points: 2,
    hint: 'Publish announcements to the fanout exchange NAME_PREFIX + ".announcements", with both announcement queues bound to it.',
  },
  async () => {
    await drainAll(run.prefix);
    const message = `Maintenance tonight at 22:00 (${randomUUID().slice(0, 8)})`;
    const res = await http(`${run.url}/announcements`, { method: 'POST', json: { message } });
    expect(res.status, res.said).toBe(202);
    const got = await drainAll(run.prefix);
    expect(counts(got), `messages per queue after ${res.said}`).toEqual({ email: 1, chat: 1 });
    expect(got.email[0]?.body?.message, 'the message in the e-mail queue').toBe(message);
    expect(got.chat[0]?.body?.message, 'the message in the chat queue').toBe(message);
  },
);

graded(
  "POST /pages reaches only the named team's queue",
  {
    rule: 'pages-routing',
    points: 2,
    hint: 'Publish pages to the direct exchange NAME_PREFIX + ".pages" with the team as the routing key, and bind each team\'s queue with its own team name only.',
  },
  async () => {
    await drainAll(run.prefix);
    for (const [team, queue, message] of [
      ['payments', 'pagePayments', 'Refunds failing'],
      ['platform', 'pagePlatform', 'Disk almost full'],
    ] as const) {
      const res = await http(`${run.url}/pages`, { method: 'POST', json: { team, message } });
      expect(res.status, res.said).toBe(202);
      expect(res.json?.routingKey, res.said).toBe(team);
      const got = await drainAll(run.prefix);
      expect(counts(got), `messages per queue after ${res.said}`).toEqual({ [queue]: 1 });
      expect(got[queue][0]?.body, `the page in ${queue}`).toMatchObject({ team, message });
    }
  },
);

graded(
  'POST /pages answers 400 for a team that does not exist',
  {
    rule: 'pages-validation',
    points: 1,
    hint: 'Only payments and platform have an on-call queue: refuse any other team with 400 and the error envelope (code validation_failed) before publishing; a page to nobody would be dropped silently.',
  },
  async () => {
    for (const body of [
      { team: 'marketing', message: 'Hi' },
      { team: 'Payments', message: 'Hi' },
      { message: 'no team' },
    ]) {
      const res = await http(`${run.url}/pages`, { method: 'POST', json: body });
      expect(res.status, res.said).toBe(400);
      expectErrorEnvelope(res);
      expect(res.json?.error?.code, res.said).toBe('validation_failed');
    }
  },
);
