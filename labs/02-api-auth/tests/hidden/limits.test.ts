import { afterAll, beforeAll, expect } from 'vitest';
import { expectEnvelopeOnRefusals, graded, http, waitFor, type LabRun } from '#testkit';
import {
  adminCredentials,
  basic,
  bearer,
  limitEnv,
  mintToken,
  partnerKey,
  startApps,
  stopApps,
  untilLimited,
  use,
  type Reply,
} from '../oauth.ts';

// Apps with small limits, started together. Tests that share an app use clients no other test uses, so no test
// spends another one's budget.
let apps: Record<'everyKind' | 'shared' | 'oddWindow', LabRun | Error>;
beforeAll(async () => {
  apps = await startApps({ everyKind: limitEnv(2, 60_000), shared: limitEnv(2, 60_000), oddWindow: limitEnv(1, 1900) });
});
afterAll(async () => {
  await stopApps(apps ?? {});
});

graded(
  'Partners and the admin are limited too: past RATE_LIMIT_MAX each gets 429',
  {
    rule: 'rate-limit',
    points: 1,
    hint: 'Put the limiter behind every authentication — bearer, API key and Basic — so each kind of client is counted.',
  },
  async () => {
    const run = use(apps.everyKind);
    const callers: [string, string, Record<string, string>][] = [
      ['an application', '/v1/orders', bearer(mintToken(run, { subject: 'everywhere-app', scope: ['orders:read'] }))],
      ['a partner', '/v1/partner/orders/ord_unknown', partnerKey(run, 0)],
      ['the admin', '/v1/admin/stats', adminCredentials(run)],
    ];
    for (const [who, path, headers] of callers) {
      const { limited, last } = await untilLimited(run, path, [headers], 3);
      if (!limited && last.status >= 500) continue; // the route itself crashes: its own rule's business
      expect(
        limited,
        `${who} gets a 429 within RATE_LIMIT_MAX + 1 = 3 requests; the last answered: ${last.said}`,
      ).toBeDefined();
    }
  },
);

graded(
  "The rate limit counts per client: one client's 429 does not block another",
  {
    rule: 'rate-limit-per-client',
    points: 1,
    hint: "Key the counters by the authenticated client (the token's sub, the partner key, the admin user), not one counter for everyone.",
  },
  async () => {
    const run = use(apps.shared);
    const a = await untilLimited(run, '/v1/orders', [
      bearer(mintToken(run, { subject: 'client-a', scope: ['orders:read'] })),
    ]);
    expect(a.limited, `client-a is limited at some point: ${a.last.said}`).toBeDefined();
    const b = await untilLimited(
      run,
      '/v1/orders',
      [bearer(mintToken(run, { subject: 'client-b', scope: ['orders:read'] }))],
      1,
    );
    expect(b.limited, `client-b's first request is served while client-a is limited: ${b.last.said}`).toBeUndefined();
    const partner = await untilLimited(run, '/v1/partner/orders/ord_unknown', [partnerKey(run, 0)], 1);
    expect(partner.limited, `a partner has a budget of its own: ${partner.last.said}`).toBeUndefined();
    const admin = await untilLimited(run, '/v1/admin/stats', [adminCredentials(run)], 1);
    expect(admin.limited, `the admin has a budget of its own: ${admin.last.said}`).toBeUndefined();
  },
);

graded(
  'Two tokens of one client (the same sub) share its budget',
  {
    rule: 'rate-limit-per-client',
    points: 1,
    hint: 'A client that fetches a new token is still the same client: count by the verified sub claim, not by the token string.',
  },
  async () => {
    const run = use(apps.shared);
    // What one token of one client gets, then what two tokens of another client get together: the same budget.
    const alone = await untilLimited(run, '/v1/orders', [
      bearer(mintToken(run, { subject: 'single-token-client', scope: ['orders:read'] })),
    ]);
    expect(alone.limited, `a client is limited at some point: ${alone.last.said}`).toBeDefined();
    const tokens = [
      bearer(mintToken(run, { subject: 'one-client', scope: ['orders:read'] })),
      bearer(mintToken(run, { subject: 'one-client', scope: ['orders:read', 'orders:write'] })),
    ];
    const together = await untilLimited(run, '/v1/orders', tokens, 3 * alone.served + 2);
    expect(
      together.served,
      `two tokens of one sub, used in turn, are served as often as one token (${alone.served} times): ${together.last.said}`,
    ).toBe(alone.served);
  },
);

graded(
  'The rate limit window resets: after the window the client is served again',
  {
    rule: 'rate-limit-window',
    points: 1,
    hint: 'When the window is over, start counting again from zero (or refill the bucket).',
  },
  async () => {
    const run = use(apps.oddWindow);
    const token = bearer(mintToken(run, { subject: 'bursty-app', scope: ['orders:read'] }));
    let limited = false;
    for (let i = 0; i < 10 && !limited; i++)
      limited = (await http(`${run.url}/v1/orders`, { headers: token })).status === 429;
    expect(limited, 'a burst of 10 requests hits a limit of 1 per 1.9 s').toBe(true);
    await waitFor(async () => (await http(`${run.url}/v1/orders`, { headers: token })).status === 200, {
      timeoutMs: 8000,
      intervalMs: 250,
      message: 'the client to be served again after the 1.9 s window',
    });
  },
);

