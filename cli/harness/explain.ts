// A failed test in plain words: what was sent, what was expected, what came back — "POST /v1/orders answered 200,
// expected 201" instead of "expected 200 to be 201 // Object.is equality". Built from Vitest's error (its message
// and its serialized `actual` / `expected`) and the HTTP exchanges the testkit's http() kept for the test. The whole
// error message stays in the results; this sentence is what `lab check` and the grade table show first.
import { isDeepStrictEqual } from 'node:util';
import { explainMessages, type ExplainMessages, type Lang } from '../lang.ts';

/** One request a test made through the testkit's http(), and its answer (kept in the test's meta). */
export interface HttpExchange {
  method: string;
  /** Path and query: the host is a random local port, of no use to a student. */
  path: string;
  /** Absent while no answer came. */
  status?: number;
  headers?: Record<string, string>;
  /** The answer's body, cut at EXCHANGE_BODY_CHARS. */
  body?: string;
  /** Why no answer came (the request failed). */
  error?: string;
}

export const EXCHANGE_BODY_CHARS = 4000;

/** A test error as Vitest reports it: serialized, so `actual` and `expected` are strings or numbers. */
export interface TestFailure {
  message: string;
  name?: string;
  actual?: unknown;
  expected?: unknown;
}

/**
 * The failure as a sentence (a second line may quote the answer's body), or undefined when the error has no shape
 * known here (then its message speaks for itself).
 */
export function explainFailure(
  errors: readonly TestFailure[],
  exchanges: readonly HttpExchange[] = [],
  lang: Lang = 'en',
): string | undefined {
  const [first] = errors;
  if (!first) return undefined;
  const say = explainMessages(lang);
  const sentence = explainOne(first, [...exchanges].reverse(), say, lang);
  if (!sentence || errors.length === 1) return sentence;
  const [line, ...rest] = sentence.split('\n');
  return [`${line} ${say.andMore(errors.length - 1)}`, ...rest].join('\n');
}

const request = (x: HttpExchange) => `${x.method} ${x.path}`;
const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** `exchanges` newest first. */
function explainOne(
  error: TestFailure,
  exchanges: HttpExchange[],
  say: ExplainMessages,
  lang: Lang,
): string | undefined {
  const { message } = error;
  let m = /^(Test|Hook) timed out in (\d+)ms\./.exec(message);
  if (m) return say.timedOut(m[1] === 'Test', say.seconds(Number(m[2]))) + lastRequest(exchanges[0], say);
  m = /^timed out after (\d+) ms waiting for ([\s\S]*?) \(last: ([\s\S]*)\)$/.exec(message);
  if (m) {
    const last = m[3]!;
    const nothing = ['false', 'undefined', 'null', '0', '""', '[]', '{}'].includes(last.trim());
    const seen = nothing
      ? ''
      : say.lastCheck(explainOne({ message: last }, exchanges, say, lang)?.split('\n')[0] ?? oneLine(last, 160));
    return say.waited(say.seconds(Number(m[1])), m[2]!, seen);
  }
  m = /^request to (\S+) failed: (.*)/.exec(message);
  if (m) {
    const url = new URL(m[1]!);
    const path = url.pathname + url.search;
    const method = exchanges.find((x) => x.path === path && x.status === undefined)?.method ?? say.aRequestTo;
    const reason = /aborted due to timeout|TimeoutError/i.test(m[2]!)
      ? say.noAnswer
      : ((lang === 'en' ? undefined : harnessSentence(m[2]!, say)) ?? m[2]!.replace(/\s*Its last output:$/, ''));
    return `${method} ${path}: ${reason}`;
  }
  // The harness's own sentences (a failed start) speak for themselves in English; other languages reword them.
  if (lang !== 'en') {
    const sentence = harnessSentence(message, say);
    if (sentence) return sentence;
  }
  const assertion = parseAssertion(message);
  return assertion && sentenceFor(assertion, error, exchanges, say);
}

function lastRequest(x: HttpExchange | undefined, say: ExplainMessages): string {
  if (!x) return '';
  if (x.error) return say.lastFailed(request(x), x.error);
  if (x.status === undefined) return say.lastWaiting(request(x));
  return say.lastAnswered(request(x), x.status);
}

