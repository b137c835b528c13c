// One `/_control` shape for every mock (issue #13): the same route list, reset answer, body limit, content types and
// error envelope, because every mock builds its control API with `createControlApi` (mock-servers/shared).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlFetch, MOCK_NAMES, startMock } from '../../mock-servers/index.ts';
import type { StartedMock } from '../../mock-servers/index.ts';

/** A control route of each mock that reads a JSON body. */
const JSON_ROUTE: Record<string, string> = {
  stripe: '/_control/faults',
  github: '/_control/faults',
  oauth: '/_control/tokens',
  carriers: '/_control/faults',
};

function expectEnvelope(body: unknown, code: string, said: string) {
  const error = (body as { error?: Record<string, unknown> }).error;
  expect(error?.code, said).toBe(code);
  expect(typeof error?.message, said).toBe('string');
  expect(Array.isArray(error?.details), said).toBe(true);
  expect(error?.request_id, said).toMatch(/^req_/);
  expect(Number.isNaN(Date.parse(String(error?.timestamp))), said).toBe(false);
}

describe.each(MOCK_NAMES)('the %s mock’s control API has the shared shape', (name) => {
  let mock: StartedMock;
  beforeAll(async () => {
    mock = await startMock(name);
  });
  afterAll(() => mock?.close());

  it('GET /_control lists its routes, /secrets and /reset among them', async () => {
    const res = await controlFetch(mock, '/_control');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { mock: string; routes: string[] };
    expect(body.mock).toBe(name);
    expect(body.routes).toEqual(expect.arrayContaining(['GET /_control/secrets', 'POST /_control/reset']));
    expect(body.routes).toContain(`POST ${JSON_ROUTE[name]}`);
  });

  it('POST /_control/reset answers 200 { reset: true }, with or without a body', async () => {
    for (const init of [{}, { headers: { 'content-type': 'application/json' }, body: '{}' }]) {
      const res = await controlFetch(mock, '/_control/reset', { method: 'POST', ...init });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ reset: true });
    }
  });

  it('refuses a body over 1 MiB (413), another media type (415), bad JSON and non-objects (400), in our envelope', async () => {
    const route = JSON_ROUTE[name]!;
    const post = (type: string, body: string) =>
      controlFetch(mock, route, { method: 'POST', headers: { 'content-type': type }, body });
    const cases: Array<[string, string, number, string]> = [
      ['application/json', `{"x":"${'a'.repeat(1024 * 1024)}"}`, 413, 'payload_too_large'],
      ['text/plain', '{}', 415, 'unsupported_media_type'],
      ['application/json', '{"broken', 400, 'invalid_json'],
      ['application/json', '[1,2]', 400, 'invalid_json'],
    ];
    for (const [type, body, status, code] of cases) {
      const res = await post(type, body);
      const text = await res.text();
      const said = `${name} POST ${route} [${type}, ${body.length} bytes] → ${res.status} ${text.slice(0, 200)}`;
      expect(res.status, said).toBe(status);
      expect(res.headers.get('content-type'), said).toMatch(/^application\/json/);
      expectEnvelope(JSON.parse(text), code, said);
    }
    // `+json` media types are JSON too.
    const merge = await post('application/merge-patch+json', '{"broken');
    expect(merge.status).toBe(400);
  });

  it('an unknown control route is 404 in our envelope', async () => {
    for (const [method, path] of [
      ['GET', '/_control/nowhere'],
      ['DELETE', '/_control/secrets'],
      ['POST', '/_control'],
    ] as const) {
      const res = await controlFetch(mock, path, { method });
      const said = `${name} ${method} ${path} → ${res.status}`;
      expect(res.status, said).toBe(404);
      expectEnvelope(await res.json(), 'not_found', said);
    }
  });
});
