// The control token, mock by mock: every route of the control API and the inspector (every method the router
// knows for it) answers 401 in our envelope to a caller without the token or with a guessed one (empty, "test", the
// mock's own API keys and secrets, its URL, another start's token, near misses), however the guess is presented,
// and nothing in the mock changes; the same requests with the token do change it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_TOKEN_HEADER, controlFetch, createMock, MOCK_NAMES, startMock } from '../../mock-servers/index.ts';
import type { StartedMock } from '../../mock-servers/index.ts';
import type { DeliveryEngine } from '../../mock-servers/engine/index.ts';
import { startReceiver } from './receiver.ts';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Request bodies that would change each mock if they got through (the same ones change it when sent with the token). */
const BODIES: Record<string, Record<string, unknown>> = {
  stripe: {
    '/_control/events': { type: 'customer.created' },
    '/_control/faults': { mode: 'corrupt_signature' },
    '/_control/endpoints': { url: 'http://127.0.0.1:9/hostile' },
  },
  github: {
    '/_control/events': { event: 'push', repo: 'octocat/hello-world', commits: ['pwned'] },
    '/_control/faults': { mode: 'corrupt_signature' },
  },
  oauth: {
    '/_control/clients': { id: 'intruder', secret: 'intruder-secret', scopes: ['admin'] },
    '/_control/keys/rotate': { keepPrevious: false },
    '/_control/tokens': { variant: 'valid', clientId: 'lab-admin' },
  },
  carriers: {
    '/_control/shipments': { api: 'dhl', scenario: 'delivered' },
    '/_control/faults': { api: 'all', errorRate: 1 },
    '/_control/rate-limit': { limit: 1, windowSeconds: 3600 },
  },
};

/** Give each mock some state worth protecting: an endpoint or hook with a delivery, a fault rule, a client, a log. */
async function prepare(name: string, mock: StartedMock, receiver: Receiver): Promise<void> {
  const ok = async (res: Promise<Response>) => expect((await res).status).toBeLessThan(300);
  if (name === 'stripe') {
    await ok(controlFetch(mock, '/_control/endpoints', json({ url: receiver.url })));
    await ok(controlFetch(mock, '/_control/events', json({ type: 'customer.created' })));
  }
  if (name === 'github') {
    const token = String(mock.secrets.token);
    await ok(
      fetch(`${mock.url}/repos/octocat/hello-world/hooks`, {
        method: 'POST',
        headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          config: { url: receiver.url, content_type: 'json', secret: 's3cret' },
          events: ['push'],
        }),
      }),
    );
    await ok(
      controlFetch(mock, '/_control/events', json({ event: 'push', repo: 'octocat/hello-world', commits: ['first'] })),
    );
  }
  if (name === 'stripe' || name === 'github') {
    const engine = (mock.mock.control as { engine: DeliveryEngine }).engine;
    await Promise.all(engine.list().map((d) => engine.settled(d.id)));
    await ok(controlFetch(mock, '/_control/faults', json({ mode: 'delay', delay_ms: 1, count: 50 })));
  }
  if (name === 'oauth') {
    await ok(
      controlFetch(mock, '/_control/clients', json({ id: 'warehouse', secret: 'w-secret', scopes: ['stock:read'] })),
    );
    await ok(controlFetch(mock, '/_control/keys/rotate', json({ keepPrevious: true })));
  }
  if (name === 'carriers') {
    await fetch(`${mock.url}/track/shipments?trackingNumber=0000000000`, {
      headers: { 'DHL-API-Key': String(mock.secrets.dhl_api_key) },
    });
    await ok(controlFetch(mock, '/_control/faults', json({ api: 'dhl', failNext: 3, errorStatus: 503 })));
  }
}

