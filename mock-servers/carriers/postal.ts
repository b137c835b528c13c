import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { limitBody, mediaType, safeEqual } from '../shared/index.ts';
import type { Place, Shipment, ShipmentClock, Stage } from './shipments.ts';

export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const OPERATION_NS = 'http://tracking.postal.example/operationhistory';
export const DATA_NS = 'http://tracking.postal.example/operationhistory/data';
const SOAP_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';

// Operation types and attributes numbered the way national posts' operation-history services number them.
const OPERATIONS: Record<Stage, { type: [number, string]; attr: [number, string] }> = {
  created: { type: [1, 'Acceptance'], attr: [1, 'Single item'] },
  'picked-up': { type: [8, 'Processing'], attr: [2, 'Left the acceptance office'] },
  'in-transit': { type: [8, 'Processing'], attr: [1, 'Sorting'] },
  arrived: { type: [8, 'Processing'], attr: [3, 'Arrived at the delivery office'] },
  'out-for-delivery': { type: [8, 'Processing'], attr: [9, 'Handed to the courier'] },
  delivered: { type: [2, 'Delivery'], attr: [1, 'Delivered to the addressee'] },
  'delivery-failed': { type: [12, 'Unsuccessful delivery attempt'], attr: [1, 'Addressee absent'] },
  returned: { type: [3, 'Return'], attr: [1, 'Storage period expired'] },
};

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  suppressEmptyNode: true,
});
// Tag values stay strings: a 14-digit barcode must not turn into a number.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: true,
});

const envelope = (body: Record<string, unknown>) =>
  builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    'env:Envelope': { '@_xmlns:env': SOAP12_NS, '@_xmlns:ns3': DATA_NS, 'env:Body': body },
  }) as string;

export type FaultCode = 'Sender' | 'Receiver' | 'VersionMismatch';

/**
 * A SOAP 1.2 fault. The HTTP status follows the SOAP 1.2 HTTP binding (Sender → 400, Receiver → 500) except where a
 * caller passes another, e.g. 415 for a wrong media type or 503 for an injected outage.
 */
export function soapFault(
  c: Context,
  code: FaultCode,
  reason: string,
  options: { subcode?: string; status?: ContentfulStatusCode } = {},
): Response {
  const status = options.status ?? (code === 'Receiver' ? 500 : 400);
  const xml = envelope({
    'env:Fault': {
      'env:Code': {
        'env:Value': `env:${code}`,
        ...(options.subcode ? { 'env:Subcode': { 'env:Value': `ns3:${options.subcode}` } } : {}),
      },
      'env:Reason': { 'env:Text': { '@_xml:lang': 'en', '#text': reason } },
    },
  });
  return c.body(xml, status, { 'Content-Type': SOAP_CONTENT_TYPE });
}

type XmlNode = Record<string, unknown>;
const isNode = (v: unknown): v is XmlNode => typeof v === 'object' && v !== null && !Array.isArray(v);
const localName = (key: string) => key.slice(key.indexOf(':') + 1);

/** The one child element with this local name; undefined when absent, 'many' when repeated. */
function child(node: XmlNode, name: string): { key: string; value: unknown } | 'many' | undefined {
  const keys = Object.keys(node).filter((k) => !k.startsWith('@_') && k !== '#text' && localName(k) === name);
  if (keys.length === 0) return undefined;
  const value = node[keys[0]!];
  if (keys.length > 1 || Array.isArray(value)) return 'many';
  return { key: keys[0]!, value };
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (isNode(value) && typeof value['#text'] === 'string') return value['#text'].trim();
  if (value === '' || (isNode(value) && Object.keys(value).every((k) => k.startsWith('@_')))) return '';
  return undefined;
}

/** Resolves the namespace of an element name against the declarations in scope (innermost first). */
function namespaceOf(key: string, scopes: XmlNode[]): string | undefined {
  const colon = key.indexOf(':');
  const attribute = colon === -1 ? '@_xmlns' : `@_xmlns:${key.slice(0, colon)}`;
  for (const scope of scopes) {
    if (typeof scope[attribute] === 'string') return scope[attribute];
  }
  return undefined;
}

