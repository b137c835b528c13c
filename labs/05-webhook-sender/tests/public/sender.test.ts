import { expect } from 'vitest';
import { expectErrorEnvelope, graded, http } from '#testkit';
import { verify } from '../receiver.ts';
import { deadLetters, emit, register, shown, sleep, verifies, waitForRequests, senderLab } from '../support.ts';

// 1/10 000 of real time: the first retry comes 30 ms after a failure instead of 5 minutes. DELIVERY_TIMEOUT_MS is
// lab.json's 10 000 here.
const TIME_SCALE = 0.0001;

const lab = senderLab({ TIME_SCALE: String(TIME_SCALE) });

graded(
  'POST /v1/endpoints registers an endpoint and answers its whsec_ secret',
  {
    rule: 'endpoint-register',
    points: 1,
    hint: 'Answer 201 { id, url, secret, status: "enabled", created_at } with secret = "whsec_" + base64 of at least 16 random bytes, a new one per endpoint; GET /v1/endpoints/:id shows the endpoint without its secret.',
  },
  async () => {
    const url = `${lab.receiver.url}/hooks/registered`;
    const res = await http(`${lab.run.url}/v1/endpoints`, { method: 'POST', json: { url } });
    expect(res.status, res.said).toBe(201);
    expect(res.json, res.said).toMatchObject({ url, status: 'enabled' });
    expect(
      typeof res.json.id === 'string' && typeof res.json.created_at === 'string',
      `id and created_at are strings: ${res.said}`,
    ).toBe(true);
    const secret = String(res.json.secret);
    expect(secret, res.said).toMatch(/^whsec_[A-Za-z0-9+/]{20,}={0,2}$/);
    expect(
      Buffer.from(secret.slice(6), 'base64').length,
      `the secret should carry at least 16 random bytes: ${secret}`,
    ).toBeGreaterThanOrEqual(16);
    const other = await register(lab.run, lab.receiver);
    expect(other.secret, 'every endpoint gets its own secret').not.toBe(secret);
    const got = await http(`${lab.run.url}/v1/endpoints/${res.json.id}`);
    expect(got.status, got.said).toBe(200);
    expect(got.json, got.said).toMatchObject({ id: res.json.id, url, status: 'enabled' });
    expect(got.json?.secret, `the secret is shown only when the endpoint is registered: ${got.said}`).toBeUndefined();
  },
);

graded(
  'POST /v1/endpoints refuses a missing or non-http(s) url with 400 and the field url',
  {
    rule: 'endpoint-validation',
    points: 1,
    hint: 'Parse the url (URL.parse) and accept only the protocols http: and https:; answer 400 with the error envelope, details[0].field = "url".',
  },
  async () => {
    for (const json of [{ url: 'ftp://example.com/hook' }, { url: 'not a url' }, {}]) {
      const res = await http(`${lab.run.url}/v1/endpoints`, { method: 'POST', json });
      expect(res.status, res.said).toBe(400);
      expectErrorEnvelope(res);
      expect(res.json?.error?.details?.[0]?.field, res.said).toBe('url');
    }
  },
);

graded(
  'POST /v1/events answers 202 and every enabled endpoint receives {"type","timestamp","data"}',
  {
    rule: 'event-fanout',
    points: 2,
    hint: 'Answer 202 { id } at once, then POST the body {"type","timestamp","data"} to each enabled endpoint, not only the first.',
  },
  async () => {
    const endpoints = [await register(lab.run, lab.receiver), await register(lab.run, lab.receiver)];
    const data = { order_id: 'ord_7', amount: 1999 };
    const res = await http(`${lab.run.url}/v1/events`, { method: 'POST', json: { type: 'order.paid', data } });
    expect(res.status, res.said).toBe(202);
    expect(res.json?.id, `the answer names the message: ${res.said}`).toBeTypeOf('string');
    for (const endpoint of endpoints) {
      const [request] = await waitForRequests(lab.receiver, endpoint.path, 1, 5000);
      const body = JSON.parse(request!.body);
      expect(body, `the body sent to ${endpoint.path}: ${request!.body}`).toMatchObject({ type: 'order.paid', data });
      expect(
        typeof body.timestamp === 'string' && !Number.isNaN(Date.parse(body.timestamp)),
        `timestamp is an ISO date-time: ${request!.body}`,
      ).toBe(true);
    }
  },
);

