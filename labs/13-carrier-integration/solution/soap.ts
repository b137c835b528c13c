// Done for you: the postal service's SOAP 1.2 envelope, built and read with fast-xml-parser. What the records mean,
// and how they become tracking events, is yours (events.ts).
import { XMLParser } from 'fast-xml-parser';

export const SOAP_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';
const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
const OPERATION_NS = 'http://tracking.postal.example/operationhistory';
const DATA_NS = 'http://tracking.postal.example/operationhistory/data';

const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[ch]!);

/** The getOperationHistory request for one barcode, with the login and password in the SOAP header. */
export function operationHistoryRequest(barcode: string, login: string, password: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="${SOAP12_NS}" xmlns:oper="${OPERATION_NS}" xmlns:data="${DATA_NS}">
  <soap:Header>
    <data:AuthorizationHeader soap:mustUnderstand="1">
      <data:login>${escapeXml(login)}</data:login>
      <data:password>${escapeXml(password)}</data:password>
    </data:AuthorizationHeader>
  </soap:Header>
  <soap:Body>
    <oper:getOperationHistory>
      <data:OperationHistoryRequest>
        <data:Barcode>${escapeXml(barcode)}</data:Barcode>
        <data:MessageType>0</data:MessageType>
      </data:OperationHistoryRequest>
    </oper:getOperationHistory>
  </soap:Body>
</soap:Envelope>`;
}

/** One historyRecord, flattened: the operation's type and attribute (id and name), its date as sent, and where. */
export interface PostalRecord {
  operType: number;
  operTypeName: string;
  operAttr: number;
  operAttrName: string;
  /** Local time with its offset, as the service sends it, e.g. 2026-11-22T08:41:41.021+03:00. */
  operDate: string;
  place: string;
}

const parser = new XMLParser({
  removeNSPrefix: true,
  parseTagValue: false,
  ignoreAttributes: true,
  isArray: (name) => name === 'historyRecord',
});

// Parsed XML has no static shape; the fields read below are checked as they are read.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Tree = any;

/** The records of a getOperationHistory answer (oldest first), or the SOAP fault it carries. */
export function parseOperationHistory(
  xml: string,
): { records: PostalRecord[] } | { fault: { code: string; subcode?: string; reason: string } } {
  const body: Tree = (parser.parse(xml) as Tree)?.Envelope?.Body;
  if (!body) throw new Error('the answer is not a SOAP envelope');
  if (body.Fault) {
    const fault = body.Fault;
    const reason = fault.Reason?.Text;
    return {
      fault: {
        code: String(fault.Code?.Value ?? ''),
        subcode: fault.Code?.Subcode?.Value === undefined ? undefined : String(fault.Code.Subcode.Value),
        reason: String(typeof reason === 'object' ? (reason['#text'] ?? '') : (reason ?? '')),
      },
    };
  }
  const records: Tree[] = body.getOperationHistoryResponse?.OperationHistoryData?.historyRecord ?? [];
  return {
    records: records.map((r) => ({
      operType: Number(r.OperationParameters?.OperType?.Id),
      operTypeName: String(r.OperationParameters?.OperType?.Name ?? ''),
      operAttr: Number(r.OperationParameters?.OperAttr?.Id),
      operAttrName: String(r.OperationParameters?.OperAttr?.Name ?? ''),
      operDate: String(r.OperationParameters?.OperDate ?? ''),
      place: String(r.AddressParameters?.OperationAddress?.Description ?? ''),
    })),
  };
}
