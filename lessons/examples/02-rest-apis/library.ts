// A small library API for the REST lesson: books and their loans, in Hono. It shows the lesson's techniques on
// another resource than Lab 01's orders. Run it: node lessons/examples/02-rest-apis/library.ts (port 3002).
import { createHash, randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { libraryOpenApi } from './library-openapi.ts';

type Env = { Variables: { requestId: string } };
type Ctx = Context<Env>;
type FieldError = { field: string; message: string };

export interface Book {
  id: string;
  isbn: string;
  title: string;
  author: string;
  shelf: string | null;
  created_at: string;
  updated_at: string;
}
type BookFields = Pick<Book, 'isbn' | 'title' | 'author' | 'shelf'>;

export interface Loan {
  id: string;
  book_id: string;
  member_id: string;
  days: number;
  created_at: string;
}

// #region envelope
/** Every error has one shape; the request id is also in the X-Request-Id header of every answer. */
function sendError(c: Ctx, status: ContentfulStatusCode, code: string, message: string, details: FieldError[] = []) {
  return c.json(
    { error: { code, message, details, request_id: c.get('requestId'), timestamp: new Date().toISOString() } },
    status,
  );
}
// #endregion envelope

// #region read-json
/** 415 unless the body is declared as JSON (any charset, or a +json type), 400 when it does not parse. */
async function readJson(c: Ctx): Promise<{ value: unknown } | { error: Response }> {
  const type = c.req.header('Content-Type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json' && !/^application\/[\w.-]+\+json$/.test(type)) {
    return { error: sendError(c, 415, 'unsupported_media_type', 'Send JSON with Content-Type: application/json.') };
  }
  const text = await c.req.text();
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { error: sendError(c, 400, 'malformed_json', 'The body is not valid JSON.') };
  }
}
// #endregion read-json

// #region book-rules
const bookRules: Record<keyof BookFields, (v: unknown) => string | undefined> = {
  isbn: (v) =>
    typeof v === 'string' && /^97[89]\d{10}$/.test(v) ? undefined : 'must be 13 digits starting with 978 or 979',
  title: (v) =>
    typeof v === 'string' && v.trim() !== '' && v.length <= 200 ? undefined : 'must be 1 to 200 characters',
  author: (v) =>
    typeof v === 'string' && v.trim() !== '' && v.length <= 100 ? undefined : 'must be 1 to 100 characters',
  shelf: (v) =>
    v === null || (typeof v === 'string' && /^[A-Z]\d{1,3}$/.test(v)) ? undefined : 'must be like "B12", or null',
};

/**
 * create and replace need isbn, title and author, and reset a missing shelf to null; patch takes any non-empty
 * subset. Every problem is collected before answering; unknown fields (id, timestamps) are ignored.
 */
function checkBook(
  body: unknown,
  mode: 'create' | 'replace' | 'patch',
): { value: Partial<BookFields> } | { errors: FieldError[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { errors: [{ field: '(body)', message: 'must be a JSON object' }] };
  const input = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  const value: Record<string, unknown> = mode === 'patch' ? {} : { shelf: null };
  for (const [field, rule] of Object.entries(bookRules)) {
    if (!(field in input)) {
      if (mode !== 'patch' && field !== 'shelf') errors.push({ field, message: 'is required' });
      continue;
    }
    const problem = rule(input[field]);
    if (problem) errors.push({ field, message: problem });
    else value[field] = input[field];
  }
  if (mode === 'patch' && errors.length === 0 && Object.keys(value).length === 0) {
    errors.push({ field: '(body)', message: 'must contain at least one of isbn, title, author, shelf' });
  }
  return errors.length ? { errors } : { value: value as Partial<BookFields> };
}
// #endregion book-rules

// #region list-query
interface BookQuery {
  page: number;
  perPage: number;
  sort: 'title' | '-title';
  author?: string;
}

/** page, per_page, sort and the author filter; every bad value becomes one entry in a single 400. */
function checkBookQuery(q: Record<string, string>): { value: BookQuery } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const int = (field: string, fallback: number, max: number) => {
    if (q[field] === undefined) return fallback;
    const n = /^\d+$/.test(q[field]) ? Number(q[field]) : 0;
    if (n < 1 || n > max) errors.push({ field, message: `must be an integer from 1 to ${max}` });
    return n;
  };
  const value: BookQuery = { page: int('page', 1, 10_000), perPage: int('per_page', 10, 50), sort: 'title' };
  if (q.sort === 'title' || q.sort === '-title') value.sort = q.sort;
  else if (q.sort !== undefined) errors.push({ field: 'sort', message: 'must be title or -title' });
  if (q.author !== undefined) {
    if (q.author.trim() === '') errors.push({ field: 'author', message: 'must not be empty' });
    else value.author = q.author;
  }
  return errors.length ? { errors } : { value };
}
// #endregion list-query