graded(
  'an event is delivered with Standard Webhooks headers that the standardwebhooks library verifies',
  {
    rule: 'signature',
    points: 3,
    hint: 'Send webhook-id, webhook-timestamp (Unix seconds) and webhook-signature: "v1," + base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" over the exact bytes you send, keyed with the base64-decoded part of this endpoint\'s secret after "whsec_".',
  },
  async () => {
    const endpoints = [await register(lab.run, lab.receiver), await register(lab.run, lab.receiver)];
    const { data } = await emit(lab.run, 'order.paid', { order_id: 'ord_42', amount: 2500 });
    for (const endpoint of endpoints) {
      const [request] = await waitForRequests(lab.receiver, endpoint.path, 1, 5000);
      expect(request!.headers['webhook-id'], 'the webhook-id header').toBeTruthy();
      // verify() throws with the library's reason: a wrong key, a timestamp that is not Unix seconds, a signature over other bytes.
      const payload = verify(endpoint.secret, request!) as { type: string; data: unknown };
      expect(payload.data, `the verified body: ${request!.body}`).toEqual(data);
    }
  },
);

graded(
  'a 5xx answer is retried with the same webhook-id and the same body',
  {
    rule: 'retry-same-message',
    points: 2,
    hint: 'A 5xx means "try again later": schedule the next attempt with the message you kept: its id (receivers deduplicate on it) and the bytes you serialised once.',
  },
  async () => {
    const endpoint = await register(lab.run, lab.receiver);
    lab.receiver.script(endpoint.path, (nth) => ({ status: nth === 1 ? 503 : 200 }));
    await emit(lab.run);
    const [first, second] = await waitForRequests(lab.receiver, endpoint.path, 2, 5000);
    expect(second!.headers['webhook-id'], `first: ${shown(first!)}; retry: ${shown(second!)}`).toBe(
      first!.headers['webhook-id'],
    );
    expect(second!.body, 'the retry sends the same bytes').toBe(first!.body);
  },
);

graded(
  'every attempt is signed afresh: a retry a second later has a new webhook-timestamp and signature',
  {
    rule: 'retry-fresh-signature',
    points: 2,
    hint: 'Take the timestamp when you make the attempt, not when the message was created, and sign it again: receivers refuse timestamps older than five minutes, and a real retry comes minutes or hours later.',
  },
  async () => {
    const endpoint = await register(lab.run, lab.receiver);
    // The first attempt gets its 503 only after 1.1 s, so the retry is made at least a whole second later.
    lab.receiver.script(endpoint.path, (nth) => (nth === 1 ? { status: 503, hangMs: 1100 } : { status: 200 }));
    await emit(lab.run);
    const [first, second] = await waitForRequests(lab.receiver, endpoint.path, 2, 6000);
    const said = `first: ${shown(first!)}; retry ${second!.at - first!.at} ms later: ${shown(second!)}`;
    expect(
      Number(second!.headers['webhook-timestamp']),
      `the retry's webhook-timestamp is later than the first's (${said})`,
    ).toBeGreaterThan(Number(first!.headers['webhook-timestamp']));
    expect(second!.headers['webhook-signature'], `the retry is signed again (${said})`).not.toBe(
      first!.headers['webhook-signature'],
    );
    // Whether the signature itself is right is the signature test's business: the retry must verify when the first did.
    if (verifies(endpoint.secret, first!)) expect(() => verify(endpoint.secret, second!), said).not.toThrow();
  },
);

graded(
  'a 400 or 404 answer is not retried, and the message goes to the dead-letter list',
  {
    rule: 'client-errors-dead-letter',
    points: 2,
    hint: 'A 4xx other than 410 and 429 will not get better by retrying: stop at once and put the message in the dead-letter list for a human.',
  },
  async () => {
    const endpoints = [await register(lab.run, lab.receiver), await register(lab.run, lab.receiver)];
    lab.receiver.script(endpoints[0]!.path, () => ({ status: 400 }));
    lab.receiver.script(endpoints[1]!.path, () => ({ status: 404 }));
    await emit(lab.run);
    for (const endpoint of endpoints) await waitForRequests(lab.receiver, endpoint.path, 1, 5000);
    await sleep(400); // retries, if any, would come after 30 ms and 180 ms
    for (const [i, endpoint] of endpoints.entries()) {
      expect(lab.receiver.requests(endpoint.path), `requests after a ${[400, 404][i]}`).toHaveLength(1);
    }
    const letters = await deadLetters(lab.run);
    for (const [i, endpoint] of endpoints.entries()) {
      expect(
        letters.some((d) => d.endpoint_id === endpoint.id),
        `a dead letter with endpoint_id ${endpoint.id} after a ${[400, 404][i]}: ${JSON.stringify(letters).slice(0, 300)}`,
      ).toBe(true);
    }
  },
);
