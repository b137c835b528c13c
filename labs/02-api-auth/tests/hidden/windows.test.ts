import { expect } from 'vitest';
import { graded, http, waitFor } from '#testkit';
import { bearer, expectStatus, mintToken, withLimit } from '../oauth.ts';

graded('The rate limit window resets: after the window the client is served again', {
  rule: 'rate-limit-window',
  points: 1,
  hint: 'When the window is over, start counting again from zero (or refill the bucket).',
}, async () => {
  await withLimit(2, 1000, async (run) => {
    const token = bearer(mintToken(run, { subject: 'bursty-app', scope: ['orders:read'] }));
    let limited = false;
    for (let i = 0; i < 10 && !limited; i++) limited = (await http(`${run.url}/v1/orders`, { headers: token })).status === 429;
    expect(limited, 'a burst of 10 requests hits a limit of 2 per 1 s').toBe(true);
    await waitFor(async () => (await http(`${run.url}/v1/orders`, { headers: token })).status === 200, {
      timeoutMs: 6000,
      intervalMs: 250,
      message: 'the client to be served again after the 1 s window',
    });
  });
});

graded('Retry-After is the time left in the window, rounded up to whole seconds', {
  rule: 'rate-limit-window',
  points: 1,
  hint: 'Retry-After counts from now to the end of the window: Math.ceil(msLeft / 1000), at least 1. Rounding down tells clients to come back too early.',
}, async () => {
  await withLimit(1, 2900, async (run) => {
    const token = bearer(mintToken(run, { subject: 'precise-app', scope: ['orders:read'] }));
    const started = Date.now();
    expectStatus(await http(`${run.url}/v1/orders`, { headers: token }), 200, 'request 1 of RATE_LIMIT_MAX=1');
    const limited = await http(`${run.url}/v1/orders`, { headers: token });
    const elapsed = Date.now() - started;
    expectStatus(limited, 429, 'request 2 of RATE_LIMIT_MAX=1');
    const header = limited.headers.get('retry-after');
    if (header === null) return; // no Retry-After at all: the rate-limit rule grades that (and its unit)
    // At most `elapsed` ms of the 2.9 s window are gone, so at least 2.9 s - elapsed are left: rounded up.
    const least = Math.max(1, Math.ceil((2900 - elapsed) / 1000));
    expect(Number(header), `Retry-After at least ${least} for a 2.9 s window, ${elapsed} ms after its start (got "${header}")`).toBeGreaterThanOrEqual(least);
  });
});

graded('Requests refused with 401 are not counted against anyone', {
  rule: 'rate-limit-after-auth',
  points: 1,
  hint: 'Count after authentication: a request without valid credentials is answered 401 and spends nobody\'s budget — not the one of the sub its forged token names.',
}, async () => {
  await withLimit(2, 60_000, async (run) => {
    const refused: [string, Record<string, string>][] = [
      ['no token', {}],
      ['an expired token of patient-app', bearer(mintToken(run, { variant: 'expired', subject: 'patient-app', scope: ['orders:read'] }))],
      ['a tampered token of patient-app', bearer(mintToken(run, { variant: 'tampered', subject: 'patient-app', scope: ['orders:read'] }))],
    ];
    for (const [what, headers] of refused) {
      for (let i = 1; i <= 3; i++) expectStatus(await http(`${run.url}/v1/orders`, { headers }), 401, `${what}, attempt ${i}`);
    }
    const token = bearer(mintToken(run, { subject: 'patient-app', scope: ['orders:read'] }));
    for (let i = 1; i <= 2; i++) expectStatus(await http(`${run.url}/v1/orders`, { headers: token }), 200, `patient-app's valid request ${i} of RATE_LIMIT_MAX=2`);
    expectStatus(await http(`${run.url}/v1/orders`, { headers: token }), 429, 'patient-app\'s request 3: the limit itself works');
  });
});
