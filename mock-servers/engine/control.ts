import { readFileSync } from 'node:fs';
import type { Context, Env, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { controlError } from '../shared/index.ts';
import type { ControlApi } from '../shared/index.ts';
import type { DeliveryEngine, DeliveryRecord } from './engine.ts';

const INSPECTOR_HTML = readFileSync(new URL('./inspector.html', import.meta.url), 'utf8');

/** What a webhook mock plugs into its control API for the delivery engine. */
export interface EngineControlHooks {
  /** Shown in the inspector's title. */
  title: string;
  engine: DeliveryEngine;
  /** `POST /_control/events`: make the mock emit an event; returns what to answer (201). */
  trigger(body: Record<string, unknown>): Promise<unknown> | unknown;
}

/**
 * Plug the delivery engine into a mock's control API (`createControlApi`): events, deliveries and replay, faults, the
 * live stream, and `/_inspector` on the app; `POST /_control/reset` resets the engine too. Call before `ctl.mount()`.
 * Returns a function that ends the open event streams (so the HTTP server can close).
 */
export function mountEngineControl<E extends Env>(
  ctl: ControlApi,
  app: Hono<E>,
  hooks: EngineControlHooks,
): () => void {
  const { engine } = hooks;
  const { routes } = ctl;
  const streamClosers = new Set<() => void>();
  ctl.onReset(() => engine.reset());
  ctl.listAlso('GET /_inspector');

  const findDelivery = (c: Context): DeliveryRecord | Response =>
    engine.get(c.req.param('id') ?? '') ??
    controlError(c, 404, 'not_found', `No delivery with id ${c.req.param('id')}`);

  routes.post('/events', async (c) => {
    const body = await ctl.readJson(c);
    if (!body.ok) return body.response;
    // A ControlInputError thrown by the trigger is answered by the control API's error handler.
    return c.json((await hooks.trigger(body.value)) as object, 201);
  });

  routes.get('/deliveries', (c) => {
    const limit = Number(c.req.query('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return controlError(c, 400, 'invalid_parameter', 'limit must be an integer from 1 to 1000', [
        { field: 'limit', message: 'out of range' },
      ]);
    }
    const filter: { endpointId?: string; eventType?: string; status?: string } = {};
    const endpointId = c.req.query('endpoint_id');
    const eventType = c.req.query('event_type');
    const status = c.req.query('status');
    if (endpointId) filter.endpointId = endpointId;
    if (eventType) filter.eventType = eventType;
    if (status) filter.status = status;
    // Newest first, like the vendors' own delivery lists.
    return c.json({ data: engine.list(filter).reverse().slice(0, limit) });
  });

  routes.get('/deliveries/:id', (c) => {
    const found = findDelivery(c);
    return found instanceof Response ? found : c.json(found);
  });

  routes.post('/deliveries/:id/replay', async (c) => {
    const found = findDelivery(c);
    if (found instanceof Response) return found;
    if (found.status === 'skipped')
      return controlError(c, 409, 'not_replayable', `Delivery ${found.id} was never sent: ${found.skip_reason}`);
    const attempt = await engine.replay(found.id);
    return c.json({ delivery: engine.get(found.id) ?? found, attempt: attempt ?? null });
  });

  routes.get('/faults', (c) => c.json({ data: engine.faults.list() }));
  routes.post('/faults', async (c) => {
    const body = await ctl.readJson(c);
    if (!body.ok) return body.response;
    const result = engine.faults.add(body.value);
    if ('errors' in result) return controlError(c, 422, 'invalid_fault', 'The fault rule is not valid', result.errors);
    return c.json(result.rule, 201);
  });
  routes.delete('/faults', (c) => {
    engine.faults.clear();
    return c.json({ data: [] });
  });
  routes.delete('/faults/:id', (c) =>
    engine.faults.remove(c.req.param('id'))
      ? c.json({ id: c.req.param('id'), deleted: true })
      : controlError(c, 404, 'not_found', `No fault rule ${c.req.param('id')}`),
  );

  // Live delivery changes for the inspector (and anyone curious: `curl -N …/_control/stream`).
  routes.get('/stream', (c) =>
    streamSSE(c, async (stream) => {
      let finish: () => void = () => {};
      const done = new Promise<void>((resolve) => (finish = resolve));
      const unsubscribe = engine.subscribe((change) => {
        void stream.writeSSE({ event: change.type, data: JSON.stringify(change.delivery) });
      });
      streamClosers.add(finish);
      stream.onAbort(finish);
      await stream.writeSSE({ event: 'ready', data: '{}' });
      await done;
      unsubscribe();
      streamClosers.delete(finish);
    }),
  );

  app.get('/_inspector', (c) => c.html(INSPECTOR_HTML.replaceAll('{{TITLE}}', hooks.title)));

  return () => {
    for (const finish of streamClosers) finish();
    streamClosers.clear();
  };
}