/**
 * A message of target.ts (the app did not start) or of the testkit (the app is not running), as written by
 * `english`, read back and said in another language; the app's output quoted after it is left to the caller.
 */
export function harnessSentence(message: string, say: ExplainMessages): string | undefined {
  const first = message.split('\n')[0]!.replace(/\s*Its last output:$/, '');
  const refusal = /^(.*?) The grading sandbox refused it (.*) \(ERR_ACCESS_DENIED\):/.exec(first);
  const head = refusal ? refusal[1]! : first;
  let sandbox = '';
  if (refusal) {
    const what = /^(?:(\w+) access)? ?(?:to (.*))?$/.exec(refusal[2]!);
    sandbox = say.sandbox(say.sandboxAccess(what?.[1], what?.[2]));
  }
  let m = /^the app (exited with code (-?\d+|null)|was killed by (\w+)) before it was ready\.$/.exec(head);
  if (m) return say.beforeReady(m[3] ? say.killed(m[3]) : say.exited(m[2]!)) + sandbox;
  m = /^the app is not running \(it (?:exited with code (-?\d+|null|undefined)|was stopped by (\w+))\)\.$/.exec(head);
  if (m) return say.notRunning(m[2] ? say.stoppedBy(m[2]) : say.exitedWith(m[1]!)) + sandbox;
  m = /^the app did not print "(.*)" within (\d+) s\.(?: It listens on port ([\d, ]+) instead:.*)?$/.exec(head);
  if (m) return say.notPrinted(m[1]!, Number(m[2])) + (m[3] ? say.wrongPort(m[3]) : '');
  m =
    /^the app did not answer GET (\S+) with 2xx on port (\d+) within (\d+) s\.(?: It listens on port ([\d, ]+) instead:.*)?$/.exec(
      head,
    );
  if (m) return say.notAnswered(m[1]!, Number(m[2]), Number(m[3])) + (m[4] ? say.wrongPort(m[4]) : '');
  m = /^the app printed more than (\d+) bytes before it was ready, so it was stopped$/.exec(head);
  if (m) return say.outputLimit(Number(m[1]));
  m = /^the entry file (\S+) is missing \(looked for (.*)\)$/.exec(head);
  if (m) return say.entryMissing(m[1]!, m[2]!);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Assertion messages (chai's, as Vitest words them), optionally after the test author's note: "note: expected …".

type Kind = 'length' | 'compare' | 'type' | 'state' | 'match' | 'contain' | 'object' | 'property' | 'equal' | 'other';

interface Assertion {
  kind: Kind;
  /** The author's note (expect(value, note)), if any. */
  note?: string;
  /** The received value as chai printed it. */
  actual: string;
  negated: boolean;
  /** The kind's other parts: expected value, relation, length, … */
  parts: string[];
}

const SHAPES: [Kind, RegExp][] = [
  ['length', /^expected ([\s\S]+) (not )?to have a length of (\d+) but got (\d+)$/],
  [
    'compare',
    /^expected ([\s\S]+) (not )?to be (greater than or equal to|greater than|less than or equal to|less than) ([\s\S]+)$/,
  ],
  ['type', /^expected ([\s\S]+) (not )?to be type of '(\w+)'$/],
  ['state', /^expected ([\s\S]+) (not )?to be (truthy|falsy|defined|undefined|null|NaN)$/],
  ['match', /^expected ([\s\S]+) (not )?to match (\/[\s\S]*)$/],
  ['contain', /^expected ([\s\S]+) (not )?to (?:contain|include|deep equally contain) ([\s\S]+)$/],
  [
    'object',
    /^expected ([\s\S]+) (not )?to match object ([\s\S]+?)(?:\n\(\d+ matching propert(?:y|ies) omitted from actual\))?$/,
  ],
  ['property', /^expected ([\s\S]+) (not )?to have property "([^"]+)"(?: with value ([\s\S]+))?$/],
  [
    'equal',
    /^expected ([\s\S]+) (not )?to (?:be|deeply equal|strictly equal) ([\s\S]+?)(?: \/\/ Object\.is equality)?(?:\n\n[\s\S]*)?$/,
  ],
  ['other', /^expected ([\s\S]+?) (not )?to ([\s\S]+)$/],
];

export function parseAssertion(message: string): Assertion | undefined {
  // The chai part starts the message or follows the note's ": ". Try the last start first: a note (often a body
  // excerpt) may itself contain "expected".
  const starts: number[] = [];
  for (let at = message.indexOf('expected '); at >= 0; at = message.indexOf('expected ', at + 1)) {
    if (at === 0 || message.slice(at - 2, at) === ': ') starts.push(at);
  }
  for (const at of starts.reverse()) {
    const chai = message.slice(at);
    for (const [kind, shape] of SHAPES) {
      const m = shape.exec(chai);
      if (!m) continue;
      const [, actual, not, ...parts] = m;
      return {
        kind,
        note: at ? message.slice(0, at - 2) : undefined,
        actual: actual!,
        negated: Boolean(not),
        parts: parts.map((p) => p ?? ''),
      };
    }
  }
  return undefined;
}

/** A value as chai printed it, when it could not be read back (Any<String>, a Date, a cut object…). */
class Printed {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** pretty-format's output (what Vitest serializes objects to) read back as data, when it is JSON with trailing commas. */
function loose(text: unknown): unknown {
  if (typeof text !== 'string') return text === undefined ? new Printed('?') : text;
  try {
    return JSON.parse(text.replace(/,(\s*[}\]])/g, '$1'));
  } catch {
    return new Printed(text);
  }
}

