// A few hundred generated bad requests against every registered mock: malformed bodies, wrong content types,
// oversized bodies, missing or wrong credentials, unknown routes. No 5xx ever, and errors in the right shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_TOKEN_HEADER, MOCK_NAMES, startMock } from '../../mock-servers/index.ts';
import type { StartedMock } from '../../mock-servers/index.ts';

const LIMIT = 8 * 1024;
const PER_MOCK = 300;

/** Small seeded PRNG (mulberry32), so a failing case can be reproduced from its index. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATHS: Record<string, string[]> = {
  stripe: [
    '/v1/customers',
    '/v1/customers/cus_missing',
    '/v1/payment_intents',
    '/v1/payment_intents/pi_x/confirm',
    '/v1/payment_intents/pi_x/cancel',
    '/v1/refunds',
    '/v1/webhook_endpoints',
    '/v1/events',
    '/v1/events/evt_x',
    '/v1/nothing/here',
  ],
  github: [
    '/repos/octocat/hello-world/hooks',
    '/repos/octocat/hello-world/hooks/1',
    '/repos/octocat/hello-world/hooks/abc/deliveries',
    '/repos/octocat/hello-world/statuses/abc',
    '/repos/octocat/hello-world/check-runs',
    '/repos/octocat/hello-world/check-runs/9',
    '/repos/octocat/nope/hooks',
    '/user/repos',
    '/repos/octocat/hello-world',
    '/not/a/route',
  ],
};
const SHARED_PATHS = [
  '/',
  '/_control/events',
  '/_control/faults',
  '/_control/deliveries/xyz',
  '/_control/deliveries/xyz/replay',
  '/_control/unknown',
  '/%E0%A4%A',
  '/' + 'a'.repeat(3000),
  '/../../etc/passwd',
  '/v1/customers?limit=abc',
  '/v1/events?limit=100000',
];
const METHODS = ['GET', 'POST', 'POST', 'POST', 'PATCH', 'DELETE', 'PUT'];
const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  '',
];
const BODIES = [
  '{',
  '[1,2,3]',
  'null',
  '"just a string"',
  '{"amount": "lots", "currency": 7}',
  '{"config": {"url": 12}, "events": "push"}',
  'amount=abc&currency=toolong',
  'metadata=1&metadata[a]=2',
  'a[[b]]=1',
  '%E0%A4%A',
  'amount=-5&currency=usd',
  'limit=0',
  'enabled_events[0]=not an event&url=ftp://x',
  '{"mode": "duplicate", "count": -1}',
  '{"type": 42}',
  '{"event": "push", "repo": 5}',
  '\u0000\u0001\u0002',
  '<xml>nope</xml>',
  'x'.repeat(LIMIT + 100),
];
const AUTH: Record<string, string[]> = {
  stripe: ['', 'Bearer sk_live_123', 'Bearer sk_test_short', 'Basic !!!', 'Bearer sk_test_integration_lab_ok'],
  github: ['', 'token nope', 'Bearer', 'token ghp_fuzz_token_1'],
};

type Case = { method: string; path: string; headers: Record<string, string>; body?: string };

function generate(name: string, seed: number, controlToken: string): Case[] {
  const random = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const paths = [...(PATHS[name] ?? ['/token', '/.well-known/jwks.json', '/v1/track', '/track']), ...SHARED_PATHS];
  return Array.from({ length: PER_MOCK }, () => {
    const method = pick(METHODS);
    const headers: Record<string, string> = {};
    const auth = pick(AUTH[name] ?? ['', 'Bearer nope']);
    if (auth) headers.authorization = auth;
    const type = pick(CONTENT_TYPES);
    if (type) headers['content-type'] = type;
    if (random() < 0.2) headers['idempotency-key'] = pick(['k', 'x'.repeat(300), '']);
    const path = pick(paths);
    // Mostly with the control token, so the control routes' own input checks answer; sometimes none or a wrong one.
    if (path.startsWith('/_control')) {
      const token = pick([controlToken, controlToken, controlToken, '', 'ctl_wrong']);
      if (token) headers[CONTROL_TOKEN_HEADER] = token;
    }
    const body = method === 'GET' || method === 'DELETE' ? undefined : pick(BODIES);
    return { method, path, headers, ...(body === undefined ? {} : { body }) };
  });
}

/** The error shape each vendor uses (status ≥ 400), and ours for the control API. */
function shapeProblem(name: string, path: string, status: number, text: string): string | undefined {
  if (status < 400) return undefined;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    return name === 'stripe' || name === 'github' || path.startsWith('/_control')
      ? 'error body is not JSON'
      : undefined;
  }
  if (path.startsWith('/_control/')) {
    const e = body.error as Record<string, unknown> | undefined;
    return typeof e?.code === 'string' &&
      typeof e.message === 'string' &&
      Array.isArray(e.details) &&
      typeof e.request_id === 'string'
      ? undefined
      : 'not our envelope';
  }
  if (name === 'stripe') {
    const e = body.error as Record<string, unknown> | undefined;
    return typeof e?.type === 'string' && typeof e.message === 'string'
      ? undefined
      : "not Stripe's { error: { type, message } }";
  }
  if (name === 'github')
    return typeof body.message === 'string' && typeof body.documentation_url === 'string'
      ? undefined
      : "not GitHub's { message, documentation_url }";
  return undefined;
}

