// Failures in plain words. The errors below are what Vitest 5 reports for each assertion (message, and `actual` /
// `expected` as it serializes them), copied from real runs of the labs' tests and of expect() calls of each shape.
import { describe, expect, test } from 'vitest';
import { explainFailure, parseAssertion, type HttpExchange, type TestFailure } from '../../cli/harness/explain.ts';
import { waitFor } from '../../cli/harness/testkit/index.ts';

const exchange = (
  method: string,
  path: string,
  status: number | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): HttpExchange => ({
  method,
  path,
  status,
  headers: { 'content-type': typeof body === 'string' ? 'text/plain; charset=UTF-8' : 'application/json', ...headers },
  body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
});
const say = (error: TestFailure, ...exchanges: HttpExchange[]) => explainFailure([error], exchanges);

const created = { id: 'cus_1', name: 'Ada', email: 'ada@example.com' };
const problem = {
  error: {
    code: 'validation_failed',
    message: 'The body is invalid: expected an e-mail',
    details: [{ field: 'email' }],
  },
};

describe('status codes', () => {
  test('toBe: the request, the status that came back, the one expected, and the body on a second line', () => {
    const error = { message: 'expected 400 to be 201 // Object.is equality', actual: '400', expected: '201' };
    expect(say(error, exchange('POST', '/v1/customers', 400, problem))).toBe(
      `POST /v1/customers answered 400, expected 201\nit answered: ${JSON.stringify(problem)}`,
    );
  });

  test('a body excerpt as the note (itself saying "expected") does not cut the assertion off', () => {
    const message = `status (body: ${JSON.stringify(problem)}): expected 400 to be 201 // Object.is equality`;
    expect(
      say({ message, actual: '400', expected: '201' }, exchange('POST', '/v1/customers', 400, problem))!.split('\n')[0],
    ).toBe('POST /v1/customers answered 400, expected 201');
  });

  test('a short note is kept; a note that only repeats the body or the request is not', () => {
    const at = exchange('GET', '/v1/customers/cus_1', 404, '404 Not Found');
    expect(
      say(
        {
          message: 'GET on the Location URL: expected 404 to be 200 // Object.is equality',
          actual: '404',
          expected: '200',
        },
        at,
      ),
    ).toBe('GET /v1/customers/cus_1 answered 404, expected 200 (GET on the Location URL)\nit answered: 404 Not Found');
    expect(
      say(
        { message: '404 Not Found: expected 404 to be 200 // Object.is equality', actual: '404', expected: '200' },
        at,
      )!.split('\n')[0],
    ).toBe('GET /v1/customers/cus_1 answered 404, expected 200');
  });

  test('the exchange that answered that status is named, not just the last one', () => {
    const error = { message: 'expected 200 to be 201 // Object.is equality', actual: '200', expected: '201' };
    expect(
      say(error, exchange('POST', '/v1/orders', 200, {}), exchange('GET', '/_control/events', 204))!.split('\n')[0],
    ).toBe('POST /v1/orders answered 200, expected 201');
  });

  test('toBeLessThan and toBeGreaterThanOrEqual on a status', () => {
    expect(
      say(
        { message: 'expected 500 to be less than 300', actual: 500, expected: 300 },
        exchange('POST', '/webhooks', 500, ''),
      ),
    ).toBe('POST /webhooks answered 500, expected a status less than 300');
    expect(
      say(
        { message: 'expected 101 to be greater than or equal to 200', actual: 101, expected: 200 },
        exchange('GET', '/x', 101),
      ),
    ).toBe('GET /x answered 101, expected a status at least 200');
  });
});

