import { expect } from 'vitest';
import { graded } from '#testkit';
import { adminCredentials, bearer, mintToken, partnerKey, untilLimited, withLimit } from '../oauth.ts';

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
      const { limited, last } = await untilLimited(run, path, [headers], 3);
      if (!limited && last.status >= 500) continue; // the route itself crashes: its own rule's business
      expect(limited, `${who} gets a 429 within RATE_LIMIT_MAX + 1 = 3 requests; the last answered: ${last.said}`).toBeDefined();
    }
  });
});

graded('The rate limit counts per client: one client\'s 429 does not block another', {
  rule: 'rate-limit-per-client',
  points: 1,
  hint: 'Key the counters by the authenticated client (the token\'s sub, the partner key, the admin user), not one counter for everyone.',
}, async () => {
  await withLimit(2, 60_000, async (run) => {
    const a = await untilLimited(run, '/v1/orders', [bearer(mintToken(run, { subject: 'client-a', scope: ['orders:read'] }))]);
    expect(a.limited, `client-a is limited at some point: ${a.last.said}`).toBeDefined();
    const b = await untilLimited(run, '/v1/orders', [bearer(mintToken(run, { subject: 'client-b', scope: ['orders:read'] }))], 1);
    expect(b.limited, `client-b's first request is served while client-a is limited: ${b.last.said}`).toBeUndefined();
    const partner = await untilLimited(run, '/v1/partner/orders/ord_unknown', [partnerKey(run, 0)], 1);
    expect(partner.limited, `a partner has a budget of its own: ${partner.last.said}`).toBeUndefined();
    const admin = await untilLimited(run, '/v1/admin/stats', [adminCredentials(run)], 1);
    expect(admin.limited, `the admin has a budget of its own: ${admin.last.said}`).toBeUndefined();
  });
});

graded('Two tokens of one client (the same sub) share its budget', {
  rule: 'rate-limit-per-client',
  points: 1,
  hint: 'A client that fetches a new token is still the same client: count by the verified sub claim, not by the token string.',
}, async () => {
  await withLimit(2, 60_000, async (run) => {
    // What one token of one client gets, then what two tokens of another client get together: the same budget.
    const alone = await untilLimited(run, '/v1/orders', [bearer(mintToken(run, { subject: 'single-token-client', scope: ['orders:read'] }))]);
    expect(alone.limited, `a client is limited at some point: ${alone.last.said}`).toBeDefined();
    const tokens = [
      bearer(mintToken(run, { subject: 'one-client', scope: ['orders:read'] })),
      bearer(mintToken(run, { subject: 'one-client', scope: ['orders:read', 'orders:write'] })),
    ];
    const together = await untilLimited(run, '/v1/orders', tokens, 3 * alone.served + 2);
    expect(together.served, `two tokens of one sub, used in turn, are served as often as one token (${alone.served} times): ${together.last.said}`).toBe(alone.served);
  });
});
