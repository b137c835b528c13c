import { Hono } from 'hono';
import type { StripeRoutesContext, Vars } from '../context.ts';
import { list, requestInfo } from '../context.ts';
import { allowOnly, mergeMetadata, str } from '../params.ts';

const customerFields = ['email', 'name', 'description', 'phone', 'metadata'];

/** `/v1/customers`: create, list (by `email`), retrieve, update, delete. */
export function customers({ store, latency }: StripeRoutesContext): Hono<Vars> {
  const app = new Hono<Vars>();
  app.post('/', async (c) => {
    const p = c.get('params');
    allowOnly(p, [...customerFields, 'payment_method']);
    await latency();
    return c.json(
      store.createCustomer(
        {
          email: str(p, 'email') ?? null,
          name: str(p, 'name') ?? null,
          description: str(p, 'description') ?? null,
          phone: str(p, 'phone') ?? null,
          metadata: mergeMetadata({}, p),
        },
        requestInfo(c),
      ),
    );
  });
  app.get('/', (c) =>
    c.json(
      list(
        c,
        [...store.customers.values()],
        '/v1/customers',
        (x) => !c.get('params').email || x.email === c.get('params').email,
      ),
    ),
  );
  app.get('/:id', (c) => c.json(store.getOr404(store.customers, 'customer', c.req.param('id'))));
  app.post('/:id', async (c) => {
    const p = c.get('params');
    allowOnly(p, customerFields);
    const customer = store.getOr404(store.customers, 'customer', c.req.param('id'));
    await latency();
    const changes: Record<string, unknown> = { metadata: mergeMetadata(customer.metadata, p) };
    for (const field of ['email', 'name', 'description', 'phone'])
      if (p[field] !== undefined) changes[field] = str(p, field) ?? null;
    return c.json(store.updateCustomer(customer, changes, requestInfo(c)));
  });
  app.delete('/:id', (c) => {
    const customer = store.getOr404(store.customers, 'customer', c.req.param('id'));
    store.customers.delete(customer.id);
    store.emit('customer.deleted', customer, requestInfo(c));
    return c.json({ id: customer.id, object: 'customer', deleted: true });
  });
  return app;
}