describe('header values', () => {
  test('toBe on a header', () => {
    const error = {
      message: "expected 'text/html' to be 'application/json' // Object.is equality",
      actual: 'text/html',
      expected: 'application/json',
    };
    expect(say(error, exchange('GET', '/v1/orders', 200, 'x', { 'content-type': 'text/html' }))).toBe(
      'GET /v1/orders answered content-type: "text/html", expected "application/json"',
    );
  });

  test('toMatch with a note, toContain, and a value chai cut short', () => {
    const at = exchange('GET', '/v1/customers/nope', 404, '404 Not Found');
    const match = {
      message: "errors are JSON: expected 'text/plain; charset=UTF-8' to match /^application\\/json/",
      actual: '"text/plain; charset=UTF-8"',
      expected: '/^application\\/json/',
    };
    expect(say(match, at)).toBe(
      'GET /v1/customers/nope answered content-type: "text/plain; charset=UTF-8", expected it to match /^application\\/json/ (errors are JSON)',
    );
    const contain = {
      message: "expected 'text/plain; charset=UTF-8' to contain 'application/json'",
      actual: 'text/plain; charset=UTF-8',
      expected: 'application/json',
    };
    expect(say(contain, at)).toBe(
      'GET /v1/customers/nope answered content-type: "text/plain; charset=UTF-8", expected it to contain "application/json"',
    );
    const long = 'text/html; charset=utf-8; boundary=something-long-here-xxxxxxxx';
    const cut = {
      message: "expected 'text/html; charset=utf-8; boundary=so…' to match /^application\\/json/json",
      actual: JSON.stringify(long),
      expected: '/^application\\/json/',
    };
    // Found by its whole value (Vitest's field), shown cut to one line.
    expect(say(cut, exchange('GET', '/x', 200, 'x', { 'content-type': long }))).toBe(
      `GET /x answered content-type: ${JSON.stringify(long).slice(0, 59)}…, expected it to match /^application\\/json/`,
    );
  });
});

describe('JSON fields and bodies', () => {
  test('toBe on a field: the field is found in the body that came back', () => {
    const error = {
      message: "expected 'pending' to be 'paid' // Object.is equality",
      actual: 'pending',
      expected: 'paid',
    };
    expect(
      say(error, exchange('GET', '/v1/orders/ord_1', 200, { id: 'ord_1', status: 'pending', total_cents: 500 })),
    ).toBe('GET /v1/orders/ord_1 answered a body with status = "pending", expected "paid"');
    expect(
      say(error, exchange('GET', '/v1/orders', 200, { data: [{ status: 'pending' }, { status: 'pending' }] })),
    ).toBe('got "pending", expected "paid"');
  });

  test('a computed true/false is never pinned on some field of the body', () => {
    const error = {
      message: 'created_at is a date-time: expected true to be false // Object.is equality',
      actual: 'true',
      expected: 'false',
    };
    expect(say(error, exchange('POST', '/v1/customers', 201, { ...created, active: true }))).toBe(
      'created_at is a date-time: got true, expected false',
    );
  });

  test('toEqual on a body, and on a part of it', () => {
    const body = {
      message: "expected { status: 'error' } to deeply equal { status: 'ok' }",
      actual: '{\n  "status": "error",\n}',
      expected: '{\n  "status": "ok",\n}',
    };
    expect(say(body, exchange('GET', '/health', 200, { status: 'error' }))).toBe(
      'GET /health answered a body where status is "error" (expected "ok")',
    );
    const part = {
      message: 'expected { Object (page, per_page, ...) } to deeply equal { Object (page, per_page, ...) }',
      actual: '{\n  "page": 1,\n  "per_page": 2,\n  "total": 5,\n  "total_pages": 2,\n}',
      expected: '{\n  "page": 1,\n  "per_page": 2,\n  "total": 5,\n  "total_pages": 3,\n}',
    };
    expect(
      say(
        part,
        exchange('GET', '/v1/customers/cus_1/orders?page=1&per_page=2', 200, {
          data: [{}, {}],
          pagination: { page: 1, per_page: 2, total: 5, total_pages: 2 },
        }),
      ),
    ).toBe(
      'GET /v1/customers/cus_1/orders?page=1&per_page=2 answered a body where pagination.total_pages is 2 (expected 3)',
    );
  });

  test('toEqual names missing and unexpected fields', () => {
    const error = {
      message:
        "expected { error: { code: 'bad', details: [] } } to deeply equal { error: { code: 'not_found', …(1) } }",
      actual: '{\n  "error": {\n    "code": "bad",\n    "details": [],\n    "extra": 1,\n  },\n}',
      expected:
        '{\n  "error": {\n    "code": "not_found",\n    "details": [],\n    "message": "No such order.",\n  },\n}',
    };
    expect(say(error)).toBe(
      'error.code is "bad" (expected "not_found"); error.message is missing (expected "No such order."); error.extra is 1 (not expected)',
    );
  });

  test('toMatchObject (Vitest keeps only the compared part of what came back)', () => {
    const error = {
      message:
        "expected { status: 'pending', id: 'x', …(1) } to match object { status: 'paid' }\n(3 matching properties omitted from actual)",
      actual: '{\n  "status": "pending",\n}',
      expected: '{\n  "status": "paid",\n}',
    };
    expect(
      say(error, exchange('POST', '/v1/orders/ord_1/pay', 200, { id: 'ord_1', status: 'pending', total_cents: 500 })),
    ).toBe('POST /v1/orders/ord_1/pay answered a body where status is "pending" (expected "paid")');
  });

  test('lists: what is missing, what is there unexpectedly, or the order', () => {
    const fields = {
      message: "expected [ 'name' ] to deeply equal [ 'email', 'name' ]",
      actual: '[\n  "name",\n]',
      expected: '[\n  "email",\n  "name",\n]',
    };
    expect(say(fields)).toBe('got 1 item, expected 2; missing "email"');
    const order = {
      message: "expected [ 'b', 'a' ] to deeply equal [ 'a', 'b' ]",
      actual: '[\n  "b",\n  "a",\n]',
      expected: '[\n  "a",\n  "b",\n]',
    };
    expect(say(order)).toBe('got the expected items in another order: ["b","a"]');
    const contain = { message: "expected [ 'a', 'b' ] to include 'c'", actual: ['a', 'b'] };
    expect(say(contain)).toBe('got ["a","b"], expected it to contain "c"');
  });
});

