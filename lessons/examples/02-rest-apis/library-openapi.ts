// The library API's OpenAPI 3.1 document: every route of library.ts, what it takes and what it answers. The library
// serves it at GET /openapi.json, and the course site draws its API reference page from this same object.

// #region info
export const libraryOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'Library API',
    version: '1.0.0',
    description: 'Books on the shelves of a small library, and loans of them to members.',
  },
  servers: [{ url: 'http://localhost:3002', description: 'node lessons/examples/02-rest-apis/library.ts' }],
  // #endregion info
  // #region paths
  paths: {
    '/v1/books/{id}': {
      // A parameter declared on the path applies to every operation under it.
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', examples: ['bk_1f0c'] } }],
      get: {
        operationId: 'getBook',
        summary: 'Read one book',
        parameters: [{ name: 'If-None-Match', in: 'header', schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'The book, with its ETag.',
            headers: { ETag: { schema: { type: 'string' } } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Book' } } },
          },
          '304': { description: 'The ETag in If-None-Match is still current; no body.' },
          '404': { $ref: '#/components/responses/NotFound' },
        },
      },
      patch: {
        operationId: 'patchBook',
        summary: 'Change some fields of a book',
        parameters: [{ name: 'If-Match', in: 'header', schema: { type: 'string' } }],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/BookPatch' } } },
        },
        responses: {
          '200': {
            description: 'The book as stored.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Book' } } },
          },
          '400': { $ref: '#/components/responses/Invalid' },
          '404': { $ref: '#/components/responses/NotFound' },
          '409': { $ref: '#/components/responses/IsbnTaken' },
          '412': { $ref: '#/components/responses/Stale' },
          '415': { $ref: '#/components/responses/NotJson' },
        },
      },
      // #endregion paths
      put: {
        operationId: 'replaceBook',
        summary: 'Replace a book (a missing shelf becomes null)',
        parameters: [{ name: 'If-Match', in: 'header', schema: { type: 'string' } }],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewBook' } } },
        },
        responses: {
          '200': {
            description: 'The book as stored.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Book' } } },
          },
          '400': { $ref: '#/components/responses/Invalid' },
          '404': { $ref: '#/components/responses/NotFound' },
          '409': { $ref: '#/components/responses/IsbnTaken' },
          '412': { $ref: '#/components/responses/Stale' },
          '415': { $ref: '#/components/responses/NotJson' },
        },
      },
      delete: {
        operationId: 'deleteBook',
        summary: 'Take a book off the catalogue',
        parameters: [{ name: 'If-Match', in: 'header', schema: { type: 'string' } }],
        responses: {
          '204': { description: 'Deleted; no body.' },
          '404': { $ref: '#/components/responses/NotFound' },
          '412': { $ref: '#/components/responses/Stale' },
        },
      },
    },
    '/v1/books': {
      get: {
        operationId: 'listBooks',
        summary: 'List books by title',
        parameters: [
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
          { name: 'per_page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 50, default: 10 } },
          { name: 'sort', in: 'query', schema: { type: 'string', enum: ['title', '-title'], default: 'title' } },
          {
            name: 'author',
            in: 'query',
            description: 'Only books by exactly this author.',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': {
            description: 'One page of books.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/BookPage' } } },
          },
          '400': { $ref: '#/components/responses/Invalid' },
        },
      },
      post: {
        operationId: 'createBook',
        summary: 'Add a book',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewBook' } } },
        },
        responses: {
          '201': {
            description: 'Added; Location is /v1/books/{id}.',
            headers: { Location: { schema: { type: 'string' } }, ETag: { schema: { type: 'string' } } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Book' } } },
          },
          '400': { $ref: '#/components/responses/Invalid' },
          '409': { $ref: '#/components/responses/IsbnTaken' },
          '415': { $ref: '#/components/responses/NotJson' },
        },
      },
    },
    '/v1/books/{id}/loans': {
      post: {
        operationId: 'lendBook',
        summary: 'Lend a book to a member',
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          {
            name: 'Idempotency-Key',
            in: 'header',
            description: 'A retry with the same key and body gets the first loan back; another body gets 422.',
            schema: { type: 'string', pattern: '^[\\x21-\\x7e]{8,200}$' },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['member_id', 'days'],
                properties: {
                  member_id: { type: 'string', pattern: '^mem_\\w+$' },
                  days: { type: 'integer', minimum: 1, maximum: 28 },
                },
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'The loan (the first one again for a retried key).',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Loan' } } },
          },
          '400': { $ref: '#/components/responses/Invalid' },
          '404': { $ref: '#/components/responses/NotFound' },
          '415': { $ref: '#/components/responses/NotJson' },
          '422': {
            description: 'The Idempotency-Key was used for another request.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        },
      },
    },
  },
  // #region components
  components: {
    schemas: {
      Book: {
        type: 'object',
        required: ['id', 'isbn', 'title', 'author', 'shelf', 'created_at', 'updated_at'],
        properties: {
          id: { type: 'string', readOnly: true },
          isbn: { type: 'string', pattern: '^97[89]\\d{10}$', examples: ['9780262033848'] },
          title: { type: 'string', minLength: 1, maxLength: 200 },
          author: { type: 'string', minLength: 1, maxLength: 100 },
          shelf: { type: ['string', 'null'], pattern: '^[A-Z]\\d{1,3}$', description: 'null: not shelved yet' },
          created_at: { type: 'string', format: 'date-time', readOnly: true },
          updated_at: { type: 'string', format: 'date-time', readOnly: true },
        },
      },
      NewBook: {
        type: 'object',
        required: ['isbn', 'title', 'author'],
        properties: {
          isbn: { $ref: '#/components/schemas/Book/properties/isbn' },
          title: { $ref: '#/components/schemas/Book/properties/title' },
          author: { $ref: '#/components/schemas/Book/properties/author' },
          shelf: { $ref: '#/components/schemas/Book/properties/shelf' },
        },
      },
      // A PATCH takes any of the fields, at least one: the same properties, none required.
      BookPatch: {
        type: 'object',
        minProperties: 1,
        properties: {
          isbn: { $ref: '#/components/schemas/Book/properties/isbn' },
          title: { $ref: '#/components/schemas/Book/properties/title' },
          author: { $ref: '#/components/schemas/Book/properties/author' },
          shelf: { $ref: '#/components/schemas/Book/properties/shelf' },
        },
      },
      BookPage: {
        type: 'object',
        required: ['data', 'pagination'],
        properties: {
          data: { type: 'array', items: { $ref: '#/components/schemas/Book' } },
          pagination: {
            type: 'object',
            required: ['page', 'per_page', 'total', 'total_pages'],
            properties: {
              page: { type: 'integer' },
              per_page: { type: 'integer' },
              total: { type: 'integer' },
              total_pages: { type: 'integer' },
            },
          },
        },
      },
      Loan: {
        type: 'object',
        required: ['id', 'book_id', 'member_id', 'days', 'created_at'],
        properties: {
          id: { type: 'string' },
          book_id: { type: 'string' },
          member_id: { type: 'string' },
          days: { type: 'integer', minimum: 1, maximum: 28 },
          created_at: { type: 'string', format: 'date-time' },
        },
      },
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message', 'details', 'request_id', 'timestamp'],
            properties: {
              code: { type: 'string', examples: ['validation_failed'] },
              message: { type: 'string' },
              details: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['field', 'message'],
                  properties: { field: { type: 'string' }, message: { type: 'string' } },
                },
              },
              request_id: { type: 'string' },
              timestamp: { type: 'string', format: 'date-time' },
            },
          },
        },
      },
    },
    responses: {
      Invalid: {
        description: 'Malformed JSON, or fields (or query values) that break the rules; details names each one.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
      NotFound: {
        description: 'No such book.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
      // #endregion components
      IsbnTaken: {
        description: 'Another book has this ISBN.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
      Stale: {
        description: 'If-Match names a version of the book that is no longer current.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
      NotJson: {
        description: 'The body was not sent as JSON.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  },
};
