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

graded('keys with one or three words reach only the archive queue', {
  points: 3,
  hint: '"*" matches exactly one word and "#" zero or more: "error.#" would also take "error" and "error.payment.card", and "#.payment" would take "payment".',
}, async () => {
  await drainAll(run.prefix);
  const keys = ['error', 'payment', 'error.payment.card', 'info.payment.refund', 'warn.auth.token.expired'];
  await publishTo(topology(run.prefix).exchanges.logs, keys);
  const got = await drainAll(run.prefix);
  expect(counts(got)).toEqual({ archive: keys.length });
});

graded('the announcements exchange is a fanout: any routing key reaches every announcement queue', {
  points: 2,
  hint: 'Declare NAME_PREFIX + ".announcements" with the type fanout: it ignores routing keys, so other services may publish with any key.',
}, async () => {
  await drainAll(run.prefix);
  await publishTo(topology(run.prefix).exchanges.announcements, ['release.v2', 'payments']);
  expect(counts(await drainAll(run.prefix))).toEqual({ email: 2, chat: 2 });
});

graded('published messages are persistent JSON', {
  points: 1,
  hint: 'Publish with { persistent: true, contentType: "application/json" } and a JSON body.',
}, async () => {
  await drainAll(run.prefix);
  const res = await http(`${run.url}/logs`, { method: 'POST', json: { severity: 'warn', area: 'auth', message: 'token expires soon' } });
  expect(res.status).toBe(202);
  const [msg] = (await drainAll(run.prefix)).archive;
  expect(msg?.deliveryMode, 'deliveryMode 2 = persistent').toBe(2);
  expect(msg?.contentType).toBe('application/json');
  expect(msg?.body).toMatchObject({ severity: 'warn', area: 'auth', message: 'token expires soon' });
});
