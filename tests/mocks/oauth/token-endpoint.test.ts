import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthMock } from '../../../mock-servers/oauth/index.ts';
import { controlFetch, listenMock } from '../../../mock-servers/shared/index.ts';

const FORM = 'application/x-www-form-urlencoded';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('token endpoint errors (RFC 6749 §5.2)', () => {
  const oauth = createOAuthMock();
  let server: Awaited<ReturnType<typeof listenMock>>;
  beforeAll(async () => {
    server = await listenMock(oauth);
  });
  afterAll(() => server.close());

  async function tokenRequest(body: string, headers: Record<string, string> = { 'content-type': FORM }) {
    const res = await fetch(`${server.url}/oauth/token`, { method: 'POST', headers, body });
    const json = (await res.json()) as { error: string; error_description: string };
    return { status: res.status, json, headers: res.headers };
  }

  const cases: {
    name: string;
    body: string;
    headers?: Record<string, string>;
    status: number;
    error: string;
    challenge?: boolean;
  }[] = [
    {
      name: 'a JSON body instead of a form',
      body: '{"grant_type":"client_credentials"}',
      headers: { 'content-type': 'application/json', authorization: basic('lab-client', 'lab-client-secret') },
      status: 400,
      error: 'invalid_request',
    },
    {
      name: 'no content type at all',
      body: 'grant_type=client_credentials',
      headers: { 'content-type': '', authorization: basic('lab-client', 'lab-client-secret') },
      status: 400,
      error: 'invalid_request',
    },
    {
      name: 'a parameter sent twice',
      body: 'grant_type=client_credentials&grant_type=client_credentials&client_id=lab-client&client_secret=lab-client-secret',
      status: 400,
      error: 'invalid_request',
    },
    {
      name: 'Basic and body credentials at once',
      body: 'grant_type=client_credentials&client_id=lab-client&client_secret=lab-client-secret',
      headers: { 'content-type': FORM, authorization: basic('lab-client', 'lab-client-secret') },
      status: 400,
      error: 'invalid_request',
    },
    {
      name: 'client_secret without client_id',
      body: 'grant_type=client_credentials&client_secret=lab-client-secret',
      status: 400,
      error: 'invalid_request',
    },
    {
      name: 'a missing grant_type',
      body: 'client_id=lab-client&client_secret=lab-client-secret',
      status: 400,
      error: 'invalid_request',
    },
    {
      name: 'no client authentication',
      body: 'grant_type=client_credentials',
      status: 401,
      error: 'invalid_client',
      challenge: true,
    },
    {
      name: 'a wrong secret in the body',
      body: 'grant_type=client_credentials&client_id=lab-client&client_secret=nope',
      status: 400,
      error: 'invalid_client',
    },
    {
      name: 'client_id without client_secret',
      body: 'grant_type=client_credentials&client_id=lab-client',
      status: 400,
      error: 'invalid_client',
    },
    {
      name: 'a wrong secret over Basic',
      body: 'grant_type=client_credentials',
      headers: { 'content-type': FORM, authorization: basic('lab-client', 'nope') },
      status: 401,
      error: 'invalid_client',
      challenge: true,
    },
    {
      name: 'an unknown client over Basic',
      body: 'grant_type=client_credentials',
      headers: { 'content-type': FORM, authorization: basic('stranger', 'lab-client-secret') },
      status: 401,
      error: 'invalid_client',
      challenge: true,
    },
    {
      name: 'a Bearer header where Basic is expected',
      body: 'grant_type=client_credentials',
      headers: { 'content-type': FORM, authorization: 'Bearer abc' },
      status: 401,
      error: 'invalid_client',
      challenge: true,
    },
    {
      name: 'Basic credentials without a colon',
      body: 'grant_type=client_credentials',
      headers: { 'content-type': FORM, authorization: `Basic ${Buffer.from('lab-client').toString('base64')}` },
      status: 401,
      error: 'invalid_client',
      challenge: true,
    },
    {
      name: 'the password grant',
      body: 'grant_type=password&username=a&password=b&client_id=lab-client&client_secret=lab-client-secret',
      status: 400,
      error: 'unsupported_grant_type',
    },
    {
      name: 'a scope the client may not have',
      body: 'grant_type=client_credentials&scope=shipments:read%20admin&client_id=lab-client&client_secret=lab-client-secret',
      status: 400,
      error: 'invalid_scope',
    },
    {
      name: 'a scope with a character scopes cannot hold',
      body: 'grant_type=client_credentials&scope=%22quoted%22&client_id=lab-client&client_secret=lab-client-secret',
      status: 400,
      error: 'invalid_scope',
    },
  ];

  for (const c of cases) {
    it(`answers ${c.status} ${c.error} to ${c.name}`, async () => {
      const res = await tokenRequest(c.body, c.headers);
      expect(res.status).toBe(c.status);
      expect(res.json.error).toBe(c.error);
      expect(res.json.error_description).toEqual(expect.any(String));
      expect(res.headers.get('cache-control')).toBe('no-store');
      if (c.challenge) expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
      else expect(res.headers.get('www-authenticate')).toBeNull();
    });
  }

  it('accepts form-encoded Basic credentials (RFC 6749 §2.3.1)', async () => {
    oauth.control.registerClient({ id: 'app:one', secret: 'p@ss word', scopes: ['a'] });
    const encoded = `${encodeURIComponent('app:one')}:${encodeURIComponent('p@ss word').replaceAll('%20', '+')}`;
    const res = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': `${FORM}; charset=utf-8`,
        authorization: `Basic ${Buffer.from(encoded).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { scope: string }).scope).toBe('a');
  });

  it('answers 405 with Allow to a GET', async () => {
    const res = await fetch(`${server.url}/oauth/token?grant_type=client_credentials`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('answers 413 in the RFC shape to an oversized body', async () => {
    const res = await tokenRequest(`grant_type=client_credentials&pad=${'x'.repeat(20_000)}`);
    expect(res.status).toBe(413);
    expect(res.json.error).toBe('invalid_request');
  });
});

describe('control API for clients', () => {
  const oauth = createOAuthMock();
  let server: Awaited<ReturnType<typeof listenMock>>;
  beforeAll(async () => {
    server = await listenMock(oauth);
  });
  afterAll(() => server.close());
  const post = (path: string, body: string, type = 'application/json') =>
    controlFetch(server, `/_control${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  it('hands out working credentials at /_control/secrets', async () => {
    const secrets = (await (await controlFetch(server, '/_control/secrets')).json()) as Record<string, string>;
    expect(secrets).toMatchObject({
      token_url: `${server.url}/oauth/token`,
      issuer: server.url,
      client_id: 'lab-client',
    });
    const res = await fetch(secrets.token_url!, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: secrets.client_id!,
        client_secret: secrets.client_secret!,
      }),
    });
    expect(res.status).toBe(200);
  });

  it('registers a client that can then get a token, and reset forgets it', async () => {
    const created = await post(
      '/clients',
      JSON.stringify({ id: 'grader', secret: 's3', scopes: ['x', 'y'], roles: ['qa'] }),
    );
    expect(created.status).toBe(201);
    const list = (await (await controlFetch(server, '/_control/clients')).json()) as { clients: { id: string }[] };
    expect(list.clients.map((c) => c.id)).toContain('grader');
    const token = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'grader',
        client_secret: 's3',
        scope: 'y',
      }),
    });
    expect(token.status).toBe(200);
    expect((await post('/reset', '')).status).toBe(200);
    expect(oauth.control.listClients().map((c) => c.id)).toEqual(['lab-client', 'lab-admin']);
  });

  it('answers in our error envelope: 422 with field details, 409 on a duplicate, 400 on bad JSON, 415, 404', async () => {
    const invalid = await post('/clients', JSON.stringify({ id: '', scopes: 'x' }));
    expect(invalid.status).toBe(422);
    const body = (await invalid.json()) as {
      error: { code: string; details: { field: string }[]; request_id: string; timestamp: string };
    };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d) => d.field).sort()).toEqual(['id', 'scopes', 'secret']);
    expect(body.error.request_id).toMatch(/^req_/);
    expect(Date.parse(body.error.timestamp)).not.toBeNaN();

    expect((await post('/clients', JSON.stringify({ id: 'lab-client', secret: 'x', scopes: [] }))).status).toBe(409);
    expect((await post('/clients', '{"id":')).status).toBe(400);
    expect((await post('/clients', 'id=x', 'text/plain')).status).toBe(415);
    expect((await post('/tokens', '{"variant":"forged-somehow"}')).status).toBe(422);
    expect((await post('/tokens', '{"clientId":"nobody"}')).status).toBe(404);
    const missing = await controlFetch(server, '/_control/clients/nobody', { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