/** The value behind a chai token, using Vitest's serialized field (whole, where chai cut long strings) when it fits. */
function tokenValue(token: string, field: unknown): unknown {
  if (/^'[\s\S]*'$/.test(token)) {
    const inner = token.slice(1, -1).replace(/\\'/g, "'");
    if (typeof field === 'string') {
      // Vitest keeps the whole string, raw for most matchers and JSON-quoted for some (toMatch).
      const start = inner.replace(/…$/, '');
      const parsed = loose(field);
      if (typeof parsed === 'string' && parsed.startsWith(start)) return parsed;
      if (field.startsWith(start)) return field;
    }
    return inner;
  }
  const literals: Record<string, unknown> = { undefined, null: null, true: true, false: false, NaN };
  if (token in literals) return literals[token];
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(token)) return Number(token);
  if (/^[[{]/.test(token)) {
    const parsed = loose(field);
    if (!(parsed instanceof Printed)) return parsed;
  }
  return new Printed(token);
}

function show(value: unknown, max = 60): string {
  const text =
    value instanceof Printed
      ? value.text
      : value === undefined
        ? 'undefined'
        : Number.isNaN(value)
          ? 'NaN'
          : JSON.stringify(value);
  return oneLine(text, max);
}

const isStatus = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 100 && (v as number) <= 599;
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Printed);

/** The note as a short label ("a new key is a new order"), or undefined when it is a body excerpt or too long. */
function label(note: string | undefined): string | undefined {
  if (!note) return undefined;
  const text = note
    .split('\n')[0]!
    .split(/\s*\(body:|\s*[{[<]/)[0]!
    .replace(/[\s:]+$/, '')
    .replace(/:\s*status$/, '');
  return text && text.length <= 100 && text !== 'status' ? text : undefined;
}

function bodyOf(x: HttpExchange): unknown {
  if (!x.body) return undefined;
  try {
    return JSON.parse(x.body);
  } catch {
    return undefined;
  }
}

/** Paths in `data` whose value passes `test`: "status", "error.details[0].field", "" for the whole body. */
function pathsTo(data: unknown, test: (v: unknown) => boolean, path = ''): string[] {
  const found = test(data) ? [path] : [];
  if (Array.isArray(data)) for (const [i, v] of data.entries()) found.push(...pathsTo(v, test, `${path}[${i}]`));
  else if (isPlainObject(data))
    for (const [k, v] of Object.entries(data)) found.push(...pathsTo(v, test, path ? `${path}.${k}` : k));
  return found;
}

/** The newest exchange whose body has exactly one place passing `test`, and that place. */
function findInBodies(
  exchanges: HttpExchange[],
  test: (v: unknown) => boolean,
): { x: HttpExchange; path: string } | undefined {
  for (const x of exchanges) {
    const paths = pathsTo(bodyOf(x), test);
    if (paths.length === 1) return { x, path: paths[0]! };
    if (paths.length > 1) return undefined;
  }
  return undefined;
}

/** Where expected and actual objects differ, as "status is "pending" (expected "paid")", at most three places. */
function differences(
  say: ExplainMessages,
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
  exact: boolean,
  root = '',
): string | undefined {
  const found: string[] = [];
  const walk = (e: unknown, a: unknown, path: string) => {
    if (isPlainObject(e) && isPlainObject(a)) {
      for (const [k, v] of Object.entries(e)) walk(v, a[k], path ? `${path}.${k}` : k);
      if (exact)
        for (const k of Object.keys(a))
          if (!(k in e)) found.push(say.notExpected(path ? `${path}.${k}` : k, show(a[k], 40)));
    } else if (Array.isArray(e) && Array.isArray(a)) {
      if (e.length === a.length) for (const [i, v] of e.entries()) walk(v, a[i], `${path}[${i}]`);
      else found.push(`${path}: ${arrayDifference(say, e, a)}`);
    } else if (!isDeepStrictEqual(e, a)) {
      found.push(a === undefined ? say.missing(path, show(e, 40)) : say.differs(path, show(a, 40), show(e, 40)));
    }
  };
  walk(expected, actual, root);
  if (!found.length) return undefined;
  const more = found.length > 3 ? say.andMorePlaces(found.length - 3) : '';
  return found.slice(0, 3).join('; ') + more;
}

/** How a list differs from the expected one: its length, what is missing, what is there unexpectedly, or the order. */
function arrayDifference(say: ExplainMessages, expected: unknown[], actual: unknown[]): string {
  const has = (list: unknown[], v: unknown) => list.some((x) => isDeepStrictEqual(x, v));
  const some = (list: unknown[]) =>
    list
      .slice(0, 2)
      .map((v) => show(v, 40))
      .join(', ') + (list.length > 2 ? say.andMoreItems(list.length - 2) : '');
  const missing = expected.filter((v) => !has(actual, v));
  const extra = actual.filter((v) => !has(expected, v));
  if (!missing.length && !extra.length && expected.length === actual.length) return say.otherOrder(show(actual));
  return [
    say.gotItems(actual.length, expected.length),
    ...(missing.length ? [say.missingItems(some(missing))] : []),
    ...(extra.length ? [say.extraItems(some(extra))] : []),
  ].join('; ');
}

function sentenceFor(a: Assertion, error: TestFailure, exchanges: HttpExchange[], say: ExplainMessages): string {
  const note = label(a.note);
  const about = note ? `${note}: ` : '';
  // The note after a sentence that names the exchange, unless it only repeats the request or the body.
  const after = (x: HttpExchange) =>
    note &&
    note !== request(x) &&
    note !== x.path &&
    !note.startsWith(`${request(x)} answered`) &&
    !x.body?.trim().startsWith(note)
      ? ` (${note})`
      : '';
  const actual = tokenValue(a.actual, error.actual);

  // What the test expected, worded after "expected ".
  let wanted: string;
  switch (a.kind) {
    case 'length':
      return countSentence(say, Number(a.parts[1]), Number(a.parts[0]), about, after, exchanges);
    case 'compare':
      wanted = `${say.relation[a.parts[0]!]} ${a.parts[1]}`;
      if (isStatus(actual)) {
        const x = exchanges.find((e) => e.status === actual);
        if (x) return say.statusWanted(request(x), actual, say.aStatus(wanted)) + after(x) + answeredBody(x, say);
      }
      return about + say.got(show(actual), wanted);
    case 'type': {
      const type = say.aType(typeof error.actual === 'string' ? error.actual : typeof actual);
      const expected = say.aType(a.parts[0]!);
      return about + say.got(type, a.negated ? say.anythingBut(expected) : expected);
    }
    case 'state':
      wanted = say.state[a.parts[0]!]!;
      return about + say.got(show(actual), a.negated ? say.anythingBut(wanted) : wanted);
    case 'match':
      wanted = say.toMatch(a.negated, typeof error.expected === 'string' ? error.expected : a.parts[0]!);
      break;
    case 'contain':
      wanted = say.toContain(a.negated, show(tokenValue(a.parts[0]!, error.expected)));
      break;
    case 'property':
      wanted = say.toHave(a.negated, a.parts[0]!, a.parts[1] || undefined);
      break;
    case 'object':
    case 'equal': {
      const expected = tokenValue(a.parts[0]!, error.expected);
      if (a.negated) return about + say.anythingElse(show(actual));
      if (isStatus(actual) && isStatus(expected)) {
        const x = exchanges.find((e) => e.status === actual);
        if (x) return say.statusWanted(request(x), actual, String(expected)) + after(x) + answeredBody(x, say);
      }
      if (isPlainObject(expected) && isPlainObject(actual)) {
        // The body (or the part of it) the test looked at: equal to what came back, or its subset for toMatchObject.
        const exact = a.kind === 'equal';
        const fits = (v: unknown) => (exact ? isDeepStrictEqual(v, actual) : isSubset(actual, v));
        const at = exchanges.map((x) => ({ x, paths: pathsTo(bodyOf(x), fits) })).find((f) => f.paths.length > 0);
        const diff = differences(say, expected, actual, exact, at?.paths[0]) ?? say.itIs(show(actual), show(expected));
        return at ? say.bodyWhere(request(at.x), diff) + after(at.x) : `${about}${diff}`;
      }
      if (Array.isArray(expected) && Array.isArray(actual)) return `${about}${arrayDifference(say, expected, actual)}`;
      wanted = show(expected);
      break;
    }
    default:
      return `${about}${oneLine(`expected ${a.actual} ${a.negated ? 'not ' : ''}to ${a.parts.at(-1)}`, 200)}`;
  }
  return valueSentence(say, actual, wanted, about, after, exchanges);
}

/** A scalar that came back: from a header, from a field of a JSON body, or from somewhere the test computed. */
function valueSentence(
  say: ExplainMessages,
  actual: unknown,
  wanted: string,
  about: string,
  after: (x: HttpExchange) => string,
  exchanges: HttpExchange[],
): string {
  if (typeof actual === 'string' && actual) {
    for (const x of exchanges) {
      const header = Object.entries(x.headers ?? {}).find(([, v]) => v === actual);
      if (header) return say.header(request(x), header[0], show(actual), wanted) + after(x);
    }
  }
  // Field values worth looking for: strings, and numbers other than 0 and 1 (too common to point at one field).
  if ((typeof actual === 'string' && actual) || (typeof actual === 'number' && actual !== 0 && actual !== 1)) {
    const at = findInBodies(exchanges, (v) => v === actual);
    if (at?.path) return say.field(request(at.x), at.path, show(actual), wanted) + after(at.x);
  }
  return about + say.got(show(actual), wanted);
}

function countSentence(
  say: ExplainMessages,
  got: number,
  wanted: number,
  about: string,
  after: (x: HttpExchange) => string,
  exchanges: HttpExchange[],
): string {
  const at = findInBodies(exchanges, (v) => Array.isArray(v) && v.length === got);
  if (at) return say.count(request(at.x), at.path, got, wanted) + after(at.x);
  return about + say.got(say.items(got), String(wanted));
}

function isSubset(part: unknown, whole: unknown): boolean {
  if (isPlainObject(part) && isPlainObject(whole)) return Object.entries(part).every(([k, v]) => isSubset(v, whole[k]));
  if (Array.isArray(part) && Array.isArray(whole))
    return part.length === whole.length && part.every((v, i) => isSubset(v, whole[i]));
  return isDeepStrictEqual(part, whole);
}

/** For a wrong status: the body that came with it, on a second line (lab check shows it; the grade table does not). */
function answeredBody(x: HttpExchange, say: ExplainMessages): string {
  return x.body?.trim() ? `\n${say.answeredBody(oneLine(x.body, 200))}` : '';
}
