import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenMock } from '../../../mock-servers/shared/index.ts';
import { createCarriersMock } from '../../../mock-servers/carriers/index.ts';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DATA_NS, OPERATION_NS, SOAP12_NS } from '../../../mock-servers/carriers/postal.ts';
import { operationHistoryRequest, parsePostalAnswer, postSoap } from '../../../mock-servers/carriers/test-client.ts';

describe('postal SOAP 1.2 operation history', () => {
  const carriers = createCarriersMock({ seed: 'postal-test', postal: { login: 'shop-17', password: 'pa55' } });
  let server: Awaited<ReturnType<typeof listenMock>>;
  const barcode = (scenario: string) =>
    carriers.control.shipments().find((s) => s.api === 'postal' && s.scenario === scenario)!.trackingNumber;
  const ask = (xml: string, type?: string) => postSoap(server.url, xml, type);
  beforeAll(async () => {
    server = await listenMock(carriers);
  });
  afterAll(() => server.close());

  it('seeds S10 barcodes with a valid check digit', () => {
    for (const s of carriers.control.shipments().filter((x) => x.api === 'postal')) {
      expect(s.trackingNumber).toMatch(/^[A-Z]{2}\d{9}RU$/);
      const digits = [...s.trackingNumber.slice(2, 10)].map(Number);
      const sum = digits.reduce((acc, d, i) => acc + d * [8, 6, 4, 2, 3, 5, 9, 7][i]!, 0);
      const check = 11 - (sum % 11);
      expect(Number(s.trackingNumber[10])).toBe(check === 10 ? 0 : check === 11 ? 5 : check);
    }
  });

  it('returns the whole history of a delivered item, oldest first, with places and local times', async () => {
    const { res, text } = await ask(operationHistoryRequest(barcode('delivered'), 'shop-17', 'pa55'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/soap+xml; charset=utf-8');
    const answer = parsePostalAnswer(text);
    if (answer.kind !== 'history') throw new Error(text);
    expect(answer.records.map((r) => r.typeName)).toEqual([
      'Acceptance',
      'Processing',
      'Processing',
      'Processing',
      'Processing',
      'Delivery',
    ]);
    expect(answer.records[0]).toMatchObject({ type: '1', attr: '1' });
    expect(answer.records.at(-1)).toMatchObject({ type: '2', attrName: 'Delivered to the addressee' });
    for (const r of answer.records) {
      expect(r.postcode).toMatch(/^\d{6}$/);
      expect(r.place).not.toBe('');
      expect(r.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+03:00$/);
    }
    const times = answer.records.map((r) => Date.parse(r.date));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(Math.max(...times)).toBeLessThanOrEqual(Date.now());
  });

  it('answers an item with no operations yet with an empty history, not a fault', async () => {
    const answer = parsePostalAnswer((await ask(operationHistoryRequest(barcode('unknown'), 'shop-17', 'pa55'))).text);
    expect(answer).toEqual({ kind: 'history', records: [] });
  });

  it('accepts any prefixes, as XML namespaces mean', async () => {
    const xml = operationHistoryRequest(barcode('delivered'), 'shop-17', 'pa55')
      .replaceAll('soap:', 'e:')
      .replace('xmlns:soap=', 'xmlns:e=')
      .replaceAll('oper:', 'op:')
      .replace('xmlns:oper=', 'xmlns:op=');
    const { res } = await ask(xml);
    expect(res.status).toBe(200);
  });

  it('accepts the data elements in a default namespace declared on them', async () => {
    const xml = operationHistoryRequest(barcode('delivered'), 'shop-17', 'pa55').replace(
      /<data:Barcode>(\w+)<\/data:Barcode>/,
      `<Barcode xmlns="${DATA_NS}">$1</Barcode>`,
    );
    const { res, text } = await ask(xml);
    expect(res.status, text).toBe(200);
  });

  it('describes itself in a WSDL with a SOAP 1.2 binding at GET ?wsdl', async () => {
    const res = await fetch(`${server.url}/postal/tracking?wsdl`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    const text = await res.text();
    expect(XMLValidator.validate(text)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(text);
    const definitions = doc['wsdl:definitions'];
    expect(definitions.targetNamespace).toBe(OPERATION_NS);
    expect(definitions['wsdl:portType']['wsdl:operation'].name).toBe('getOperationHistory');
    expect(definitions['wsdl:binding']['soap12:binding'].style).toBe('document');
    expect(definitions['wsdl:service']['wsdl:port']['soap12:address'].location).toBe(`${server.url}/postal/tracking`);
    const schemas = definitions['wsdl:types']['xs:schema'];
    expect(schemas.map((x: { targetNamespace: string }) => x.targetNamespace)).toEqual([DATA_NS, OPERATION_NS]);
  });

  const faults: {
    name: string;
    xml: () => string;
    type?: string;
    status: number;
    code: string;
    subcode?: string;
    reason: RegExp;
  }[] = [
    {
      name: 'wrong password',
      xml: () => operationHistoryRequest(barcode('delivered'), 'shop-17', 'nope'),
      status: 400,
      code: 'env:Sender',
      subcode: 'ns3:AuthorizationFault',
      reason: /login or password/,
    },
    {
      name: 'unknown barcode',
      xml: () => operationHistoryRequest('RA000000000RU', 'shop-17', 'pa55'),
      status: 400,
      code: 'env:Sender',
      subcode: 'ns3:OperationHistoryFault',
      reason: /No postal item/,
    },
    {
      name: 'malformed barcode',
      xml: () => operationHistoryRequest('12-34', 'shop-17', 'pa55'),
      status: 400,
      code: 'env:Sender',
      subcode: 'ns3:OperationHistoryFault',
      reason: /not a barcode/,
    },
    {
      name: 'no SOAP header',
      xml: () => operationHistoryRequest('RA000000000RU').replace(/<soap:Header>[\s\S]*<\/soap:Header>/, ''),
      status: 400,
      code: 'env:Sender',
      subcode: 'ns3:AuthorizationFault',
      reason: /AuthorizationHeader/,
    },
    {
      name: 'XML cut in half',
      xml: () => operationHistoryRequest('RA000000000RU', 'shop-17', 'pa55').slice(0, 300),
      status: 400,
      code: 'env:Sender',
      reason: /not well-formed/,
    },
    {
      name: 'a DTD',
      xml: () =>
        `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>${operationHistoryRequest('RA000000000RU').replace(/<\?xml[^>]*>/, '')}`,
      status: 400,
      code: 'env:Sender',
      reason: /document type/,
    },
    {
      name: 'a SOAP 1.1 envelope',
      xml: () =>
        operationHistoryRequest(barcode('delivered'), 'shop-17', 'pa55').replace(
          SOAP12_NS,
          'http://schemas.xmlsoap.org/soap/envelope/',
        ),
      status: 400,
      code: 'env:VersionMismatch',
      reason: /SOAP 1\.1/,
    },
    {
      name: 'an unknown operation',
      xml: () =>
        operationHistoryRequest(barcode('delivered'), 'shop-17', 'pa55').replaceAll(
          'getOperationHistory>',
          'getEverything>',
        ),
      status: 400,
      code: 'env:Sender',
      reason: /Unknown operation/,
    },
    {
      name: 'a Barcode outside the data namespace',
      xml: () =>
        operationHistoryRequest(barcode('delivered'), 'shop-17', 'pa55').replace(
          /<data:Barcode>(\w+)<\/data:Barcode>/,
          '<Barcode>$1</Barcode>',
        ),
      status: 400,
      code: 'env:Sender',
      subcode: 'ns3:OperationHistoryFault',
      reason: /Barcode must be in the namespace http:\/\/tracking\.postal\.example\/operationhistory\/data, not none/,
    },
    {
      name: 'an OperationHistoryRequest in the operation namespace',
      xml: () =>
        operationHistoryRequest(barcode('delivered'), 'shop-17', 'pa55').replaceAll(
          'data:OperationHistoryRequest>',
          'oper:OperationHistoryRequest>',
        ),
      status: 400,
      code: 'env:Sender',
      subcode: 'ns3:OperationHistoryFault',
      reason:
        /OperationHistoryRequest must be in the namespace .*operationhistory\/data, not http:\/\/tracking\.postal\.example\/operationhistory\./,
    },
    {
      name: 'an AuthorizationHeader of another service',
      xml: () =>
        operationHistoryRequest(barcode('delivered'), 'shop-17', 'pa55')
          .replace('xmlns:data=', 'xmlns:auth="http://example.com/auth" xmlns:data=')
          .replaceAll('data:AuthorizationHeader', 'auth:AuthorizationHeader'),
      status: 400,
      code: 'env:Sender',
      subcode: 'ns3:AuthorizationFault',
      reason: /AuthorizationHeader must be in the namespace .*, not http:\/\/example\.com\/auth\./,
    },
    {
      name: 'text/xml (SOAP 1.1 media type)',
      xml: () => operationHistoryRequest(barcode('delivered'), 'shop-17', 'pa55'),
      type: 'text/xml; charset=utf-8',
      status: 415,
      code: 'env:Sender',
      reason: /SOAP 1\.1/,
    },
    {
      name: 'JSON',
      xml: () => '{"barcode":"RA000000000RU"}',
      type: 'application/json',
      status: 415,
      code: 'env:Sender',
      reason: /application\/soap\+xml/,
    },
  ];
  for (const f of faults) {
    it(`answers a SOAP fault (${f.code}, ${f.status}) to ${f.name}`, async () => {
      const { res, text } = await ask(f.xml(), f.type);
      expect(res.status).toBe(f.status);
      expect(res.headers.get('content-type')).toBe('application/soap+xml; charset=utf-8');
      const answer = parsePostalAnswer(text);
      if (answer.kind !== 'fault') throw new Error(`expected a fault, got ${text}`);
      expect(answer.code).toBe(f.code);
      if (f.subcode) expect(answer.subcode).toBe(f.subcode);
      expect(answer.reason).toMatch(f.reason);
    });
  }

  it('answers a GET with 405 and a fault', async () => {
    const res = await fetch(`${server.url}/postal/tracking`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(parsePostalAnswer(await res.text())).toMatchObject({ kind: 'fault', code: 'env:Sender' });
  });
});
