// The order service's OpenAPI 3.1 document, served at GET /openapi.json: the "menu" a client reads before ordering.
// Written by hand, next to the routes it describes; the lab's tests check every answer of the API against it.

// #region schemas
const timestamps = {
  created_at: { type: 'string', format: 'date-time', readOnly: true },
  updated_at: { type: 'string', format: 'date-time', readOnly: true },
};

const schemas = {
  Customer: {
    type: 'object',
    required: ['id', 'name', 'email', 'created_at', 'updated_at'],
    properties: {
      id: { type: 'string', pattern: '^cus_', readOnly: true, examples: ['cus_3b2f9c1e'] },
      name: { type: 'string', minLength: 1, maxLength: 100, examples: ['Ada Lovelace'] },
      email: { type: 'string', format: 'email', description: 'Unique among customers, ignoring case.' },
      ...timestamps,
    },
  },
  Order: {
    type: 'object',
    required: ['id', 'customer_id', 'status', 'total_cents', 'currency', 'note', 'created_at', 'updated_at'],
    properties: {
      id: { type: 'string', pattern: '^ord_', readOnly: true, examples: ['ord_8f2k0a1b'] },
      customer_id: { type: 'string', readOnly: true, description: 'Taken from the URL the order was created under.' },
      status: { $ref: '#/components/schemas/OrderStatus' },
      total_cents: { type: 'integer', minimum: 1, description: 'The total in minor units (cents).', examples: [4999] },
      currency: { type: 'string', pattern: '^[a-z]{3}$', description: 'ISO 4217, lower case.', examples: ['eur'] },
      note: { type: ['string', 'null'], maxLength: 500 },
      ...timestamps,
    },
  },
  OrderStatus: { type: 'string', enum: ['pending', 'paid', 'shipped', 'cancelled'] },
  Pagination: {
    type: 'object',
    required: ['page', 'per_page', 'total', 'total_pages'],
    properties: {
      page: { type: 'integer', minimum: 1 },
      per_page: { type: 'integer', minimum: 1, maximum: 100 },
      total: { type: 'integer', minimum: 0, description: 'Items that match the filters, on every page.' },
      total_pages: { type: 'integer', minimum: 0 },
    },
  },
  CustomerList: {
    type: 'object',
    required: ['data', 'pagination'],
    properties: {
      data: { type: 'array', items: { $ref: '#/components/schemas/Customer' } },
      pagination: { $ref: '#/components/schemas/Pagination' },
    },
  },
  OrderList: {
    type: 'object',
    required: ['data', 'pagination'],
    properties: {
      data: { type: 'array', items: { $ref: '#/components/schemas/Order' } },
      pagination: { $ref: '#/components/schemas/Pagination' },
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
            description: 'One entry per invalid field.',
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
};
// #endregion schemas

// Request bodies: PUT needs what POST needs (an order's status too); PATCH takes any of the fields.
const customerBody = {
  type: 'object',
  required: ['name', 'email'],
  properties: { name: schemas.Customer.properties.name, email: schemas.Customer.properties.email },
};
const orderFields = {
  status: { $ref: '#/components/schemas/OrderStatus' },
  total_cents: schemas.Order.properties.total_cents,
  currency: schemas.Order.properties.currency,
  note: schemas.Order.properties.note,
};

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, ...json(ref('Error')) });
const resource = (name: string, description: string) => ({
  description,
  headers: { ETag: { $ref: '#/components/headers/ETag' } },
  ...json(ref(name)),
});
const created = (name: string, location: string) => ({
  description: `Created; Location is ${location}.`,
  headers: { Location: { schema: { type: 'string' } }, ETag: { $ref: '#/components/headers/ETag' } },
  ...json(ref(name)),
});
const param = (name: string) => ({ $ref: `#/components/parameters/${name}` });
const errors = {
  badRequest: { $ref: '#/components/responses/BadRequest' },
  notFound: { $ref: '#/components/responses/NotFound' },
  unsupported: { $ref: '#/components/responses/UnsupportedMediaType' },
  stale: { $ref: '#/components/responses/PreconditionFailed' },
  taken: error('The e-mail belongs to another customer.'),
};
const notModified = { description: 'Not Modified: the ETag in If-None-Match is still current; no body.' };
const deleted = { description: 'Deleted; no body.' };

