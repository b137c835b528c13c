// Helpers the lab's tests share (not a test file): tokens from the OAuth mock, good and deliberately broken.
import { expect } from 'vitest';
import { http, startLab, type LabRun, type StartLabOptions } from '#testkit';
import type { MintTokenRequest, OAuthControl } from '../../../mock-servers/oauth/index.ts';

export type Reply = Awaited<ReturnType<typeof http>>;

/** The OAuth mock's in-process control handle (register clients, mint good and forged tokens, rotate keys). */
export function oauthControl(run: LabRun): OAuthControl {
  const started = run.mocks.oauth;
  if (!started) throw new Error('the oauth mock is not running: lab.json must list "oauth" in mocks');
  return (started.mock as { control: OAuthControl }).control;
}

/** A token straight from the mock's signer, for a made-up client with exactly these scopes. */
export function mintToken(run: LabRun, request: MintTokenRequest & { scope: string[] }): string {
  // For this app's audience (OAUTH_AUDIENCE), unless the request says otherwise.
  return oauthControl(run).mintToken({ subject: 'test-app', audience: run.env.OAUTH_AUDIENCE, ...request })
    .access_token;
}

/** The real flow: register a confidential client, then ask the token endpoint (client credentials, HTTP Basic). */
export async function clientCredentialsToken(run: LabRun, clientId: string, scopes: string[]): Promise<string> {
  const secret = `${clientId}-secret`;
  oauthControl(run).registerClient({ id: clientId, secret, scopes });
  const res = await http(`${run.mocks.oauth!.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: scopes.join(' ') }).toString(),
  });
  expect(res.status, `token endpoint: ${res.text}`).toBe(200);
  return res.json.access_token as string;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

/** The status, with what was sent and what came back when it is not the one expected. */
export function expectStatus(res: Reply, status: number, what = ''): void {
  expect(res.status, `${what ? `${what}: ` : ''}${res.said}`).toBe(status);
}

/** An order to test with, created with a write token whatever 2xx POST answers (creating is another rule). */
export async function createOrder(
  run: LabRun,
  json: Record<string, unknown> = { total_cents: 800, currency: 'eur' },
): Promise<{ id: string } & Record<string, unknown>> {
  const res = await http(`${run.url}/v1/orders`, {
    method: 'POST',
    headers: bearer(mintToken(run, { scope: ['orders:read', 'orders:write'] })),
    json,
  });
  expect(
    res.status >= 200 && res.status < 300 && typeof res.json?.id === 'string',
    `could not create an order to test with: ${res.said}`,
  ).toBe(true);
  return res.json;
}

export const partnerKey = (run: LabRun, i: number) => ({ 'x-api-key': run.env.PARTNER_API_KEYS!.split(',')[i]! });
export const adminCredentials = (run: LabRun) => basic(run.env.ADMIN_USER!, run.env.ADMIN_PASSWORD!);

/**
 * Send GETs (cycling through the credentials) until one is answered 429, at most `max` of them. How many are served
 * before the 429 is the rate-limit rule's business; tests of other rules compare that count, never assume it.
 */
export async function untilLimited(
  run: LabRun,
  path: string,
  credentials: Record<string, string>[],
  max = 8,
): Promise<{ served: number; limited?: Reply; last: Reply }> {
  let last: Reply | undefined;
  for (let i = 0; i < max; i++) {
    last = await http(`${run.url}${path}`, { headers: credentials[i % credentials.length] });
    if (last.status === 429) return { served: i, limited: last, last };
  }
  return { served: max, last: last! };
}

export const limitEnv = (max: number, windowMs: number): StartLabOptions => ({
  env: { RATE_LIMIT_MAX: String(max), RATE_LIMIT_WINDOW_MS: String(windowMs) },
});

/**
 * Start several apps at once, so their start-ups overlap. An app that does not start does not fail the others' tests:
 * its slot holds the error, and `use()` throws it inside the one test that needs that app.
 */
export async function startApps<K extends string>(
  options: Record<K, StartLabOptions>,
): Promise<Record<K, LabRun | Error>> {
  const keys = Object.keys(options) as K[];
  const started = await Promise.all(
    keys.map((k) =>
      startLab(options[k]).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
    ),
  );
  return Object.fromEntries(keys.map((k, i) => [k, started[i]])) as Record<K, LabRun | Error>;
}

export const use = (app: LabRun | Error | undefined): LabRun => {
  if (app === undefined) throw new Error('the app was not started');
  if (app instanceof Error) throw app;
  return app;
};

export async function stopApps(apps: Partial<Record<string, LabRun | Error>>): Promise<void> {
  await Promise.all(Object.values(apps).map((app) => (app instanceof Error ? undefined : app?.stop())));
}