describe('counts', () => {
  test('toHaveLength: the list in the body, or the note', () => {
    const error = {
      message: "expected [ { id: 'ord_0' }, …(2) ] to have a length of 2 but got 3",
      actual: '3',
      expected: '2',
    };
    expect(
      say(
        error,
        exchange('GET', '/v1/orders', 200, { data: [{ id: 'ord_0' }, { id: 'ord_1' }, { id: 'ord_2' }], total: 3 }),
      ),
    ).toBe('GET /v1/orders answered a body with data of 3 items, expected 2');
    const noted = {
      message: 'one attempt and five retries: expected [ …(3) ] to have a length of 6 but got 3',
      actual: '3',
      expected: '6',
    };
    expect(say(noted)).toBe('one attempt and five retries: got 3 items, expected 6');
  });

  test('toBeGreaterThan, toBeTypeOf, toBeTruthy, toBeDefined', () => {
    expect(say({ message: 'expected 0 to be greater than 0', actual: 0, expected: 0 })).toBe(
      'got 0, expected more than 0',
    );
    expect(
      say({ message: "error.code: expected 5 to be type of 'string'", actual: 'number', expected: 'string' }),
    ).toBe('error.code: got a number, expected a string');
    expect(say({ message: 'Location header: expected null to be truthy', actual: 'null', expected: 'true' })).toBe(
      'Location header: got null, expected a value',
    );
    expect(say({ message: 'expected undefined to be defined' })).toBe('got undefined, expected a value');
  });
});