const started: StartedMock[] = [];
beforeAll(async () => {
  for (const name of MOCK_NAMES) {
    started.push(
      await startMock(name, {
        timeScale: 0.0001,
        maxBodyBytes: LIMIT,
        maxRequestBytes: LIMIT,
        tokens: ['ghp_fuzz_token_1'],
        apiKey: 'sk_test_integration_lab_ok',
      }),
    );
  }
});
afterAll(async () => {
  for (const m of started) await m.close();
});

describe.each(MOCK_NAMES.map((name, i) => ({ name, i })))('bad input against the $name mock', ({ name, i }) => {
  it(`${PER_MOCK} generated bad requests: never a 5xx, errors in the right shape`, async () => {
    const mock = started[i]!;
    const cases = generate(name, 1234 + i, mock.controlToken);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    // A few at a time: enough to overlap requests, bounded for a 2-core machine.
    for (let at = 0; at < cases.length; at += 8) {
      await Promise.all(
        cases.slice(at, at + 8).map(async (c, j) => {
          const res = await fetch(mock.url + c.path, {
            method: c.method,
            headers: c.headers,
            ...(c.body === undefined ? {} : { body: c.body }),
          });
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const problem = res.status >= 500 ? `status ${res.status}` : shapeProblem(name, c.path, res.status, text);
          if (problem)
            failures.push(
              `#${at + j} ${c.method} ${c.path.slice(0, 60)} ${JSON.stringify(c.headers)} → ${res.status} ${problem}: ${text.slice(0, 200)}`,
            );
        }),
      );
    }
    expect(failures).toEqual([]);
    // The generator really produced client errors, including 413 for an oversized body where a mock limits size.
    expect([...statuses.keys()].some((s) => s >= 400 && s < 500)).toBe(true);
    if (name === 'stripe' || name === 'github') expect(statuses.get(413) ?? 0).toBeGreaterThan(0);
  });
});

describe('oversized bodies without a Content-Length (chunked) still get 413', () => {
  it.each(['stripe', 'github'])('%s', async (name) => {
    const mock = started[MOCK_NAMES.indexOf(name as never)]!;
    const chunk = new TextEncoder().encode('a'.repeat(1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 32) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const path = name === 'stripe' ? '/v1/customers' : '/repos/octocat/hello-world/hooks';
    const auth = name === 'stripe' ? 'Bearer sk_test_integration_lab_ok' : 'token ghp_fuzz_token_1';
    const res = await fetch(mock.url + path, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { authorization: auth, 'content-type': 'application/json' },
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(shapeProblem(name, path, 413, await res.text())).toBeUndefined();
  });
});