// #region list-response
/** Filter, sort (the id breaks ties, so two books with one title keep their order), then cut one page. */
function bookPage(books: Book[], q: BookQuery) {
  const dir = q.sort === '-title' ? -1 : 1;
  const matching = books
    .filter((b) => q.author === undefined || b.author === q.author)
    .sort((a, b) => dir * (a.title.localeCompare(b.title) || a.id.localeCompare(b.id)));
  const start = (q.page - 1) * q.perPage;
  return {
    data: matching.slice(start, start + q.perPage),
    pagination: {
      page: q.page,
      per_page: q.perPage,
      total: matching.length,
      total_pages: Math.ceil(matching.length / q.perPage),
    },
  };
}
// #endregion list-response

// #region etag
// Here every stored book carries a version number that each write increases, and the ETag is made from it.
// (Hashing the JSON the client sees, as the lesson describes, works as well and needs no counter.)
type Stored = { book: Book; version: number };
const etagOf = (s: Stored) => `"${s.book.id}-v${s.version}"`;

/** True when one of the listed tags (or `*`) matches. Weak (W/) tags count only for If-None-Match. */
function listMatches(header: string, etag: string, allowWeak: boolean): boolean {
  return header.split(',').some((raw) => {
    const tag = raw.trim();
    if (tag === '*') return true;
    return tag.startsWith('W/') ? allowWeak && tag.slice(2) === etag : tag === etag;
  });
}

/** Sends a book with its ETag, or 304 with no body when the client's copy is current. */
function sendBook(c: Ctx, s: Stored, status: 200 | 201 = 200) {
  c.header('ETag', etagOf(s));
  const ifNoneMatch = c.req.header('If-None-Match');
  if (c.req.method === 'GET' && ifNoneMatch !== undefined && listMatches(ifNoneMatch, etagOf(s), true))
    return c.body(null, 304);
  return c.json(s.book, status);
}

/** A write that names a version other than the current one is refused; no If-Match means "go ahead". */
function failsIfMatch(c: Ctx, s: Stored): Response | undefined {
  const ifMatch = c.req.header('If-Match');
  if (ifMatch === undefined || listMatches(ifMatch, etagOf(s), false)) return undefined;
  return sendError(c, 412, 'precondition_failed', 'The book changed since you read it.');
}
// #endregion etag

