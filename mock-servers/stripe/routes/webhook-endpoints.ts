import { Hono } from 'hono';
import { newSigningSecret } from '../../engine/index.ts';
import type { StripeRoutesContext, Vars } from '../context.ts';
import { list } from '../context.ts';
import { invalid } from '../errors.ts';
import { allowOnly, bool, mergeMetadata, str, strArray } from '../params.ts';
import type { WebhookEndpointObject } from '../store.ts';

/** The secret is shown once, on creation (as on Stripe). */
const withoutSecret = (e: WebhookEndpointObject): WebhookEndpointObject => {
  const copy = { ...e };
  delete copy.secret;
  return copy;
};
/** An endpoint URL must be http(s) (also checked for `POST /_control/endpoints`). */
export const checkUrl = (url: string) => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`Invalid URL: ${url}`, 'url_invalid', 'url');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw invalid('Invalid URL: must be http or https', 'url_invalid', 'url');
  return url;
};
/** Event types, or `*` (also checked for `POST /_control/endpoints`). */
export const checkEvents = (events: string[]) => {
  const bad = events.find((e) => e !== '*' && !/^[a-z_]+(\.[a-z_]+)+$/.test(e));
  if (bad !== undefined)
    throw invalid(`Invalid enabled_events: ${bad} is not an event type`, 'parameter_invalid_string', 'enabled_events');
  if (events.length === 0)
    throw invalid('enabled_events must not be empty', 'parameter_invalid_array', 'enabled_events');
  return events;
};

/** `/v1/webhook_endpoints`: create (the only answer with the secret), list, retrieve, update, delete. */
export function webhookEndpoints({ store, ids, latency }: StripeRoutesContext): Hono<Vars> {
  const app = new Hono<Vars>();
  app.post('/', async (c) => {
    const p = c.get('params');
    allowOnly(p, ['url', 'enabled_events', 'description', 'metadata', 'api_version', 'connect']);
    const url = checkUrl(str(p, 'url', true));
    const events = checkEvents(strArray(p, 'enabled_events', true)!);
    await latency();
    return c.json(
      store.createEndpoint(
        {
          url,
          enabled_events: events,
          description: str(p, 'description') ?? null,
          metadata: mergeMetadata({}, p),
          api_version: str(p, 'api_version') ?? null,
        },
        newSigningSecret('stripe', ids),
      ),
    );
  });
  app.get('/', (c) => c.json(list(c, [...store.endpoints.values()].map(withoutSecret), '/v1/webhook_endpoints')));
  app.get('/:id', (c) => c.json(withoutSecret(store.getOr404(store.endpoints, 'webhook_endpoint', c.req.param('id')))));
  app.post('/:id', async (c) => {
    const p = c.get('params');
    allowOnly(p, ['url', 'enabled_events', 'description', 'metadata', 'disabled']);
    const endpoint = store.getOr404(store.endpoints, 'webhook_endpoint', c.req.param('id'));
    const url = str(p, 'url');
    const events = strArray(p, 'enabled_events');
    const disabled = bool(p, 'disabled');
    // Every check first, then the change: a rejected update leaves the endpoint as it was.
    const changes = {
      ...(url !== undefined ? { url: checkUrl(url) } : {}),
      ...(events !== undefined ? { enabled_events: checkEvents(events) } : {}),
      ...(disabled !== undefined ? { status: disabled ? ('disabled' as const) : ('enabled' as const) } : {}),
      description: str(p, 'description') ?? endpoint.description,
      metadata: mergeMetadata(endpoint.metadata, p),
    };
    Object.assign(endpoint, changes);
    return c.json(withoutSecret(endpoint));
  });
  app.delete('/:id', (c) => {
    const endpoint = store.getOr404(store.endpoints, 'webhook_endpoint', c.req.param('id'));
    store.endpoints.delete(endpoint.id);
    return c.json({ id: endpoint.id, object: 'webhook_endpoint', deleted: true });
  });
  return app;
}
