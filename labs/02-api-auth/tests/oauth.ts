// Helpers the lab's tests share (not a test file): tokens from the OAuth mock, good and deliberately broken.
import { expect } from 'vitest';
import { http, type LabRun } from '#testkit';
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
  return oauthControl(run).mintToken({ subject: 'test-app', ...request }).access_token;
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
export const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

/** Asserts the course's error envelope. */
export function expectEnvelope(res: Reply, status: number): void {
  expect(res.status, `status (body: ${res.text.slice(0, 300)})`).toBe(status);
  const error = res.json?.error;
  expect(error, 'body has { error: { … } }').toBeTypeOf('object');
  expect(error.code, 'error.code').toBeTypeOf('string');
  expect(error.message, 'error.message').toBeTypeOf('string');
  expect(Array.isArray(error.details), 'error.details is an array').toBe(true);
  expect(error.request_id, 'error.request_id').toBeTypeOf('string');
  expect(Number.isNaN(Date.parse(error.timestamp)), 'error.timestamp is a date-time').toBe(false);
}

/** 401 for a bearer route: the envelope plus an RFC 6750 challenge. */
export function expectBearer401(res: Reply, what: string): void {
  expect(res.status, `${what}: status (body: ${res.text.slice(0, 300)})`).toBe(401);
  expectEnvelope(res, 401);
  expect(res.headers.get('www-authenticate') ?? '', `${what}: WWW-Authenticate`).toMatch(/^Bearer\b/i);
}