/** Everything the control API shows (every GET route without parameters, except the live stream), read with the token. */
async function snapshot(mock: StartedMock): Promise<Record<string, unknown>> {
  const paths = mock.mock.app.routes
    .filter((r) => r.method === 'GET' && r.path.startsWith('/_control') && !/[:*]|stream/.test(r.path))
    .map((r) => r.path);
  const state: Record<string, unknown> = {};
  for (const path of [...new Set(paths)].sort()) state[path] = await (await controlFetch(mock, path)).json();
  return state;
}

/** Every control and inspector route the mock's router has, as concrete requests (`ALL` as every method). */
function controlRequests(
  name: string,
  mock: StartedMock,
  state: Record<string, unknown>,
): { method: string; path: string; init: RequestInit }[] {
  const firstId = (path: string) => (state[path] as { data?: { id: string }[] } | undefined)?.data?.[0]?.id ?? 'none';
  const ids: Record<string, string> = {
    deliveries: firstId('/_control/deliveries'),
    faults: firstId('/_control/faults'),
    clients: 'lab-client',
  };
  const seen = new Set<string>();
  const requests: { method: string; path: string; init: RequestInit }[] = [];
  for (const route of mock.mock.app.routes) {
    if (!/^\/_(control|inspector)(\/|$)/.test(route.path)) continue;
    const path = route.path
      .replace(/\/(\w+)\/:id/, (_whole, area: string) => `/${area}/${ids[area] ?? 'x'}`)
      .replace('/*', '/anything');
    for (const method of route.method === 'ALL' ? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] : [route.method]) {
      if (seen.has(`${method} ${path}`)) continue;
      seen.add(`${method} ${path}`);
      const body = method === 'GET' ? undefined : JSON.stringify(BODIES[name]?.[path] ?? {});
      requests.push({
        method,
        path,
        init: { method, ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }) },
      });
    }
  }
  return requests;
}

/** What a hostile app could try instead of the token: nothing, the obvious, everything it was given, near misses. */
function guesses(mock: StartedMock, other: string): string[] {
  const given = Object.values(mock.secrets).flatMap(function leaves(v: unknown): string[] {
    if (typeof v === 'string') return [v];
    if (v && typeof v === 'object') return Object.values(v).flatMap(leaves);
    return [];
  });
  const real = mock.controlToken;
  return [
    ...new Set([
      '',
      'test',
      'ctl_',
      'null',
      mock.url,
      String(mock.port),
      ...given,
      other,
      real.slice(0, -1),
      `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`,
      real.toUpperCase(),
      ` ${real}x`,
    ]),
  ];
}

/** The same guess sent each way the real token is accepted. */
function presented(guess: string, init: RequestInit, path: string): { path: string; init: RequestInit }[] {
  const headers = (extra: Record<string, string>) => ({
    ...init,
    headers: { ...(init.headers as Record<string, string> | undefined), ...extra },
  });
  const sep = path.includes('?') ? '&' : '?';
  const query = { path: `${path}${sep}token=${encodeURIComponent(guess)}`, init };
  // Header values must be Latin-1 (Stripe's api_key_rule has an ellipsis): those guesses go in the query only.
  if (!/^[\x20-\xff]*$/.test(guess)) return [query];
  return [
    { path, init: headers({ [CONTROL_TOKEN_HEADER]: guess }) },
    { path, init: headers({ authorization: `Bearer ${guess}` }) },
    query,
  ];
}

