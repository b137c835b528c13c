import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthMock } from '../../../mock-servers/oauth/index.ts';
import { CONTROL_TOKEN_HEADER, listenMock } from '../../../mock-servers/shared/index.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

// Bodies a confused or hostile client sends; every one must get a 4xx in the right shape, never a 5xx.
const BODIES: (string | Uint8Array<ArrayBuffer>)[] = [
  '',
  '{',
  '{"grant_type":"client_credentials"}',
  '[]',
  'null',
  'grant_type=client_credentials&scope=%ZZ%',
  'grant_type=&&&==&client_id',
  'grant_type=client_credentials&client_id=&client_secret=',
  'grant_type=client_credentials&client_id=lab-client&client_secret=lab-client-secret&scope=a%00b',
  '{"id":1,"secret":[],"scopes":"x","variant":null,"claims":[],"keepPrevious":"yes","expiresInSeconds":1e999}',
  '<?xml version="1.0"?><a/>',
  Uint8Array.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x3d, 0x26]),
  `grant_type=client_credentials&pad=${'z'.repeat(70_000)}`,
];
const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=zzz',
  undefined,
];
const AUTHORIZATIONS = [
  undefined,
  'Basic !!!',
  `Basic ${b64('lab-client:wrong')}`,
  `Basic ${b64(':')}`,
  `Basic ${b64('%E0%A4%A:%')}`,
  'Bearer x.y.z',
];

describe('bad input never breaks the OAuth mock', () => {
  const oauth = createOAuthMock();
  let server: Awaited<ReturnType<typeof listenMock>>;
  beforeAll(async () => {
    server = await listenMock(oauth);
  });
  afterAll(() => server.close());

  it('answers hundreds of malformed requests with 4xx in the vendor or control shape', async () => {
    const requests: {
      method: string;
      path: string;
      body: string | Uint8Array<ArrayBuffer>;
      headers: Record<string, string>;
    }[] = [];
    for (const body of BODIES) {
      // Every kind of client authentication, on an otherwise well-typed token request ...
      for (const authorization of AUTHORIZATIONS) {
        const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
        requests.push({
          method: 'POST',
          path: '/oauth/token',
          body,
          headers: authorization ? { ...headers, authorization } : headers,
        });
      }
      // ... every content type on the token endpoint and one control route ...
      for (const type of CONTENT_TYPES) {
        const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
        requests.push({ method: 'POST', path: '/oauth/token', body, headers });
        requests.push({ method: 'POST', path: '/_control/clients', body, headers });
      }
      // ... and the other routes, methods and unknown paths.
      const json = { 'content-type': 'application/json' };
      for (const path of ['/_control/tokens', '/_control/keys/rotate', '/_control/nowhere', '/_control']) {
        requests.push({ method: 'POST', path, body, headers: json });
      }
      for (const method of ['PUT', 'DELETE']) requests.push({ method, path: '/oauth/token', body, headers: json });
      requests.push({ method: 'POST', path: '/.well-known/jwks.json', body, headers: json });
      requests.push({ method: 'POST', path: '/no/such/route', body, headers: json });
    }
    expect(requests.length).toBeGreaterThan(300);

    const failures: string[] = [];
    for (const r of requests) {
      // With the control token, so the control routes' own input checks are what answers.
      const headers = r.path.startsWith('/_control')
        ? { ...r.headers, [CONTROL_TOKEN_HEADER]: server.controlToken }
        : r.headers;
      const res = await fetch(`${server.url}${r.path}`, { method: r.method, headers, body: r.body });
      const text = await res.text();
      const label = `${r.method} ${r.path} [${r.headers['content-type']}] → ${res.status} ${text.slice(0, 120)}`;
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        failures.push(`not JSON: ${label}`);
        continue;
      }
      if (res.status >= 500) failures.push(`5xx: ${label}`);
      // Valid control requests (e.g. a rotation with an empty body) may succeed; errors must have the right shape.
      if (res.status < 400) continue;
      if (r.path.startsWith('/_control')) {
        const error = json.error as Record<string, unknown> | undefined;
        if (typeof error?.code !== 'string' || typeof error.request_id !== 'string' || !Array.isArray(error.details)) {
          failures.push(`not our envelope: ${label}`);
        }
      } else if (typeof json.error !== 'string' || typeof json.error_description !== 'string') {
        failures.push(`not RFC 6749 JSON: ${label}`);
      }
    }
    expect(failures).toEqual([]);

    // The endpoint still works after the barrage.
    const ok = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'lab-client',
        client_secret: 'lab-client-secret',
      }),
    });
    expect(ok.status).toBe(200);
  }, 90_000);
});