// #region document
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Tea shop order service',
    version: '1.0.0',
    description: 'Customers and their orders. Every error uses the Error envelope, one entry in details per field.',
  },
  servers: [{ url: 'http://localhost:3000' }],
  tags: [{ name: 'customers' }, { name: 'orders' }],
  paths: {
    '/v1/customers': {
      get: {
        tags: ['customers'],
        summary: 'List customers, newest first',
        parameters: [param('page'), param('per_page'), param('sort'), param('created_after')],
        responses: { '200': { description: 'One page of customers.', ...json(ref('CustomerList')) }, '400': errors.badRequest },
      },
      post: {
        tags: ['customers'],
        summary: 'Create a customer',
        requestBody: { required: true, ...json(customerBody) },
        responses: {
          '201': created('Customer', '/v1/customers/{id}'),
          '400': errors.badRequest,
          '409': errors.taken,
          '415': errors.unsupported,
        },
      },
    },
    '/v1/customers/{id}': {
      parameters: [param('id')],
      get: {
        tags: ['customers'],
        summary: 'Read a customer',
        parameters: [param('If-None-Match')],
        responses: { '200': resource('Customer', 'The customer.'), '304': notModified, '404': errors.notFound },
      },
      put: {
        tags: ['customers'],
        summary: 'Replace a customer',
        parameters: [param('If-Match')],
        requestBody: { required: true, ...json(customerBody) },
        responses: {
          '200': resource('Customer', 'The customer as stored.'),
          '400': errors.badRequest,
          '404': errors.notFound,
          '409': errors.taken,
          '412': errors.stale,
          '415': errors.unsupported,
        },
      },
      patch: {
        tags: ['customers'],
        summary: 'Change some fields of a customer',
        parameters: [param('If-Match')],
        requestBody: { required: true, ...json({ type: 'object', minProperties: 1, properties: customerBody.properties }) },
        responses: {
          '200': resource('Customer', 'The customer as stored.'),
          '400': errors.badRequest,
          '404': errors.notFound,
          '409': errors.taken,
          '412': errors.stale,
          '415': errors.unsupported,
        },
      },
      delete: {
        tags: ['customers'],
        summary: 'Delete a customer and their orders',
        parameters: [param('If-Match')],
        responses: { '204': deleted, '404': errors.notFound, '412': errors.stale },
      },
    },
    '/v1/customers/{id}/orders': {
      parameters: [param('id')],
      get: {
        tags: ['orders'],
        summary: "List a customer's orders, newest first",
        parameters: [param('page'), param('per_page'), param('sort'), param('status'), param('created_after')],
        responses: {
          '200': { description: 'One page of orders.', ...json(ref('OrderList')) },
          '400': errors.badRequest,
          '404': errors.notFound,
        },
      },
      post: {
        tags: ['orders'],
        summary: 'Create an order for the customer',
        parameters: [param('Idempotency-Key')],
        requestBody: { required: true, ...json({ type: 'object', required: ['total_cents', 'currency'], properties: orderFields }) },
        responses: {
          '201': created('Order', '/v1/orders/{id}'),
          '400': errors.badRequest,
          '404': errors.notFound,
          '415': errors.unsupported,
          '422': error('The Idempotency-Key was already used with a different body.'),
        },
      },
    },
    '/v1/orders/{id}': {
      parameters: [param('id')],
      get: {
        tags: ['orders'],
        summary: 'Read an order',
        parameters: [param('If-None-Match')],
        responses: { '200': resource('Order', 'The order.'), '304': notModified, '404': errors.notFound },
      },
      put: {
        tags: ['orders'],
        summary: 'Replace an order (a missing note becomes null)',
        parameters: [param('If-Match')],
        requestBody: {
          required: true,
          ...json({ type: 'object', required: ['status', 'total_cents', 'currency'], properties: orderFields }),
        },
        responses: {
          '200': resource('Order', 'The order as stored.'),
          '400': errors.badRequest,
          '404': errors.notFound,
          '412': errors.stale,
          '415': errors.unsupported,
        },
      },
      patch: {
        tags: ['orders'],
        summary: 'Change some fields of an order',
        parameters: [param('If-Match')],
        requestBody: { required: true, ...json({ type: 'object', minProperties: 1, properties: orderFields }) },
        responses: {
          '200': resource('Order', 'The order as stored.'),
          '400': errors.badRequest,
          '404': errors.notFound,
          '412': errors.stale,
          '415': errors.unsupported,
        },
      },
      delete: {
        tags: ['orders'],
        summary: 'Delete an order',
        parameters: [param('If-Match')],
        responses: { '204': deleted, '404': errors.notFound, '412': errors.stale },
      },
    },
  },
  components: {
    schemas,
    parameters: {
      id: { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
      page: { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
      per_page: { name: 'per_page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
      sort: { name: 'sort', in: 'query', schema: { type: 'string', enum: ['created_at', '-created_at'], default: '-created_at' } },
      status: { name: 'status', in: 'query', schema: ref('OrderStatus') },
      created_after: {
        name: 'created_after',
        in: 'query',
        description: 'Only items created strictly later.',
        schema: { type: 'string', format: 'date-time' },
      },
      'If-None-Match': { name: 'If-None-Match', in: 'header', schema: { type: 'string' } },
      'If-Match': { name: 'If-Match', in: 'header', description: 'A stale ETag gets 412 and changes nothing.', schema: { type: 'string' } },
      'Idempotency-Key': {
        name: 'Idempotency-Key',
        in: 'header',
        description: 'A retry with the same key and body gets the first answer again; another body gets 422.',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      },
    },
    headers: {
      ETag: { description: 'A strong ETag of the representation.', schema: { type: 'string' } },
    },
    responses: {
      BadRequest: error('Malformed JSON, an invalid or missing field, or a query value that makes no sense.'),
      NotFound: error('No such customer or order.'),
      UnsupportedMediaType: error('The body was not sent as application/json.'),
      PreconditionFailed: error('If-Match names a version that is no longer current.'),
    },
  },
};
// #endregion document
