import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, type LabRun } from '#testkit';
import { cleanup, counts, drainAll, publishTo, topology } from '../support.ts';

let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
  if (run) await cleanup(run.prefix);
});

graded('POST /logs publishes error.payment to the errors, payments and archive queues', {
  points: 3,
  hint: 'Publish to the topic exchange NAME_PREFIX + ".logs" with the routing key `${severity}.${area}`, and bind the three log queues with the patterns in the README.',
}, async () => {
  await drainAll(run.prefix);
  const message = `card declined ${randomUUID()}`;
  const res = await http(`${run.url}/logs`, { method: 'POST', json: { severity: 'error', area: 'payment', message } });
  expect(res.status, res.text).toBe(202);
  expect(res.json?.routingKey).toBe('error.payment');
  // 202 comes after the broker's confirm, so the copies are in the queues now.
  const got = await drainAll(run.prefix);
  expect(counts(got)).toEqual({ errors: 1, payments: 1, archive: 1 });
  expect(got.archive[0]?.body?.message).toBe(message);
  expect(got.errors[0]?.routingKey).toBe('error.payment');
});

graded('POST /logs rejects an unknown severity, a dotted area or an empty message with 400', {
  points: 1,
  hint: 'Validate before publishing: severity is one of debug, info, warn, error; area is one lowercase word without dots (a dot would add a word to the routing key); answer 400 with the error envelope.',
}, async () => {
  for (const body of [
    { severity: 'fatal', area: 'payment', message: 'x' },
    { severity: 'error', area: 'payment.card', message: 'x' },
    { severity: 'error', area: 'payment', message: '' },
  ]) {
    const res = await http(`${run.url}/logs`, { method: 'POST', json: body });
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(res.json?.error?.code).toBe('validation_failed');
    expect(res.json?.error?.details?.length).toBeGreaterThan(0);
  }
  expect(counts(await drainAll(run.prefix)), 'nothing published for invalid input').toEqual({});
});

graded('the logs exchange routes a table of two-word keys to the right queues', {
  points: 4,
  hint: 'errors is bound with "error.*", payments with "*.payment", archive with "#"; the exchange must be of type topic for the patterns to work.',
}, async () => {
  await drainAll(run.prefix);
  const keys = ['error.payment', 'error.auth', 'info.payment', 'warn.shipping', 'debug.payment', 'error.shipping'];
  await publishTo(topology(run.prefix).exchanges.logs, keys);
  const got = await drainAll(run.prefix);
  const keysIn = (list: { routingKey: string }[]) => list.map((m) => m.routingKey).sort();
  expect(keysIn(got.errors), 'errors (error.*)').toEqual(['error.auth', 'error.payment', 'error.shipping']);
  expect(keysIn(got.payments), 'payments (*.payment)').toEqual(['debug.payment', 'error.payment', 'info.payment']);
  expect(keysIn(got.archive), 'archive (#)').toEqual([...keys].sort());
  expect(counts(got)).toEqual({ errors: 3, payments: 3, archive: 6 });
});

graded('POST /announcements reaches every announcement queue and nothing else', {
  points: 2,
  hint: 'Publish announcements to the fanout exchange NAME_PREFIX + ".announcements", with both announcement queues bound to it.',
}, async () => {
  await drainAll(run.prefix);
  const res = await http(`${run.url}/announcements`, { method: 'POST', json: { message: 'Maintenance tonight at 22:00' } });
  expect(res.status, res.text).toBe(202);
  const got = await drainAll(run.prefix);
  expect(counts(got)).toEqual({ email: 1, chat: 1 });
  expect(got.chat[0]?.body?.message).toBe('Maintenance tonight at 22:00');
});

graded('POST /pages reaches only the named team\'s queue', {
  points: 2,
  hint: 'Publish pages to the direct exchange NAME_PREFIX + ".pages" with the team as the routing key; bind each team queue with its own team name; 400 for a team that does not exist.',
}, async () => {
  await drainAll(run.prefix);
  const first = await http(`${run.url}/pages`, { method: 'POST', json: { team: 'payments', message: 'Refunds failing' } });
  expect(first.status, first.text).toBe(202);
  expect(counts(await drainAll(run.prefix))).toEqual({ pagePayments: 1 });
  const second = await http(`${run.url}/pages`, { method: 'POST', json: { team: 'platform', message: 'Disk almost full' } });
  expect(second.status, second.text).toBe(202);
  const got = await drainAll(run.prefix);
  expect(counts(got)).toEqual({ pagePlatform: 1 });
  expect(got.pagePlatform[0]?.body?.message).toBe('Disk almost full');
  const unknown = await http(`${run.url}/pages`, { method: 'POST', json: { team: 'marketing', message: 'Hi' } });
  expect(unknown.status).toBe(400);
});
