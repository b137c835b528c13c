import { Hono } from 'hono';
import type { Context } from 'hono';
import type { DeliveryRecord } from '../../engine/index.ts';
import type { GitHubRoutesContext } from '../context.ts';
import { gh, hookOf, validation } from '../context.ts';
import type { Hook, RepoState } from '../store.ts';

function deliverySummary(d: DeliveryRecord, state: RepoState) {
  const last = d.attempts.filter((a) => a.kind !== 'duplicate').at(-1);
  const [event, action] = d.event_type.split('.');
  return {
    id: d.seq,
    guid: d.id,
    delivered_at: last?.started_at ?? d.created_at,
    redelivery: last?.kind === 'replay',
    duration: (last?.duration_ms ?? 0) / 1000,
    status:
      d.status === 'skipped'
        ? 'payload too large'
        : last?.succeeded
          ? 'OK'
          : last?.response
            ? `Invalid HTTP Response: ${last.response.status}`
            : (last?.error ?? 'pending'),
    status_code: last?.response?.status ?? 0,
    event,
    action: action ?? null,
    installation_id: null,
    repository_id: state.repo.id,
    throttled_at: null,
  };
}

/** `/repos/:owner/:repo/hooks/:hook_id/deliveries`: a hook's recent deliveries, one in full, and redelivery. */
export function deliveries({ store, engine }: GitHubRoutesContext): Hono {
  const app = new Hono();
  const deliveryOf = (c: Context, hook: Hook) =>
    engine.list({ endpointId: String(hook.id) }).find((d) => d.seq === Number(c.req.param('delivery_id')));

  app.get('/', (c) => {
    const found = hookOf(store, c);
    if (!found) return gh(c, 404, 'Not Found');
    return c.json(
      engine
        .list({ endpointId: String(found.hook.id) })
        .reverse()
        .map((d) => deliverySummary(d, found.state)),
    );
  });
  app.get('/:delivery_id', (c) => {
    const found = hookOf(store, c);
    const d = found && deliveryOf(c, found.hook);
    if (!found || !d) return gh(c, 404, 'Not Found');
    const last = d.attempts.at(-1);
    let payload: unknown = d.body;
    try {
      payload = JSON.parse(d.body.startsWith('payload=') ? decodeURIComponent(d.body.slice(8)) : d.body);
    } catch {
      /* shown as sent */
    }
    return c.json({
      ...deliverySummary(d, found.state),
      url: d.url,
      request: { headers: last?.request.headers ?? {}, payload },
      response: { headers: last?.response?.headers ?? {}, payload: last?.response?.body ?? null },
    });
  });
  // Redelivery: the same GUID and payload, signed again; GitHub answers 202 at once and sends in the background.
  app.post('/:delivery_id/attempts', (c) => {
    const found = hookOf(store, c);
    const d = found && deliveryOf(c, found.hook);
    if (!found || !d) return gh(c, 404, 'Not Found');
    if (d.status === 'skipped')
      return validation(c, 'HookDelivery', 'payload', 'This delivery was never sent (payload too large)');
    void engine.replay(d.id);
    return c.json({}, 202);
  });
  return app;
}
