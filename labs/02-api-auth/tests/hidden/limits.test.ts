import { expect } from 'vitest';
import { graded, http } from '#testkit';
import { adminCredentials, bearer, expectStatus, mintToken, partnerKey, withLimit } from '../oauth.ts';

/** A request that gets past authentication: 200, or 404 for an order that does not exist. */
const served = (status: number) => status === 200 || status === 404;

graded('Partners and the admin are limited too: past RATE_LIMIT_MAX each gets 429', {
  rule: 'rate-limit',
  points: 1,
  hint: 'Put the limiter behind every authentication — bearer, API key and Basic — so each kind of client is counted.',
}, async () => {
  await withLimit(2, 60_000, async (run) => {
    const callers: [string, string, Record<string, string>][] = [
      ['an application', '/v1/orders', bearer(mintToken(run, { subject: 'everywhere-app', scope: ['orders:read'] }))],
      ['a partner', '/v1/partner/orders/ord_unknown', partnerKey(run, 0)],
      ['the admin', '/v1/admin/stats', adminCredentials(run)],
    ];
    for (const [who, path, headers] of callers) {
      for (let i = 1; i <= 2; i++) {
        const res = await http(`${run.url}${path}`, { headers });
        expect(served(res.status), `${who}, request ${i} of RATE_LIMIT_MAX=2: ${res.said}`).toBe(true);
      }
      expectStatus(await http(`${run.url}${path}`, { headers }), 429, `${who}, request 3 of RATE_LIMIT_MAX=2`);
    }
  });
});

graded('The rate limit counts per client: one client\'s 429 does not block another', {
  rule: 'rate-limit-per-client',
  points: 1,
  hint: 'Key the counters by the authenticated client (the token\'s sub, the partner key, the admin user), not one counter for everyone.',
}, async () => {
  await withLimit(2, 60_000, async (run) => {
    const a = bearer(mintToken(run, { subject: 'client-a', scope: ['orders:read'] }));
    for (let i = 0; i < 2; i++) await http(`${run.url}/v1/orders`, { headers: a });
    expectStatus(await http(`${run.url}/v1/orders`, { headers: a }), 429, 'client-a, request 3 of RATE_LIMIT_MAX=2');
    expectStatus(await http(`${run.url}/v1/orders`, { headers: bearer(mintToken(run, { subject: 'client-b', scope: ['orders:read'] })) }), 200, 'client-b, its first request');
    const partner = await http(`${run.url}/v1/partner/orders/ord_unknown`, { headers: partnerKey(run, 0) });
    expect(served(partner.status), `a partner has a budget of its own: ${partner.said}`).toBe(true);
    expectStatus(await http(`${run.url}/v1/admin/stats`, { headers: adminCredentials(run) }), 200, 'the admin has a budget of its own');
  });
});

graded('Two tokens of one client (the same sub) share its budget', {
  rule: 'rate-limit-per-client',
  points: 1,
  hint: 'A client that fetches a new token is still the same client: count by the verified sub claim, not by the token string.',
}, async () => {
  await withLimit(2, 60_000, async (run) => {
    const first = bearer(mintToken(run, { subject: 'one-client', scope: ['orders:read'] }));
    const second = bearer(mintToken(run, { subject: 'one-client', scope: ['orders:read', 'orders:write'] }));
    expectStatus(await http(`${run.url}/v1/orders`, { headers: first }), 200, 'one-client, first token');
    expectStatus(await http(`${run.url}/v1/orders`, { headers: second }), 200, 'one-client, second token');
    expectStatus(await http(`${run.url}/v1/orders`, { headers: second }), 429, 'one-client, request 3 of RATE_LIMIT_MAX=2 (with either token)');
  });
});