describe('timeouts and requests without an answer', () => {
  test("the testkit's waitFor, with what it saw last", async () => {
    const nothing = await waitFor(() => false, { timeoutMs: 60, message: 'the order to be paid' }).catch(
      (e: Error) => e,
    );
    expect(say({ message: (nothing as Error).message })).toBe(
      'waited 60 ms for the order to be paid, but it did not happen',
    );
    const failing = await waitFor(() => expect(1).toBe(2), { timeoutMs: 60, message: 'two deliveries' }).catch(
      (e: Error) => e,
    );
    expect(say({ message: (failing as Error).message })).toBe(
      'waited 60 ms for two deliveries, but it did not happen; the last check: got 1, expected 2',
    );
  });

  test("Vitest's test timeout says which request was still waiting, or which came last", () => {
    const message =
      'Test timed out in 20000ms.\nIf this is a long-running test, pass a timeout value as the last argument or configure it globally with "testTimeout".';
    expect(say({ message, name: 'TestTimeoutError' }, exchange('POST', '/v1/orders', undefined))).toBe(
      'the test did not finish within 20 s; it was still waiting for POST /v1/orders to answer',
    );
    expect(say({ message }, exchange('GET', '/health', 200, {}))).toBe(
      'the test did not finish within 20 s; its last request, GET /health, answered 200',
    );
  });

  test('a request to an app that died, or never answered', () => {
    const dead =
      'request to http://127.0.0.1:41234/v1/orders failed: the app is not running (it exited with code 1). Its last output:\n  | TypeError: boom';
    expect(say({ message: dead }, { method: 'POST', path: '/v1/orders', error: 'other side closed' })).toBe(
      'POST /v1/orders: the app is not running (it exited with code 1).',
    );
    const slow = 'request to http://127.0.0.1:41234/slow?x=1 failed: The operation was aborted due to timeout';
    expect(
      say({ message: slow }, { method: 'GET', path: '/slow?x=1', error: 'The operation was aborted due to timeout' }),
    ).toBe('GET /slow?x=1: no answer within 5 s');
  });
});

describe('everything else', () => {
  test('several failed soft assertions: the first, and how many more', () => {
    const errors = [
      { message: 'expected 1 to be 2 // Object.is equality', actual: '1', expected: '2' },
      { message: 'expected 3 to be 4 // Object.is equality', actual: '3', expected: '4' },
    ];
    expect(explainFailure(errors)).toBe('got 1, expected 2 (and 1 more failed check)');
  });

  test('an unknown shape of assertion still shows the assertion, after a short note', () => {
    expect(say({ message: 'deliveries: expected [Function] to throw an error' })).toBe(
      'deliveries: expected [Function] to throw an error',
    );
  });

  test('errors that are not assertions speak for themselves', () => {
    expect(say({ message: 'boom' })).toBeUndefined();
    expect(
      say({ message: 'the app exited with code 1 before it was ready. Its last output:\n  | boom' }),
    ).toBeUndefined();
    expect(explainFailure([])).toBeUndefined();
  });

  test('the chai part is found after a note that contains "expected" itself', () => {
    expect(
      parseAssertion('{"message":"expected 3 to be 4"}: expected 400 to be 201 // Object.is equality'),
    ).toMatchObject({
      kind: 'equal',
      note: '{"message":"expected 3 to be 4"}',
      actual: '400',
      parts: ['201'],
    });
  });
});

describe('notes and strings as the labs write them', () => {
  test('an empty header value, and a note ending in ": status"', () => {
    const empty = {
      message: 'wrong user: expected \'\' to match /^Basic realm="[^"]+"/i',
      actual: '""',
      expected: '/^Basic realm="[^"]+"/i',
    };
    expect(say(empty, exchange('GET', '/v1/admin/stats', 401, {}))).toBe(
      'wrong user: got "", expected it to match /^Basic realm="[^"]+"/i',
    );
    const kind = {
      message: 'a token of kind "expired": status (body: {"data":[]}): expected 200 to be 401 // Object.is equality',
      actual: '200',
      expected: '401',
    };
    expect(say(kind, exchange('GET', '/v1/orders', 200, { data: [] }))!.split('\n')[0]).toBe(
      'GET /v1/orders answered 200, expected 401 (a token of kind "expired")',
    );
  });
});
