import { Hono } from 'hono';
import type { StripeRoutesContext, Vars } from '../context.ts';
import { list } from '../context.ts';

/** `/v1/events`: list (by `type`, which may end in `.*`, or `types`) and retrieve. */
export function events({ store }: StripeRoutesContext): Hono<Vars> {
  const app = new Hono<Vars>();
  app.get('/', (c) => {
    const p = c.get('params');
    const type = typeof p.type === 'string' ? p.type : undefined;
    const types = Array.isArray(p.types) ? p.types : undefined;
    const matches = (t: string) =>
      (!type || (type.endsWith('.*') ? t.startsWith(type.slice(0, -1)) : t === type)) && (!types || types.includes(t));
    return c.json(list(c, [...store.events.values()], '/v1/events', (e) => matches(e.type)));
  });
  app.get('/:id', (c) => c.json(store.getOr404(store.events, 'event', c.req.param('id'))));
  return app;
}
