// The order service's routes: customers and their orders under /v1.
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { methodNotAllowed, readJson, requestId, sendError, sendResource, staleIfMatch, type AppContext, type AppEnv } from './http.ts';
import { openApiDocument } from './openapi.ts';
import type { Customer, CustomerFields, Order, OrderFields, Repository } from './repository.ts';
import { checkCustomer, checkListQuery, checkOrder, type ListQuery } from './validation.ts';

// #region list-response
/** Filter, sort and cut one page out of a collection, with the metadata a client needs to draw "page 2 of 8". */
function listResponse<T extends { id: string; created_at: string; status?: string }>(c: AppContext, items: T[], q: ListQuery) {
  const direction = q.sort === '-created_at' ? -1 : 1;
  const matching = items
    .filter((item) => q.status === undefined || item.status === q.status)
    .filter((item) => q.createdAfter === undefined || Date.parse(item.created_at) > q.createdAfter)
    // created_at is unique here (see the repository); the id breaks ties anyway, so pages can never overlap.
    .sort((a, b) => direction * (a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id)));
  const data = matching.slice((q.page - 1) * q.perPage, q.page * q.perPage);
  return c.json({
    data,
    pagination: { page: q.page, per_page: q.perPage, total: matching.length, total_pages: Math.ceil(matching.length / q.perPage) },
  });
}
// #endregion list-response