graded(
  'Retry-After is the time left in the window, rounded up to whole seconds',
  {
    rule: 'rate-limit-window',
    points: 1,
    hint: 'Retry-After counts from now to the end of the window: Math.ceil(msLeft / 1000), at least 1. Rounding down tells clients to come back too early.',
  },
  async () => {
    const run = use(apps.oddWindow);
    const token = bearer(mintToken(run, { subject: 'precise-app', scope: ['orders:read'] }));
    const started = Date.now();
    const { limited, last } = await untilLimited(run, '/v1/orders', [token], 4);
    const elapsed = Date.now() - started;
    expect(limited, `a client of RATE_LIMIT_MAX=1 is limited at some point: ${last.said}`).toBeDefined();
    const header = limited!.headers.get('retry-after');
    if (header === null) return; // no Retry-After at all: the rate-limit rule grades that (and its unit)
    // At most `elapsed` ms of the 1.9 s window are gone, so at least 1.9 s - elapsed are left: rounded up.
    const least = Math.max(1, Math.ceil((1900 - elapsed) / 1000));
    expect(
      Number(header),
      `Retry-After at least ${least} for a 1.9 s window, ${elapsed} ms after its start (got "${header}")`,
    ).toBeGreaterThanOrEqual(least);
  },
);

graded(
  'Requests refused with 401 are not counted against anyone',
  {
    rule: 'rate-limit-after-auth',
    points: 1,
    hint: "Count after authentication: a request without valid credentials is answered 401 and spends nobody's budget — not the one of the sub its forged token names.",
  },
  async () => {
    const run = use(apps.shared);
    const refused: [string, Record<string, string>][] = [
      ['no token', {}],
      [
        'a tampered token of patient-app',
        bearer(mintToken(run, { variant: 'tampered', subject: 'patient-app', scope: ['orders:read'] })),
      ],
    ];
    let allRefused = true;
    for (const [what, headers] of refused) {
      for (let i = 1; i <= 3; i++) {
        const res = await http(`${run.url}/v1/orders`, { headers });
        expect(res.status, `${what}, attempt ${i}: refused for who it is, not for a rate: ${res.said}`).not.toBe(429);
        if (res.status < 400) allRefused = false; // let in: another rule's business, and then it counts
      }
    }
    if (!allRefused) return;
    const patient = await untilLimited(run, '/v1/orders', [
      bearer(mintToken(run, { subject: 'patient-app', scope: ['orders:read'] })),
    ]);
    expect(
      patient.limited,
      `patient-app is limited at some point (the limit itself works): ${patient.last.said}`,
    ).toBeDefined();
    // Then a client nobody used: patient-app must have had at least the budget a fresh client has.
    const fresh = await untilLimited(run, '/v1/orders', [
      bearer(mintToken(run, { subject: 'fresh-app', scope: ['orders:read'] })),
    ]);
    expect(
      patient.served,
      `after 3 forged requests in its name, patient-app is served as often as a fresh client (${fresh.served} times)`,
    ).toBeGreaterThanOrEqual(fresh.served);
  },
);

graded(
  'Every refusal uses the error envelope: 401, 403, 404, 400 and 429',
  {
    rule: 'error-envelope',
    points: 2,
    hint: 'Send every refusal through sendError(…), in the authentication middlewares and the rate limiter too: { error: { code, message, details, request_id, timestamp } }.',
  },
  async () => {
    // On the app with a limit of 1: each request below comes from a client of its own, so only the last pair meets a 429.
    const run = use(apps.oddWindow);
    const as = (subject: string, scope: string[]) => bearer(mintToken(run, { subject, scope }));
    const probes: Reply[] = [
      await http(`${run.url}/v1/orders`),
      await http(`${run.url}/v1/orders`, {
        headers: bearer(mintToken(run, { variant: 'expired', subject: 'late-app', scope: ['orders:read'] })),
      }),
      await http(`${run.url}/v1/orders`, {
        method: 'POST',
        headers: as('reader-app', ['orders:read']),
        json: { total_cents: 1, currency: 'eur' },
      }),
      await http(`${run.url}/v1/orders/ord_unknown`, { headers: as('looking-app', ['orders:read']) }),
      await http(`${run.url}/v1/orders`, {
        method: 'POST',
        headers: as('sloppy-app', ['orders:write']),
        json: { total_cents: 0 },
      }),
      await http(`${run.url}/v1/partner/orders/ord_unknown`, { headers: { 'x-api-key': 'pk_wrong' } }),
      await http(`${run.url}/v1/admin/stats`, { headers: basic('intruder', 'guess') }),
    ];
    const busy = as('envelope-app', ['orders:read']);
    for (let i = 0; i < 3; i++) probes.push(await http(`${run.url}/v1/orders`, { headers: busy }));
    // Which requests are refused is each rule's business; every refusal that happens must use the envelope.
    expectEnvelopeOnRefusals(probes, 'a request without a token at least');
  },
);