export function createLibraryApp() {
  const books = new Map<string, Stored>();
  const loans = new Map<string, Loan>();
  const loanKeys = new Map<string, { fingerprint: string; loan: Loan }>();
  const app = new Hono<Env>();

  // #region request-id
  app.use(async (c, next) => {
    const id = `req_${randomUUID()}`;
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  });
  // #endregion request-id

  // #region serve-openapi
  // The menu: clients, SDK generators and documentation tools read the API's description from here.
  app.get('/openapi.json', (c) => c.json(libraryOpenApi));
  // #endregion serve-openapi

  const noBook = (c: Ctx) => sendError(c, 404, 'not_found', `No book with id "${c.req.param('id')}".`);
  const invalid = (c: Ctx, errors: FieldError[]) =>
    sendError(c, 400, 'validation_failed', 'The request is not valid.', errors);
  const isbnTaken = (isbn: string, exceptId?: string) =>
    [...books.values()].some((s) => s.book.isbn === isbn && s.book.id !== exceptId);

  app.get('/v1/books', (c) => {
    const q = checkBookQuery(c.req.query());
    if ('errors' in q) return invalid(c, q.errors);
    return c.json(
      bookPage(
        [...books.values()].map((s) => s.book),
        q.value,
      ),
    );
  });

  // #region create-book
  app.post('/v1/books', async (c) => {
    const body = await readJson(c);
    if ('error' in body) return body.error;
    const checked = checkBook(body.value, 'create');
    if ('errors' in checked) return invalid(c, checked.errors);
    const fields = checked.value as BookFields;
    if (isbnTaken(fields.isbn))
      return sendError(c, 409, 'isbn_taken', 'A book with this ISBN exists.', [{ field: 'isbn', message: 'is taken' }]);
    const now = new Date().toISOString();
    const stored: Stored = {
      book: { id: `bk_${randomUUID()}`, ...fields, created_at: now, updated_at: now },
      version: 1,
    };
    books.set(stored.book.id, stored);
    c.header('Location', `/v1/books/${stored.book.id}`);
    return sendBook(c, stored, 201);
  });
  // #endregion create-book

  // #region get-book
  app.get('/v1/books/:id', (c) => {
    const stored = books.get(c.req.param('id'));
    return stored ? sendBook(c, stored) : noBook(c);
  });
  // #endregion get-book

  // #region replace-and-patch
  // The order of the checks: does the book exist (404), is the client's version current (412), is the body JSON
  // (415, 400), are the fields valid (400), is the ISBN free (409). Only then is anything stored.
  for (const mode of ['replace', 'patch'] as const) {
    app.on(mode === 'replace' ? 'PUT' : 'PATCH', '/v1/books/:id', async (c) => {
      const stored = books.get(c.req.param('id'));
      if (!stored) return noBook(c);
      const stale = failsIfMatch(c, stored);
      if (stale) return stale;
      const body = await readJson(c);
      if ('error' in body) return body.error;
      const checked = checkBook(body.value, mode);
      if ('errors' in checked) return invalid(c, checked.errors);
      if (checked.value.isbn !== undefined && isbnTaken(checked.value.isbn, stored.book.id)) {
        return sendError(c, 409, 'isbn_taken', 'Another book has this ISBN.', [{ field: 'isbn', message: 'is taken' }]);
      }
      const next: Stored = {
        book: { ...stored.book, ...checked.value, updated_at: new Date().toISOString() },
        version: stored.version + 1,
      };
      books.set(stored.book.id, next);
      return sendBook(c, next);
    });
  }
  // #endregion replace-and-patch

  // #region delete-book
  // Idempotent in effect: after one DELETE or two, the book is gone. The second one answers 404.
  app.delete('/v1/books/:id', (c) => {
    const stored = books.get(c.req.param('id'));
    if (!stored) return noBook(c);
    const stale = failsIfMatch(c, stored);
    if (stale) return stale;
    books.delete(stored.book.id);
    return c.body(null, 204);
  });
  // #endregion delete-book

  // #region create-loan
  app.post('/v1/books/:id/loans', async (c) => {
    const stored = books.get(c.req.param('id'));
    if (!stored) return noBook(c);
    const key = c.req.header('Idempotency-Key');
    if (key !== undefined && !/^[\x21-\x7e]{8,200}$/.test(key)) {
      return invalid(c, [{ field: 'Idempotency-Key', message: 'must be 8 to 200 visible ASCII characters' }]);
    }
    const body = await readJson(c);
    if ('error' in body) return body.error;

    // The same request again means: the same book and the same parsed JSON (spacing does not matter).
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([stored.book.id, body.value]))
      .digest('base64url');
    const earlier = key === undefined ? undefined : loanKeys.get(key);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint)
        return sendError(c, 422, 'idempotency_key_reused', 'This key was used for another request.');
      c.header('Idempotent-Replayed', 'true');
      c.header('Location', `/v1/loans/${earlier.loan.id}`);
      return c.json(earlier.loan, 201);
    }

    const input = body.value as { member_id?: unknown; days?: unknown } | null;
    const errors: FieldError[] = [];
    if (typeof input?.member_id !== 'string' || !/^mem_\w+$/.test(input.member_id))
      errors.push({ field: 'member_id', message: 'must look like mem_123' });
    if (!Number.isInteger(input?.days) || (input?.days as number) < 1 || (input?.days as number) > 28)
      errors.push({ field: 'days', message: 'must be 1 to 28' });
    if (errors.length) return invalid(c, errors); // the key stays free for a corrected retry

    const loan: Loan = {
      id: `loan_${randomUUID()}`,
      book_id: stored.book.id,
      member_id: input!.member_id as string,
      days: input!.days as number,
      created_at: new Date().toISOString(),
    };
    // Saved together, and with no await since the lookup above: two copies of one request cannot both get here.
    loans.set(loan.id, loan);
    if (key !== undefined) loanKeys.set(key, { fingerprint, loan });
    c.header('Location', `/v1/loans/${loan.id}`);
    return c.json(loan, 201);
  });
  // #endregion create-loan

  // #region method-not-allowed
  // Registered after the real routes: a known path with another method gets 405 and the Allow header.
  const allowed: Record<string, string[]> = {
    '/v1/books': ['GET', 'HEAD', 'POST'],
    '/v1/books/:id': ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE'],
    '/v1/books/:id/loans': ['POST'],
  };
  for (const [path, methods] of Object.entries(allowed)) {
    app.all(path, (c) => {
      c.header('Allow', methods.join(', '));
      return sendError(c, 405, 'method_not_allowed', `Use ${methods.join(', ')} on this path.`);
    });
  }
  app.notFound((c) => sendError(c, 404, 'not_found', `No route ${c.req.method} ${c.req.path}.`));
  // #endregion method-not-allowed

  return app;
}

if (import.meta.main) {
  const { serve } = await import('@hono/node-server');
  serve({ fetch: createLibraryApp().fetch, port: Number(process.env.PORT ?? 3002) }, (info) =>
    console.log(`library API on http://localhost:${info.port}`),
  );
}