describe.each(MOCK_NAMES)('the %s mock', (name) => {
  let mock: StartedMock;
  let otherStart: StartedMock;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    // The same seed twice: ids and secrets repeat, the control token does not.
    mock = await startMock(name, { seed: 'same-seed' });
    otherStart = await startMock(name, { seed: 'same-seed' });
    await prepare(name, mock, receiver);
  });
  afterAll(async () => {
    await mock?.close();
    await otherStart?.close();
    await receiver?.close();
  });

  it('has a random token of 256 bits, new on every start, not among its secrets', () => {
    expect(mock.controlToken).toMatch(/^ctl_[A-Za-z0-9_-]{43}$/);
    expect(otherStart.controlToken).not.toBe(mock.controlToken);
    expect(JSON.stringify(mock.secrets)).not.toContain(mock.controlToken);
  });

  it('answers 401 to every control route without the token or with a guessed one, and nothing changes', async () => {
    const before = await snapshot(mock);
    const deliveriesBefore = receiver.received.length;
    const requests = controlRequests(name, mock, before);
    expect(requests.length).toBeGreaterThanOrEqual(name === 'oauth' ? 9 : 11);
    const attempts = requests.flatMap((r) => [
      { path: r.path, init: r.init },
      ...guesses(mock, otherStart.controlToken).flatMap((g) => presented(g, r.init, r.path)),
    ]);
    const wrong: string[] = [];
    for (let at = 0; at < attempts.length; at += 8) {
      await Promise.all(
        attempts.slice(at, at + 8).map(async ({ path, init }) => {
          const res = await fetch(`${mock.url}${path}`, { ...init, signal: AbortSignal.timeout(5000) }).catch(
            (e: Error) => e,
          );
          if (res instanceof Error) return void wrong.push(`${init.method} ${path}: ${res.message}`);
          const body = (await res.json().catch(() => undefined)) as
            | {
                error?: { code?: string; message?: string; details?: unknown; request_id?: string; timestamp?: string };
              }
            | undefined;
          const e = body?.error;
          const shaped =
            res.status === 401 &&
            /^control_token_(required|invalid)$/.test(e?.code ?? '') &&
            Array.isArray(e?.details) &&
            typeof e?.request_id === 'string' &&
            typeof e?.timestamp === 'string';
          if (
            !shaped ||
            !e?.message?.includes(`${name.toUpperCase()}_CONTROL_TOKEN`) ||
            !res.headers.get('www-authenticate')?.startsWith('Bearer')
          ) {
            wrong.push(
              `${init.method} ${path} ${JSON.stringify(init.headers ?? {})} → ${res.status} ${JSON.stringify(body).slice(0, 160)}`,
            );
          }
        }),
      );
    }
    expect(wrong).toEqual([]);
    expect(attempts.length).toBeGreaterThan(requests.length * 30);
    expect(await snapshot(mock)).toEqual(before);
    expect(receiver.received.length).toBe(deliveriesBefore);
  });

  it('lets nothing through by another spelling of the path either', async () => {
    const before = await snapshot(mock);
    for (const [method, path] of [
      ['DELETE', '/%5Fcontrol/faults'],
      ['DELETE', '/_control/faults/'],
      ['DELETE', '/_control//faults'],
      ['POST', '/_control/reset?token='],
      ['POST', '/_control/reset?token=&token=test'],
      ['GET', '/_control/./secrets'],
      ['GET', '/_inspector/'],
    ]) {
      const res = await fetch(`${mock.url}${path}`, { method: method! });
      await res.body?.cancel();
      expect([401, 404], `${method} ${path}`).toContain(res.status);
    }
    expect(await snapshot(mock)).toEqual(before);
  });

  it('with the token, the same requests do change the mock (the barrage above had teeth)', async () => {
    const before = await snapshot(mock);
    for (const r of controlRequests(name, mock, before)) {
      if (r.init.method === 'GET') continue;
      const res = await controlFetch(mock, r.path, { ...r.init, signal: AbortSignal.timeout(5000) });
      await res.body?.cancel();
    }
    expect(await snapshot(mock)).not.toEqual(before);
  });
});

describe('a control token given in options', () => {
  it('is the one the mock demands; a short one is refused', async () => {
    const mock = await startMock('carriers', { controlToken: 'a-long-enough-test-token' });
    try {
      expect(mock.controlToken).toBe('a-long-enough-test-token');
      expect((await controlFetch(mock, '/_control/faults')).status).toBe(200);
      expect((await fetch(`${mock.url}/_control/faults?token=a-long-enough-test-token`)).status).toBe(200);
    } finally {
      await mock.close();
    }
    expect(() => createMock('stripe', { controlToken: 'test' })).toThrow(
      /controlToken must be a string of at least 16 characters/,
    );
  });
});