function historyRecord(shipment: Shipment, clock: ShipmentClock, stage: Stage, place: Place, atWorldMs: number) {
  const op = OPERATIONS[stage];
  const address = (p: Place) => ({ 'ns3:Index': p.postcode, 'ns3:Description': p.city });
  return {
    'ns3:AddressParameters': {
      'ns3:DestinationAddress': address(shipment.destination),
      'ns3:OperationAddress': address(place),
      'ns3:MailDirect': { 'ns3:Id': '643', 'ns3:Code2A': 'RU', 'ns3:NameEN': 'Russian Federation' },
    },
    'ns3:ItemParameters': { 'ns3:Barcode': shipment.trackingNumber, 'ns3:ComplexItemName': 'Parcel' },
    'ns3:OperationParameters': {
      'ns3:OperType': { 'ns3:Id': String(op.type[0]), 'ns3:Name': op.type[1] },
      'ns3:OperAttr': { 'ns3:Id': String(op.attr[0]), 'ns3:Name': op.attr[1] },
      'ns3:OperDate': moscowTime(clock.realTimeOf(atWorldMs)),
    },
  };
}

/** Local time with its offset, as the postal service reports it (UTC+3 all year): students must normalise it. */
function moscowTime(date: Date): string {
  const shifted = new Date(date.getTime() + 3 * 3_600_000);
  return `${shifted.toISOString().slice(0, 23)}+03:00`;
}

export interface PostalDeps {
  credentials: () => { login: string; password: string };
  find: (barcode: string) => Shipment | undefined;
  clock: ShipmentClock;
}

/**
 * `POST /postal/tracking`: a SOAP 1.2 operation-history service, one operation: getOperationHistory. Mounted at
 * `/postal` (`app.route('/postal', postalRoutes(deps))`), after the fault injection that applies to it.
 */
