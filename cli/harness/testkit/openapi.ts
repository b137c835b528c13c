// An API's OpenAPI document, as tests judge it: is it valid OpenAPI 3.0 or 3.1 (Scalar's parser checks it against
// the specification's schemas and its rules on path parameters and references), which operations does it describe,
// and does a response the API really gave match what the document says for that path, method and status (Ajv,
// with the JSON Schema dialect OpenAPI 3.1 uses; a 3.0 document is upgraded to 3.1 first, which rewrites `nullable`
// and the other 3.0-only spellings).
import { upgrade, validate } from '@scalar/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const DOCUMENT_ID = 'urn:openapi:document';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `/v1/customers/{id}/orders` and `/v1/customers/{customerId}/orders` are one path: names of parameters differ. */
const pathShape = (path: string) => path.replace(/\{[^}/]*\}/g, '{}');

const escapePointer = (part: string) => part.replace(/~/g, '~0').replace(/\//g, '~1');

/** What is wrong with `document` as an OpenAPI 3.0 or 3.1 document; empty when nothing is. */
export async function openApiProblems(document: unknown): Promise<string[]> {
  if (!isObject(document)) return ['the document is not a JSON object'];
  const version = document.openapi;
  if (typeof version !== 'string' || !/^3\.[01]\.\d+/.test(version)) {
    return [`"openapi" must name version 3.0.x or 3.1.x, and it is ${JSON.stringify(version ?? null)}`];
  }
  // validate() may fill in what it forgives (a missing info.version): it gets a copy.
  const { valid, errors } = await validate(structuredClone(document));
  if (valid) return [];
  return (errors ?? []).map((e) => {
    const where = Array.isArray(e.path) ? `/${e.path.join('/')}` : (e.path ?? '');
    return where ? `${where}: ${e.message}` : e.message;
  });
}

/** A reply as a test saw it: http()'s answer from #testkit, or a Response read into these fields. */
export interface SeenReply {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * One API's document, ready to judge replies. `check` answers what does not match, in words a student can act on,
 * or `undefined` when the document does not describe the operation at all (that is the document's coverage, which
 * a test judges on its own).
 */
export class OpenApiContract {
  readonly document: Json;
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ReturnType<Ajv2020['compile']> | Error>();

  private constructor(document: Json) {
    this.document = document;
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    (addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020)(this.ajv);
    // The whole document is one schema resource, so `$ref: '#/components/schemas/Order'` inside any schema resolves
    // against it, recursive schemas included.
    this.ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  }

  /** Any JSON value; a 3.0 document is upgraded to 3.1. Valid OpenAPI is `openApiProblems`'s business, not this. */
  static from(document: unknown): OpenApiContract {
    if (!isObject(document)) throw new Error('the OpenAPI document is not a JSON object');
    const { specification } = upgrade(structuredClone(document));
    return new OpenApiContract(specification as unknown as Json);
  }

  /** Does the document describe `method path` (`path` as a template; parameter names do not matter)? */
  describes(method: string, path: string): boolean {
    return this.operationPointer(method, path) !== undefined;
  }

  /**
   * What is wrong with `reply` as the answer to `method path` (`path` as a template, `/v1/orders/{id}`): an
   * undocumented status or media type, a missing schema, or a body the schema refuses. `undefined` when the document
   * has no such operation.
   */
  check(method: string, path: string, reply: SeenReply): string[] | undefined {
    const what = `${method.toUpperCase()} ${path} answered ${reply.status}`;
    const operation = this.operationPointer(method, path);
    if (operation === undefined) return undefined;
    const responses = this.follow(`${operation}/responses`);
    const statusKey = isObject(responses.node) ? statusKeyFor(responses.node, reply.status) : undefined;
    if (statusKey === undefined) {
      return [
        `${what}, and the document lists no response for ${reply.status} (nor ${Math.floor(reply.status / 100)}XX or default) under ${method.toUpperCase()} ${path}`,
      ];
    }
    const response = this.follow(`${responses.pointer}/${escapePointer(statusKey)}`);
    if (reply.text === '') return []; // no body (204, 304): nothing for a schema to say
    const mediaType = (reply.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const content = isObject(response.node) ? response.node.content : undefined;
    const mediaKey = isObject(content) ? mediaKeyFor(content, mediaType) : undefined;
    if (!isObject(content) || mediaKey === undefined) {
      const listed = isObject(content) ? Object.keys(content).join(', ') || 'none' : 'none';
      return [
        `${what} with a ${mediaType || 'untyped'} body; the document's response ${statusKey} describes content ${listed}`,
      ];
    }
    const media = this.follow(`${response.pointer}/content/${escapePointer(mediaKey)}`);
    if (!isObject(media.node) || media.node.schema === undefined) {
      return [`${what}; the document's response ${statusKey} (${mediaKey}) has no schema to check the body against`];
    }
    let body: unknown;
    try {
      body = JSON.parse(reply.text);
    } catch {
      return [`${what} with a body that is not JSON, where the document describes ${mediaKey}`];
    }
    const validateBody = this.validator(`${media.pointer}/schema`);
    if (validateBody instanceof Error) {
      return [`the schema of ${method.toUpperCase()} ${path} → ${statusKey} cannot be used: ${validateBody.message}`];
    }
    if (validateBody(body)) return [];
    return (validateBody.errors ?? []).slice(0, 5).map((e) => {
      const where = e.instancePath === '' ? 'the body' : `the body's ${e.instancePath.slice(1).replace(/\//g, '.')}`;
      const extra =
        e.keyword === 'additionalProperties'
          ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
          : '';
      return `${what}, but the document's schema for ${statusKey} says ${where} ${e.message}${extra}`;
    });
  }

  /** The pointer to `method path`'s operation object, or undefined when the document has none. */
  private operationPointer(method: string, path: string): string | undefined {
    const paths = this.document.paths;
    if (!isObject(paths)) return undefined;
    const key = Object.keys(paths).find((p) => pathShape(p) === pathShape(path));
    if (key === undefined) return undefined;
    const item = this.follow(`/paths/${escapePointer(key)}`);
    const lower = method.toLowerCase();
    return isObject(item.node) && isObject(item.node[lower]) ? `${item.pointer}/${lower}` : undefined;
  }

  /** The value at a JSON pointer into the document, following local `$ref`s (a response, a path item…). */
  private follow(pointer: string): { node: unknown; pointer: string } {
    let current = pointer;
    for (let hops = 0; hops < 20; hops++) {
      const node = current
        .split('/')
        .slice(1)
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>(
          (at, part) => (isObject(at) || Array.isArray(at) ? (at as Json)[part] : undefined),
          this.document,
        );
      const ref = isObject(node) ? node.$ref : undefined;
      if (typeof ref !== 'string' || !ref.startsWith('#/')) return { node, pointer: current };
      current = decodeURIComponent(ref.slice(1));
    }
    return { node: undefined, pointer: current };
  }

  private validator(pointer: string) {
    let compiled = this.compiled.get(pointer);
    if (compiled === undefined) {
      try {
        compiled = this.ajv.compile({ $ref: `${DOCUMENT_ID}#${encodeURI(pointer)}` });
      } catch (error) {
        compiled = error instanceof Error ? error : new Error(String(error));
      }
      this.compiled.set(pointer, compiled);
    }
    return compiled;
  }
}

/** `201`, else `2XX` (any case), else `default`. */
function statusKeyFor(responses: Json, status: number): string | undefined {
  const range = `${Math.floor(status / 100)}XX`;
  return [String(status), ...Object.keys(responses).filter((k) => k.toUpperCase() === range), 'default'].find((k) =>
    Object.hasOwn(responses, k),
  );
}

/** The content entry for a media type: exact, then `type/*`, then `*\/*`. */
function mediaKeyFor(content: Json, mediaType: string): string | undefined {
  const keys = Object.keys(content);
  const bare = (k: string) => k.split(';')[0]!.trim().toLowerCase();
  return (
    keys.find((k) => bare(k) === mediaType) ??
    keys.find((k) => bare(k) === `${mediaType.split('/')[0]}/*`) ??
    keys.find((k) => bare(k) === '*/*')
  );
}
