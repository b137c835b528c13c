import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlFetch, listenMock } from '../../../mock-servers/shared/index.ts';
import { DHL_PUBLISHED_RATE_LIMIT } from '../../../mock-servers/carriers/faults.ts';
import { createCarriersMock } from '../../../mock-servers/carriers/index.ts';
import { trackDhl } from '../../../mock-servers/carriers/test-client.ts';

describe('DHL-like tracking API', () => {
  const carriers = createCarriersMock({
    seed: 'dhl-test',
    apiKeys: ['key-a', 'key-b'],
    rateLimit: { limit: 1000, windowSeconds: 60 },
  });
  let server: Awaited<ReturnType<typeof listenMock>>;
  const number = (scenario: string) =>
    carriers.control.shipments().find((s) => s.api === 'dhl' && s.scenario === scenario)!.trackingNumber;
  beforeAll(async () => {
    server = await listenMock(carriers);
  });
  afterAll(() => server.close());

  it('returns a delivered shipment with its events newest first', async () => {
    const { res, json } = await trackDhl(server.url, number('delivered'), 'key-a');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const [shipment] = json.shipments;
    expect(shipment.id).toBe(number('delivered'));
    expect(['express', 'parcel-de', 'ecommerce']).toContain(shipment.service);
    expect(shipment.status).toMatchObject({ statusCode: 'delivered', status: 'DELIVERED' });
    expect(shipment.status.location.address).toEqual(
      expect.objectContaining({ countryCode: expect.any(String), postalCode: expect.any(String) }),
    );
    const codes = shipment.events.map((e: { statusCode: string }) => e.statusCode);
    expect(codes).toEqual(['delivered', 'transit', 'transit', 'transit', 'transit', 'pre-transit']);
    const times = shipment.events.map((e: { timestamp: string }) => Date.parse(e.timestamp));
    expect(times.every((t: number) => !Number.isNaN(t))).toBe(true);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(shipment.events[0]).toEqual(shipment.status);
    expect(shipment.events[0].timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('hands out a working API key and postal credentials at /_control/secrets', async () => {
    const secrets = (await (await controlFetch(server, '/_control/secrets')).json()) as Record<string, string>;
    expect(secrets).toEqual({ dhl_api_key: 'key-a', postal_login: 'lab-user', postal_password: 'lab-password' });
    expect((await trackDhl(server.url, number('slow'), secrets.dhl_api_key)).res.status).toBe(200);
  });

  it('answers the same history twice (stable timestamps, so clients can dedupe)', async () => {
    const first = await trackDhl(server.url, number('failed'), 'key-b');
    const second = await trackDhl(server.url, number('failed'), 'key-b');
    expect(second.json).toEqual(first.json);
  });

  it('reports a shipment with no events as unknown', async () => {
    const { json } = await trackDhl(server.url, number('unknown'), 'key-a');
    expect(json.shipments[0].status.statusCode).toBe('unknown');
    expect(json.shipments[0].events).toEqual([]);
  });

  it('seeds the same tracking numbers for the same seed, other ones for another', () => {
    const again = createCarriersMock({ seed: 'dhl-test' })
      .control.shipments()
      .map((s) => s.trackingNumber);
    const other = createCarriersMock({ seed: 'other' })
      .control.shipments()
      .map((s) => s.trackingNumber);
    expect(again).toEqual(carriers.control.shipments().map((s) => s.trackingNumber));
    expect(other).not.toEqual(again);
  });

  async function expectProblem(res: Response, status: number, title: string) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ type: 'about:blank', title, status });
    expect(problem.detail).toEqual(expect.any(String));
    expect(problem.instance).toEqual(expect.stringMatching(/^\/track\/shipments/));
    return problem;
  }

  it('401 without a key and with a wrong key', async () => {
    await expectProblem(
      await fetch(`${server.url}/track/shipments?trackingNumber=${number('delivered')}`),
      401,
      'Unauthorized',
    );
    const wrong = await fetch(`${server.url}/track/shipments?trackingNumber=${number('delivered')}`, {
      headers: { 'DHL-API-Key': 'key-c' },
    });
    await expectProblem(wrong, 401, 'Unauthorized');
  });

  it('400 without trackingNumber, with an empty one, with two, or a malformed one', async () => {
    for (const query of [
      '',
      '?trackingNumber=',
      '?trackingNumber=1234567890&trackingNumber=2',
      '?trackingNumber=%3Cscript%3E',
    ]) {
      const res = await fetch(`${server.url}/track/shipments${query}`, { headers: { 'DHL-API-Key': 'key-a' } });
      await expectProblem(res, 400, 'Bad Request');
    }
  });

  it('404 for an unknown number or a service that does not match', async () => {
    await expectProblem(
      await fetch(`${server.url}/track/shipments?trackingNumber=0000000000`, { headers: { 'DHL-API-Key': 'key-a' } }),
      404,
      'Not Found',
    );
    const wrongService = await fetch(
      `${server.url}/track/shipments?trackingNumber=${number('delivered')}&service=freight`,
      {
        headers: { 'DHL-API-Key': 'key-a' },
      },
    );
    await expectProblem(wrongService, 404, 'Not Found');
  });

  it('405 for a POST, 404 problem for an unknown route', async () => {
    const post = await fetch(`${server.url}/track/shipments`, {
      method: 'POST',
      headers: { 'DHL-API-Key': 'key-a' },
      body: '{}',
    });
    await expectProblem(post, 405, 'Method Not Allowed');
    expect(post.headers.get('allow')).toBe('GET');
    const nowhere = await fetch(`${server.url}/track/parcels`);
    expect(nowhere.status).toBe(404);
    expect(nowhere.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('DHL rate limit', () => {
  it("is DHL's published one unless a test or lab sets another, and the second call in a second gets 429", async () => {
    const carriers = createCarriersMock({ seed: 'dhl-default-limit' });
    expect(carriers.control.rateLimit()).toEqual({ limit: 1, windowSeconds: 1, perDay: 250 });
    const server = await listenMock(carriers);
    try {
      const number = carriers.control.shipments().find((s) => s.api === 'dhl')!.trackingNumber;
      const ask = () =>
        fetch(`${server.url}/track/shipments?trackingNumber=${number}`, { headers: { 'DHL-API-Key': 'demo-key' } });
      const first = await ask();
      const second = await ask();
      expect(first.status).toBe(200);
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await server.close();
    }
  });

  it("caps a key's day as well when perDay is set (DHL's published default: 1 a second, 250 a day)", async () => {
    expect(DHL_PUBLISHED_RATE_LIMIT).toEqual({ limit: 1, windowMs: 1000, perDay: 250 });
    const carriers = createCarriersMock({
      apiKeys: ['busy', 'calm'],
      rateLimit: { limit: 2, windowSeconds: 1, perDay: 3 },
    });
    const server = await listenMock(carriers);
    try {
      const tn = carriers.control.shipments()[0]!.trackingNumber;
      const first = [];
      for (let i = 0; i < 3; i++) first.push((await trackDhl(server.url, tn, 'busy')).res);
      expect(first.map((r) => r.status)).toEqual([200, 200, 429]);
      expect(first[2]!.headers.get('ratelimit-limit')).toBe('2');
      expect(Number(first[2]!.headers.get('retry-after'))).toBe(1);
      await new Promise((r) => setTimeout(r, 1000));
      expect((await trackDhl(server.url, tn, 'busy')).res.status).toBe(200); // the day's third
      const spent = await trackDhl(server.url, tn, 'busy');
      expect(spent.res.status).toBe(429);
      expect(spent.res.headers.get('ratelimit-limit')).toBe('3');
      expect(spent.res.headers.get('ratelimit-remaining')).toBe('0');
      expect(Number(spent.res.headers.get('retry-after'))).toBeGreaterThan(86_000);
      expect((await trackDhl(server.url, tn, 'calm')).res.status).toBe(200);

      expect(carriers.control.rateLimit()).toEqual({ limit: 2, windowSeconds: 1, perDay: 3 });
      const set = await controlFetch(server, '/_control/rate-limit', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ limit: 5, windowSeconds: 1 }),
      });
      expect(await set.json()).toEqual({ limit: 5, windowSeconds: 1 }); // no perDay: no daily cap
      expect((await trackDhl(server.url, tn, 'busy')).res.status).toBe(200);
      carriers.control.reset();
      expect(carriers.control.rateLimit()).toEqual({ limit: 2, windowSeconds: 1, perDay: 3 });
    } finally {
      await server.close();
    }
  });

  it('answers 429 with Retry-After once a key spends its window, and not for another key', async () => {
    const carriers = createCarriersMock({ apiKeys: ['busy', 'calm'], rateLimit: { limit: 3, windowSeconds: 3 } });
    const server = await listenMock(carriers);
    try {
      const tn = carriers.control.shipments()[0]!.trackingNumber;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await trackDhl(server.url, tn, 'busy')).res.status);
      expect(statuses).toEqual([200, 200, 200]);
      const limited = await trackDhl(server.url, tn, 'busy');
      expect(limited.res.status).toBe(429);
      expect(limited.res.headers.get('content-type')).toBe('application/problem+json');
      expect(limited.json).toMatchObject({ title: 'Too Many Requests', status: 429 });
      const retryAfter = Number(limited.res.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(3);
      expect(limited.res.headers.get('ratelimit-remaining')).toBe('0');
      expect((await trackDhl(server.url, tn, 'calm')).res.status).toBe(200);

      // A client that honours Retry-After gets through.
      await new Promise((r) => setTimeout(r, retryAfter * 1000));
      expect((await trackDhl(server.url, tn, 'busy')).res.status).toBe(200);

      // Graders can tighten the limit at run time.
      const set = await controlFetch(server, '/_control/rate-limit', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ limit: 1, windowSeconds: 30 }),
      });
      expect(await set.json()).toEqual({ limit: 1, windowSeconds: 30 });
      expect((await trackDhl(server.url, tn, 'calm')).res.status).toBe(200);
      const second = await trackDhl(server.url, tn, 'calm');
      expect(second.res.status).toBe(429);
      expect(Number(second.res.headers.get('retry-after'))).toBeGreaterThan(25);
    } finally {
      await server.close();
    }
  });
});
