import { expect } from 'vitest';
import { graded, http, waitFor } from '#testkit';
import { bearer, mintToken, untilLimited, withLimit } from '../oauth.ts';

graded('The rate limit window resets: after the window the client is served again', {
  rule: 'rate-limit-window',
  points: 1,
  hint: 'When the window is over, start counting again from zero (or refill the bucket).',
}, async () => {
  await withLimit(2, 1500, async (run) => {
    const token = bearer(mintToken(run, { subject: 'bursty-app', scope: ['orders:read'] }));
    let limited = false;
    for (let i = 0; i < 10 && !limited; i++) limited = (await http(`${run.url}/v1/orders`, { headers: token })).status === 429;
    expect(limited, 'a burst of 10 requests hits a limit of 2 per 1.5 s').toBe(true);
    await waitFor(async () => (await http(`${run.url}/v1/orders`, { headers: token })).status === 200, {
      timeoutMs: 6000,
      intervalMs: 250,
      message: 'the client to be served again after the 1.5 s window',
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
    const { limited, last } = await untilLimited(run, '/v1/orders', [token], 4);
    const elapsed = Date.now() - started;
    expect(limited, `a client of RATE_LIMIT_MAX=1 is limited at some point: ${last.said}`).toBeDefined();
    const header = limited!.headers.get('retry-after');
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
      ['a tampered token of patient-app', bearer(mintToken(run, { variant: 'tampered', subject: 'patient-app', scope: ['orders:read'] }))],
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
    const patient = await untilLimited(run, '/v1/orders', [bearer(mintToken(run, { subject: 'patient-app', scope: ['orders:read'] }))]);
    expect(patient.limited, `patient-app is limited at some point (the limit itself works): ${patient.last.said}`).toBeDefined();
    // Then a client nobody used: patient-app must have had at least the budget a fresh client has.
    const fresh = await untilLimited(run, '/v1/orders', [bearer(mintToken(run, { subject: 'fresh-app', scope: ['orders:read'] }))]);
    expect(patient.served, `after 3 forged requests in its name, patient-app is served as often as a fresh client (${fresh.served} times)`).toBeGreaterThanOrEqual(fresh.served);
  });
});