export function postalRoutes(deps: PostalDeps): Hono {
  const app = new Hono();
  app.use(
    '*',
    limitBody(64 * 1024, (c) => soapFault(c, 'Sender', 'The request is larger than 64 KiB.', { status: 413 })),
  );
  app.post('/tracking', async (c) => {
    const type = mediaType(c);
    if (type !== 'application/soap+xml') {
      const hint = type === 'text/xml' ? ' (text/xml is SOAP 1.1; this service speaks SOAP 1.2)' : '';
      return soapFault(c, 'Sender', `Content-Type must be application/soap+xml${hint}.`, { status: 415 });
    }
    const xml = await c.req.text();
    // SOAP 1.2 forbids DTDs in messages; refusing them also shuts out entity-expansion bombs.
    if (/<!DOCTYPE/i.test(xml))
      return soapFault(c, 'Sender', 'A SOAP message must not contain a document type declaration.');
    const valid = XMLValidator.validate(xml);
    if (valid !== true) {
      return soapFault(c, 'Sender', `The request is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}).`);
    }
    let doc: XmlNode;
    try {
      doc = parser.parse(xml) as XmlNode;
    } catch (err) {
      return soapFault(c, 'Sender', `The request could not be parsed: ${(err as Error).message}`);
    }

    const rootKeys = Object.keys(doc).filter((k) => !k.startsWith('?'));
    const rootKey = rootKeys[0];
    const root = rootKey === undefined ? undefined : doc[rootKey];
    if (rootKeys.length !== 1 || rootKey === undefined || localName(rootKey) !== 'Envelope' || !isNode(root)) {
      return soapFault(c, 'Sender', 'The document element must be a SOAP Envelope.');
    }
    const envelopeNs = namespaceOf(rootKey, [root]);
    if (envelopeNs !== SOAP12_NS) {
      // SOAP 1.2 sends VersionMismatch with a 500; bad input here is answered with 400 so that a client counting 5xx
      // responses sees only the outages it asked for.
      const found = envelopeNs === SOAP11_NS ? 'a SOAP 1.1 envelope' : `namespace "${envelopeNs ?? 'none'}"`;
      return soapFault(c, 'VersionMismatch', `Expected a SOAP 1.2 envelope (${SOAP12_NS}), got ${found}.`, {
        status: 400,
      });
    }

    const header = child(root, 'Header');
    const auth = isNode(header) && isNode(header.value) ? child(header.value, 'AuthorizationHeader') : undefined;
    if (!isNode(auth) || !isNode(auth.value)) {
      return soapFault(c, 'Sender', 'The SOAP Header must carry an AuthorizationHeader with login and password.', {
        subcode: 'AuthorizationFault',
      });
    }
    const headerScopes = [auth.value, ...(isNode(header) && isNode(header.value) ? [header.value] : []), root];
    const authNs = namespaceOf(auth.key, headerScopes);
    if (authNs !== DATA_NS) {
      return soapFault(
        c,
        'Sender',
        `AuthorizationHeader must be in the namespace ${DATA_NS}, not ${authNs ?? 'none'}.`,
        {
          subcode: 'AuthorizationFault',
        },
      );
    }
    const login = child(auth.value, 'login');
    const password = child(auth.value, 'password');
    for (const [name, element] of [
      ['login', login],
      ['password', password],
    ] as const) {
      if (!isNode(element)) continue;
      const ns = namespaceOf(element.key, [...(isNode(element.value) ? [element.value] : []), ...headerScopes]);
      if (ns !== DATA_NS) {
        return soapFault(c, 'Sender', `${name} must be in the namespace ${DATA_NS}, not ${ns ?? 'none'}.`, {
          subcode: 'AuthorizationFault',
        });
      }
    }
    const given = {
      login: isNode(login) ? text(login.value) : undefined,
      password: isNode(password) ? text(password.value) : undefined,
    };
    const expected = deps.credentials();
    if (
      given.login === undefined ||
      given.password === undefined ||
      !safeEqual(given.login, expected.login) ||
      !safeEqual(given.password, expected.password)
    ) {
      return soapFault(c, 'Sender', 'Wrong login or password.', { subcode: 'AuthorizationFault' });
    }

    const body = child(root, 'Body');
    if (!isNode(body) || !isNode(body.value)) return soapFault(c, 'Sender', 'The envelope has no Body.');
    const operationKeys = Object.keys(body.value).filter((k) => !k.startsWith('@_') && k !== '#text');
    const operationKey = operationKeys[0];
    const operation = operationKey === undefined ? undefined : body.value[operationKey];
    if (operationKeys.length !== 1 || operationKey === undefined || !isNode(operation)) {
      return soapFault(c, 'Sender', 'The Body must hold exactly one operation element.');
    }
    const operationNs = namespaceOf(operationKey, [operation, body.value, root]);
    if (localName(operationKey) !== 'getOperationHistory' || operationNs !== OPERATION_NS) {
      return soapFault(
        c,
        'Sender',
        `Unknown operation {${operationNs ?? ''}}${localName(operationKey)}; this service has getOperationHistory in ${OPERATION_NS}.`,
      );
    }
    const request = child(operation, 'OperationHistoryRequest');
    const operationScopes = [operation, body.value, root];
    if (isNode(request)) {
      const ns = namespaceOf(request.key, [...(isNode(request.value) ? [request.value] : []), ...operationScopes]);
      if (ns !== DATA_NS) {
        return soapFault(
          c,
          'Sender',
          `OperationHistoryRequest must be in the namespace ${DATA_NS}, not ${ns ?? 'none'}.`,
          {
            subcode: 'OperationHistoryFault',
          },
        );
      }
    }
    const holder = isNode(request) && isNode(request.value) ? request.value : operation;
    const barcodeElement = child(holder, 'Barcode');
    if (isNode(barcodeElement)) {
      const scopes = [
        ...(isNode(barcodeElement.value) ? [barcodeElement.value] : []),
        ...(holder === operation ? [] : [holder]),
        ...operationScopes,
      ];
      const ns = namespaceOf(barcodeElement.key, scopes);
      if (ns !== DATA_NS) {
        return soapFault(c, 'Sender', `Barcode must be in the namespace ${DATA_NS}, not ${ns ?? 'none'}.`, {
          subcode: 'OperationHistoryFault',
        });
      }
    }
    const barcode = isNode(barcodeElement) ? text(barcodeElement.value)?.toUpperCase() : undefined;
    if (barcode === undefined || barcode === '') {
      return soapFault(c, 'Sender', 'OperationHistoryRequest must hold exactly one Barcode.', {
        subcode: 'OperationHistoryFault',
      });
    }
    if (!/^([A-Z]{2}\d{9}[A-Z]{2}|\d{14})$/.test(barcode)) {
      return soapFault(c, 'Sender', `"${barcode.slice(0, 40)}" is not a barcode (13-character S10 or 14 digits).`, {
        subcode: 'OperationHistoryFault',
      });
    }
    const shipment = deps.find(barcode);
    if (!shipment) {
      return soapFault(c, 'Sender', `No postal item with barcode ${barcode}.`, { subcode: 'OperationHistoryFault' });
    }

    const records = deps.clock
      .visibleEvents(shipment)
      .map((e) => historyRecord(shipment, deps.clock, e.stage, e.place, e.atWorldMs));
    const xmlOut = builder.build({
      '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
      'S:Envelope': {
        '@_xmlns:S': SOAP12_NS,
        'S:Body': {
          'ns2:getOperationHistoryResponse': {
            '@_xmlns:ns2': OPERATION_NS,
            '@_xmlns:ns3': DATA_NS,
            'ns3:OperationHistoryData': { 'ns3:historyRecord': records },
          },
        },
      },
    }) as string;
    return c.body(xmlOut, 200, { 'Content-Type': SOAP_CONTENT_TYPE });
  });
  // The service description, as SOAP services publish it: GET …/tracking?wsdl.
  app.get('/tracking', (c) => {
    if (c.req.query('wsdl') === undefined && c.req.query('WSDL') === undefined) {
      c.header('Allow', 'POST');
      return soapFault(c, 'Sender', 'This SOAP endpoint accepts POST only (GET ?wsdl for its description).', {
        status: 405,
      });
    }
    const url = new URL(c.req.url);
    return c.body(wsdl(`${url.origin}${url.pathname}`), 200, { 'Content-Type': 'text/xml; charset=utf-8' });
  });
  app.all('/tracking', (c) => {
    c.header('Allow', 'POST');
    return soapFault(c, 'Sender', 'This SOAP endpoint accepts POST only (GET ?wsdl for its description).', {
      status: 405,
    });
  });
  return app;
}

