import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_TOKEN_HEADER, listenMock } from '../../../mock-servers/shared/index.ts';
import { createCarriersMock } from '../../../mock-servers/carriers/index.ts';
import { operationHistoryRequest, parsePostalAnswer } from '../../../mock-servers/carriers/test-client.ts';

const valid = operationHistoryRequest('RA000000000RU');
const XML_BODIES: (string | Uint8Array<ArrayBuffer>)[] = [
  '',
  'not xml at all',
  '{"Barcode":"RA000000000RU"}',
  valid.slice(0, 200),
  valid.replace('</soap:Body>', ''),
  valid.replace('<soap:Body>', '<soap:Body><x:other xmlns:x="urn:x"/>'),
  valid.replace(/<soap:Body>[\s\S]*<\/soap:Body>/, ''),
  valid.replace(/<data:Barcode>.*<\/data:Barcode>/, '<data:Barcode><b>RA</b></data:Barcode>'),
  valid.replace(/<data:Barcode>.*<\/data:Barcode>/, '<data:Barcode>A</data:Barcode><data:Barcode>B</data:Barcode>'),
  valid.replace(/<data:login>.*<\/data:login>/, '<data:login><nested/></data:login>'),
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>',
  '<Envelope/>',
  '<a><b></a></b>',
  `${'<a>'.repeat(3000)}${'</a>'.repeat(3000)}`,
  `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>${'x'.repeat(70_000)}</soap:Body></soap:Envelope>`,
  Uint8Array.from([0x3c, 0xff, 0xfe, 0x00, 0x3e, 0xc3, 0x28]),
  '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>&unknown;</soap:Body></soap:Envelope>',
];
const XML_TYPES = [
  'application/soap+xml; charset=utf-8',
  'application/soap+xml',
  'text/xml',
  'application/json',
  undefined,
];
const QUERIES = [
  '',
  '?trackingNumber',
  '?trackingNumber=%ZZ',
  '?trackingNumber=%00%00%00%00',
  '?trackingNumber=' + 'x'.repeat(5000),
  '?trackingNumber=%F0%9F%93%A6%F0%9F%93%A6',
  "?trackingNumber=1'%20OR%201=1--",
  '?trackingNumber=0000000000&service=',
  '?trackingNumber[]=1&trackingNumber[x]=2',
  '?&&&==',
];
const KEYS = [undefined, '', 'demo-key', 'DEMO-KEY', 'k'.repeat(4000), 'démo'];

describe('bad input never breaks the carriers mock', () => {
  const carriers = createCarriersMock({ rateLimit: { limit: 100_000, windowSeconds: 60 } });
  let server: Awaited<ReturnType<typeof listenMock>>;
  beforeAll(async () => {
    server = await listenMock(carriers);
  });
  afterAll(() => server.close());

  it('answers hundreds of malformed requests in each area’s own error shape, never a 5xx', async () => {
    const requests: {
      method: string;
      path: string;
      headers: Record<string, string>;
      body?: string | Uint8Array<ArrayBuffer>;
    }[] = [];
    for (const query of QUERIES) {
      for (const key of KEYS) {
        // Header values must be ByteStrings for fetch; send the non-Latin-1 key percent-encoded as a client library would.
        const headers: Record<string, string> = key === undefined ? {} : { 'DHL-API-Key': encodeURI(key) };
        requests.push({ method: 'GET', path: `/track/shipments${query}`, headers });
      }
      requests.push({ method: 'DELETE', path: `/track/shipments${query}`, headers: { 'DHL-API-Key': 'demo-key' } });
    }
    for (const body of XML_BODIES) {
      for (const type of XML_TYPES) {
        const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
        requests.push({ method: 'POST', path: '/postal/tracking', headers, body });
      }
      const soap = { 'content-type': 'application/soap+xml' };
      requests.push({ method: 'PUT', path: '/postal/tracking', headers: soap, body });
      requests.push({ method: 'POST', path: '/postal/other', headers: soap, body });
      requests.push({ method: 'POST', path: '/track/shipments', headers: soap, body });
      for (const path of ['/_control/faults', '/_control/shipments', '/_control/rate-limit', '/_control/unknown']) {
        requests.push({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body });
      }
    }
    for (const path of ['/', '/track', '/track/shipments/123', '/postal', '/%2e%2e/etc/passwd', '/_control']) {
      requests.push({ method: 'GET', path, headers: {} });
    }
    expect(requests.length).toBeGreaterThan(250);

    const failures: string[] = [];
    for (const r of requests) {
      // With the control token, so the control routes' own input checks are what answers.
      const headers = r.path.startsWith('/_control')
        ? { ...r.headers, [CONTROL_TOKEN_HEADER]: server.controlToken }
        : r.headers;
      const res = await fetch(`${server.url}${r.path}`, {
        method: r.method,
        headers,
        ...(r.body === undefined ? {} : { body: r.body }),
      });
      const text = await res.text();
      const type = res.headers.get('content-type') ?? '';
      const label = `${r.method} ${r.path.slice(0, 60)} [${r.headers['content-type'] ?? ''}] → ${res.status} ${text.slice(0, 100)}`;
      if (res.status >= 500) failures.push(`5xx: ${label}`);
      if (res.status < 400) continue; // e.g. the right key and a well-formed query for a known number
      if (r.path.startsWith('/_control')) {
        const error = (JSON.parse(text) as { error?: { code?: unknown; request_id?: unknown } }).error;
        if (typeof error?.code !== 'string' || typeof error.request_id !== 'string')
          failures.push(`not our envelope: ${label}`);
      } else if (r.path.startsWith('/postal')) {
        const answer = type.startsWith('application/soap+xml') ? parsePostalAnswer(text) : undefined;
        if (answer?.kind !== 'fault' || !/^env:(Sender|Receiver|VersionMismatch)$/.test(answer.code))
          failures.push(`not a SOAP fault: ${label}`);
      } else {
        const problem = type === 'application/problem+json' ? (JSON.parse(text) as Record<string, unknown>) : {};
        if (
          problem.status !== res.status ||
          typeof problem.title !== 'string' ||
          typeof problem.detail !== 'string' ||
          typeof problem.type !== 'string'
        ) {
          failures.push(`not problem+json: ${label}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(carriers.control.requests().filter((r) => r.status >= 500)).toEqual([]);
  }, 90_000);
});
