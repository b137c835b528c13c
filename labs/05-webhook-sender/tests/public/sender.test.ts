import { expect } from 'vitest';
import { graded, http } from '#testkit';
import { verify } from '../receiver.ts';
import { deadLetters, emit, register, sleep, waitForRequests, senderLab } from '../support.ts';

// 1/10 000 of real time: the first retry comes 30 ms after a failure instead of 5 minutes.
const TIME_SCALE = 0.0001;

const lab = senderLab({ TIME_SCALE: String(TIME_SCALE) });

graded('POST /v1/endpoints registers an endpoint and answers its whsec_ secret', {
  points: 1,
  hint: 'Answer 201 { id, url, secret } with secret = "whsec_" + base64 of random bytes; refuse a url that is not http(s) with 400 and the error envelope.',
}, async () => {
  const endpoint = await register(lab.run, lab.receiver);
  expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{20,}={0,2}$/);
  expect(Buffer.from(endpoint.secret.slice(6), 'base64').length, 'the secret should carry at least 16 random bytes').toBeGreaterThanOrEqual(16);
  const other = await register(lab.run, lab.receiver);
  expect(other.secret).not.toBe(endpoint.secret);
  const bad = await http(`${lab.run.url}/v1/endpoints`, { method: 'POST', json: { url: 'ftp://example.com/hook' } });
  expect(bad.status).toBe(400);
  expect(bad.json?.error?.details?.[0]?.field).toBe('url');
});

graded('an event is delivered with Standard Webhooks headers that the standardwebhooks library verifies', {
  points: 3,
  hint: 'Send webhook-id, webhook-timestamp (Unix seconds) and webhook-signature: "v1," + base64 HMAC-SHA256 of "<id>.<timestamp>.<body>", keyed with the base64-decoded part of the secret after "whsec_".',
}, async () => {
  const endpoint = await register(lab.run, lab.receiver);
  const { data } = await emit(lab.run, 'order.paid', { order_id: 'ord_42', amount: 2500 });
  const [request] = await waitForRequests(lab.receiver, endpoint.path, 1);
  expect(request!.headers['webhook-id'], 'the webhook-id header').toBeTruthy();
  const payload = verify(endpoint.secret, request!) as { type: string; data: unknown };
  expect(payload.type).toBe('order.paid');
  expect(payload.data).toEqual(data);
});

graded('a 5xx answer is retried with the same webhook-id and a fresh valid signature', {
  points: 2,
  hint: 'A 5xx means "try again later": schedule the next attempt, keep the message id (receivers deduplicate on it), sign again with a new timestamp.',
}, async () => {
  const endpoint = await register(lab.run, lab.receiver);
  lab.receiver.script(endpoint.path, (nth) => ({ status: nth === 1 ? 503 : 200 }));
  await emit(lab.run);
  const [first, second] = await waitForRequests(lab.receiver, endpoint.path, 2);
  expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
  expect(() => verify(endpoint.secret, second!)).not.toThrow();
  expect(second!.body).toBe(first!.body);
});

graded('a 400 answer is not retried, and the message goes to the dead-letter list', {
  points: 1,
  hint: 'A 4xx other than 410 and 429 will not get better by retrying: stop at once and put the message in the dead-letter list for a human.',
}, async () => {
  const endpoint = await register(lab.run, lab.receiver);
  lab.receiver.script(endpoint.path, () => ({ status: 400 }));
  await emit(lab.run);
  await waitForRequests(lab.receiver, endpoint.path, 1);
  await sleep(800); // retries, if any, would come after 30 ms and 180 ms
  expect(lab.receiver.requests(endpoint.path)).toHaveLength(1);
  expect((await deadLetters(lab.run)).some((d) => d.endpoint_id === endpoint.id)).toBe(true);
});