export function createApp(repo: Repository) {
  const app = new Hono<AppEnv>();
  app.use(requestId);

  const notFound = (c: AppContext, what: string) => sendError(c, 404, 'not_found', `No ${what} with id "${c.req.param('id')}".`);
  const invalid = (c: AppContext, what: string, details: { field: string; message: string }[]) =>
    sendError(c, 400, 'validation_failed', `The ${what} is not valid.`, details);
  const emailTaken = (c: AppContext, email: string) =>
    sendError(c, 409, 'email_taken', 'Another customer already uses this e-mail address.', [{ field: 'email', message: `${email} is taken` }]);

  app.get('/health', (c) => c.json({ status: 'ok' }));
  // The menu: what a client may call and what it gets back (openapi.ts).
  app.get('/openapi.json', (c) => c.json(openApiDocument));

  // ---- customers ----
  app.get('/v1/customers', (c) => {
    const query = checkListQuery(c.req.query(), ['created_after']);
    if (!query.ok) return invalid(c, 'query', query.errors);
    return listResponse(c, repo.listCustomers(), query.value);
  });

  // #region create-customer
  app.post('/v1/customers', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const checked = checkCustomer(body.value, 'whole');
    if (!checked.ok) return invalid(c, 'customer', checked.errors);
    const fields = checked.value as CustomerFields;
    if (repo.findCustomerByEmail(fields.email)) return emailTaken(c, fields.email);
    const customer = repo.createCustomer(fields);
    c.header('Location', `/v1/customers/${customer.id}`);
    return sendResource(c, customer, 201);
  });
  // #endregion create-customer
  app.all('/v1/customers', methodNotAllowed(['GET', 'HEAD', 'POST']));

  app.get('/v1/customers/:id', (c) => {
    const customer = repo.getCustomer(c.req.param('id'));
    return customer ? sendResource(c, customer) : notFound(c, 'customer');
  });

  /** PUT and PATCH differ only in what the body must contain; both keep e-mails unique. */
  const writeCustomer = (mode: 'whole' | 'patch') => async (c: AppContext) => {
    const current = repo.getCustomer(c.req.param('id')!);
    if (!current) return notFound(c, 'customer');
    const stale = staleIfMatch(c, current);
    if (stale) return stale;
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const checked = checkCustomer(body.value, mode);
    if (!checked.ok) return invalid(c, 'customer', checked.errors);
    const email = checked.value.email;
    const owner = email === undefined ? undefined : repo.findCustomerByEmail(email);
    if (email !== undefined && owner && owner.id !== current.id) return emailTaken(c, email);
    return sendResource(c, repo.updateCustomer(current.id, checked.value) as Customer);
  };
  app.put('/v1/customers/:id', writeCustomer('whole'));
  app.patch('/v1/customers/:id', writeCustomer('patch'));

  app.delete('/v1/customers/:id', (c) => {
    const current = repo.getCustomer(c.req.param('id'));
    if (!current) return notFound(c, 'customer');
    const stale = staleIfMatch(c, current);
    if (stale) return stale;
    repo.deleteCustomer(current.id);
    return c.body(null, 204);
  });
  app.all('/v1/customers/:id', methodNotAllowed(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']));

  // ---- a customer's orders ----
  app.get('/v1/customers/:id/orders', (c) => {
    const customer = repo.getCustomer(c.req.param('id'));
    if (!customer) return notFound(c, 'customer');
    const query = checkListQuery(c.req.query(), ['status', 'created_after']);
    if (!query.ok) return invalid(c, 'query', query.errors);
    return listResponse(c, repo.listOrders(customer.id), query.value);
  });

  // #region create-order
  app.post('/v1/customers/:id/orders', async (c) => {
    const customer = repo.getCustomer(c.req.param('id'));
    if (!customer) return notFound(c, 'customer');
    const key = c.req.header('Idempotency-Key');
    if (key !== undefined && (key.length < 1 || key.length > 255)) {
      return invalid(c, 'request', [{ field: 'Idempotency-Key', message: 'must be 1 to 255 characters' }]);
    }
    const body = await readJson(c);
    if (!body.ok) return body.response;

    // A retry must be the same request: same customer, same JSON (whitespace does not matter).
    const fingerprint = createHash('sha256').update(`${customer.id}\n${JSON.stringify(body.value)}`).digest('hex');
    const remembered = key === undefined ? undefined : repo.recallIdempotencyKey(key);
    if (remembered) {
      if (remembered.fingerprint !== fingerprint) {
        return sendError(c, 422, 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request.');
      }
      // The first answer again, byte for byte: no second order is created.
      c.header('Idempotent-Replayed', 'true');
      c.header('Location', `/v1/orders/${remembered.order.id}`);
      return sendResource(c, remembered.order, 201);
    }

    const checked = checkOrder(body.value, 'create');
    if (!checked.ok) return invalid(c, 'order', checked.errors);
    // No await between the lookup above and this write: two copies of one request cannot both get here.
    const order = repo.createOrder(customer.id, checked.value as OrderFields, key === undefined ? undefined : { key, fingerprint });
    c.header('Location', `/v1/orders/${order.id}`);
    return sendResource(c, order, 201);
  });
  // #endregion create-order
  app.all('/v1/customers/:id/orders', methodNotAllowed(['GET', 'HEAD', 'POST']));

  // ---- one order ----
  // #region get-order
  app.get('/v1/orders/:id', (c) => {
    const order = repo.getOrder(c.req.param('id'));
    return order ? sendResource(c, order) : notFound(c, 'order');
  });
  // #endregion get-order

  // #region replace-and-patch
  const writeOrder = (mode: 'replace' | 'patch') => async (c: AppContext) => {
    const current = repo.getOrder(c.req.param('id')!);
    if (!current) return notFound(c, 'order');
    const stale = staleIfMatch(c, current);
    if (stale) return stale;
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const checked = checkOrder(body.value, mode);
    if (!checked.ok) return invalid(c, 'order', checked.errors);
    return sendResource(c, repo.updateOrder(current.id, checked.value) as Order);
  };
  app.put('/v1/orders/:id', writeOrder('replace'));
  app.patch('/v1/orders/:id', writeOrder('patch'));
  // #endregion replace-and-patch

  // #region delete-order
  // DELETE is idempotent in its effect: after one or two calls the order is gone. The second call answers 404,
  // because there is nothing left to delete and the client may want to know.
  app.delete('/v1/orders/:id', (c) => {
    const current = repo.getOrder(c.req.param('id'));
    if (!current) return notFound(c, 'order');
    const stale = staleIfMatch(c, current);
    if (stale) return stale;
    repo.deleteOrder(current.id);
    return c.body(null, 204);
  });
  // #endregion delete-order
  app.all('/v1/orders/:id', methodNotAllowed(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']));

  app.notFound((c) => sendError(c, 404, 'not_found', `No route ${c.req.method} ${c.req.path}.`));
  app.onError((error, c) => {
    console.error(error); // the details go to the log, never to the client
    return sendError(c, 500, 'internal', 'Something went wrong on our side.');
  });
  return app;
}
