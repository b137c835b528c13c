import { XMLParser } from 'fast-xml-parser';
import { DATA_NS, OPERATION_NS, SOAP12_NS } from './postal.ts';

/*
 * What a student's client does against the carriers mock, shared by the carriers tests: build the SOAP request,
 * parse answers with fast-xml-parser the way a client would (prefixes dropped, records always a list).
 */

export function operationHistoryRequest(barcode: string, login = 'lab-user', password = 'lab-password'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="${SOAP12_NS}" xmlns:oper="${OPERATION_NS}" xmlns:data="${DATA_NS}">
  <soap:Header>
    <data:AuthorizationHeader soap:mustUnderstand="1">
      <data:login>${login}</data:login>
      <data:password>${password}</data:password>
    </data:AuthorizationHeader>
  </soap:Header>
  <soap:Body>
    <oper:getOperationHistory>
      <data:OperationHistoryRequest>
        <data:Barcode>${barcode}</data:Barcode>
        <data:MessageType>0</data:MessageType>
        <data:Language>ENG</data:Language>
      </data:OperationHistoryRequest>
    </oper:getOperationHistory>
  </soap:Body>
</soap:Envelope>`;
}

const clientParser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) => name === 'historyRecord',
});

export interface PostalRecord {
  type: string;
  typeName: string;
  attr: string;
  attrName: string;
  date: string;
  postcode: string;
  place: string;
}

// Parsed XML has no static shape; the tests assert on it.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Tree = Record<string, any>;

/** Parses a getOperationHistory answer into flat records, or a fault into { code, subcode, reason }. */
export function parsePostalAnswer(
  xml: string,
): { kind: 'history'; records: PostalRecord[] } | { kind: 'fault'; code: string; subcode?: string; reason: string } {
  const envelope = (clientParser.parse(xml) as Tree).Envelope as Tree;
  const body = envelope.Body as Tree;
  if (body.Fault) {
    const fault = body.Fault as Tree;
    const reason = fault.Reason.Text;
    return {
      kind: 'fault',
      code: fault.Code.Value,
      subcode: fault.Code.Subcode?.Value,
      reason: typeof reason === 'string' ? reason : reason['#text'],
    };
  }
  const data = body.getOperationHistoryResponse.OperationHistoryData as Tree | '';
  const records = ((data === '' ? [] : data.historyRecord) ?? []) as Tree[];
  return {
    kind: 'history',
    records: records.map((r) => ({
      type: r.OperationParameters.OperType.Id,
      typeName: r.OperationParameters.OperType.Name,
      attr: r.OperationParameters.OperAttr.Id,
      attrName: r.OperationParameters.OperAttr.Name,
      date: r.OperationParameters.OperDate,
      postcode: r.AddressParameters.OperationAddress.Index,
      place: r.AddressParameters.OperationAddress.Description,
    })),
  };
}

export async function postSoap(
  url: string,
  xml: string,
  contentType = 'application/soap+xml; charset=utf-8',
  signal?: AbortSignal,
) {
  const res = await fetch(`${url}/postal/tracking`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: xml,
    ...(signal ? { signal } : {}),
  });
  return { res, text: await res.text() };
}

export async function trackDhl(url: string, trackingNumber: string, key = 'demo-key', signal?: AbortSignal) {
  const res = await fetch(`${url}/track/shipments?trackingNumber=${encodeURIComponent(trackingNumber)}`, {
    headers: { 'DHL-API-Key': key },
    ...(signal ? { signal } : {}),
  });
  return { res, json: (await res.json()) as Tree };
}