/**
 * A WSDL 1.1 description of the service with a SOAP 1.2 binding: the one operation, its request and answer types,
 * the fault, and the header carrying the credentials. Enough for a WSDL-driven client (e.g. the `soap` package) to
 * build its calls; the mock itself checks requests by hand (`postalRoutes`).
 */
export function wsdl(address: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="OperationHistory"
    targetNamespace="${OPERATION_NS}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="${OPERATION_NS}"
    xmlns:data="${DATA_NS}">
  <wsdl:types>
    <xs:schema targetNamespace="${DATA_NS}" elementFormDefault="qualified">
      <xs:element name="AuthorizationHeader">
        <xs:complexType><xs:sequence>
          <xs:element name="login" type="xs:string"/>
          <xs:element name="password" type="xs:string"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="OperationHistoryRequest">
        <xs:complexType><xs:sequence>
          <xs:element name="Barcode" type="xs:string"/>
          <xs:element name="MessageType" type="xs:int" minOccurs="0"/>
          <xs:element name="Language" type="xs:string" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:complexType name="IdName"><xs:sequence>
        <xs:element name="Id" type="xs:int"/>
        <xs:element name="Name" type="xs:string"/>
      </xs:sequence></xs:complexType>
      <xs:complexType name="Address"><xs:sequence>
        <xs:element name="Index" type="xs:string" minOccurs="0"/>
        <xs:element name="Description" type="xs:string" minOccurs="0"/>
      </xs:sequence></xs:complexType>
      <xs:element name="OperationHistoryData">
        <xs:complexType><xs:sequence>
          <xs:element name="historyRecord" minOccurs="0" maxOccurs="unbounded">
            <xs:complexType><xs:sequence>
              <xs:element name="AddressParameters"><xs:complexType><xs:sequence>
                <xs:element name="DestinationAddress" type="data:Address"/>
                <xs:element name="OperationAddress" type="data:Address"/>
                <xs:element name="MailDirect" minOccurs="0"><xs:complexType><xs:sequence>
                  <xs:element name="Id" type="xs:int"/>
                  <xs:element name="Code2A" type="xs:string"/>
                  <xs:element name="NameEN" type="xs:string"/>
                </xs:sequence></xs:complexType></xs:element>
              </xs:sequence></xs:complexType></xs:element>
              <xs:element name="ItemParameters"><xs:complexType><xs:sequence>
                <xs:element name="Barcode" type="xs:string"/>
                <xs:element name="ComplexItemName" type="xs:string"/>
              </xs:sequence></xs:complexType></xs:element>
              <xs:element name="OperationParameters"><xs:complexType><xs:sequence>
                <xs:element name="OperType" type="data:IdName"/>
                <xs:element name="OperAttr" type="data:IdName"/>
                <xs:element name="OperDate" type="xs:dateTime"/>
              </xs:sequence></xs:complexType></xs:element>
            </xs:sequence></xs:complexType>
          </xs:element>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="AuthorizationFault" type="xs:string"/>
      <xs:element name="OperationHistoryFault" type="xs:string"/>
    </xs:schema>
    <xs:schema targetNamespace="${OPERATION_NS}" elementFormDefault="qualified">
      <xs:import namespace="${DATA_NS}"/>
      <xs:element name="getOperationHistory">
        <xs:complexType><xs:sequence><xs:element ref="data:OperationHistoryRequest"/></xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="getOperationHistoryResponse">
        <xs:complexType><xs:sequence><xs:element ref="data:OperationHistoryData"/></xs:sequence></xs:complexType>
      </xs:element>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="getOperationHistoryRequest">
    <wsdl:part name="parameters" element="tns:getOperationHistory"/>
    <wsdl:part name="auth" element="data:AuthorizationHeader"/>
  </wsdl:message>
  <wsdl:message name="getOperationHistoryResponse">
    <wsdl:part name="parameters" element="tns:getOperationHistoryResponse"/>
  </wsdl:message>
  <wsdl:message name="AuthorizationFault"><wsdl:part name="fault" element="data:AuthorizationFault"/></wsdl:message>
  <wsdl:message name="OperationHistoryFault"><wsdl:part name="fault" element="data:OperationHistoryFault"/></wsdl:message>
  <wsdl:portType name="OperationHistory">
    <wsdl:operation name="getOperationHistory">
      <wsdl:input message="tns:getOperationHistoryRequest"/>
      <wsdl:output message="tns:getOperationHistoryResponse"/>
      <wsdl:fault name="AuthorizationFault" message="tns:AuthorizationFault"/>
      <wsdl:fault name="OperationHistoryFault" message="tns:OperationHistoryFault"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="OperationHistorySoap12" type="tns:OperationHistory">
    <soap12:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="getOperationHistory">
      <soap12:operation soapAction="" style="document"/>
      <wsdl:input>
        <soap12:header message="tns:getOperationHistoryRequest" part="auth" use="literal"/>
        <soap12:body parts="parameters" use="literal"/>
      </wsdl:input>
      <wsdl:output><soap12:body use="literal"/></wsdl:output>
      <wsdl:fault name="AuthorizationFault"><soap12:fault name="AuthorizationFault" use="literal"/></wsdl:fault>
      <wsdl:fault name="OperationHistoryFault"><soap12:fault name="OperationHistoryFault" use="literal"/></wsdl:fault>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="OperationHistoryService">
    <wsdl:port name="OperationHistorySoap12" binding="tns:OperationHistorySoap12">
      <soap12:address location="${escapeXml(address)}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}

const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[ch]!);
