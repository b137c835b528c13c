import { readFileSync } from 'node:fs';
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { controlError, limitBody, mediaType, parseJsonObject } from '../shared/index.ts';
import type { ErrorDetail } from '../shared/index.ts';
import type { DeliveryEngine, DeliveryRecord } from './engine.ts';

const INSPECTOR_HTML = readFileSync(new URL('./inspector.html', import.meta.url), 'utf8');
const CONTROL_BODY_LIMIT = 1024 * 1024;

/** Thrown by a mock's trigger to answer the control API with a 4xx in our envelope. */
export class ControlInputError extends Error {
  readonly status: 400 | 404 | 409 | 422;
  readonly code: string;
  readonly details: ErrorDetail[];
  constructor(status: 400 | 404 | 409 | 422, code: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** What a webhook mock plugs into the shared control API. */
export interface ControlHooks {
  /** Shown in the inspector's title. */
  title: string;
  engine: DeliveryEngine;
  /** `POST /_control/events`: make the mock emit an event; returns what to answer (201). */
  trigger(body: Record<string, unknown>): Promise<unknown> | unknown;
  /** `GET /_control/secrets`: API keys, tokens and signing secrets a test or grader needs. */
  secrets(): Record<string, unknown>;
  /** `POST /_control/reset`: the mock's own state (the engine is reset too). */
  reset(): void;
}

export const isControlPath = (path: string): boolean => path === '/_control' || path.startsWith('/_control/');

/**
 * Add `/_control/…` and `/_inspector` to a mock's app. Returns a function that ends the open event streams
 * (so the HTTP server can close).
 */
export function mountControl(app: Hono, hooks: ControlHooks): () => void {
  const { engine } = hooks;
  const streamClosers = new Set<() => void>();

  app.use(
    '/_control/*',
    limitBody(CONTROL_BODY_LIMIT, (c) =>
      controlError(c, 413, 'payload_too_large', `Request body is over ${CONTROL_BODY_LIMIT} bytes`),
    ),
  );

  async function jsonBody(c: Context): Promise<Record<string, unknown> | Response> {
    const raw = await c.req.text();
    if (raw.trim() !== '' && mediaType(c) !== 'application/json') {
      return controlError(c, 415, 'unsupported_media_type', 'Send the body as application/json');
    }
    const parsed = parseJsonObject(raw);
    if (!parsed.ok) return controlError(c, 400, 'invalid_json', parsed.message);
    return parsed.value;
  }

  const findDelivery = (c: Context): DeliveryRecord | Response =>
    engine.get(c.req.param('id') ?? '') ??
    controlError(c, 404, 'not_found', `No delivery with id ${c.req.param('id')}`);

  app.get('/_control', (c) =>
    c.json({
      mock: hooks.title,
      routes: [
        'POST /_control/events',
        'GET /_control/deliveries',
        'GET /_control/deliveries/:id',
        'POST /_control/deliveries/:id/replay',
        'GET /_control/faults',
        'POST /_control/faults',
        'DELETE /_control/faults',
        'DELETE /_control/faults/:id',
        'POST /_control/reset',
        'GET /_control/secrets',
        'GET /_control/stream',
        'GET /_inspector',
      ],
    }),
  );

  app.post('/_control/events', async (c) => {
    const body = await jsonBody(c);
    if (body instanceof Response) return body;
    try {
      return c.json((await hooks.trigger(body)) as object, 201);
    } catch (err) {
      if (err instanceof ControlInputError) return controlError(c, err.status, err.code, err.message, err.details);
      throw err;
    }
  });

  app.get('/_control/deliveries', (c) => {
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

  app.get('/_control/deliveries/:id', (c) => {
    const found = findDelivery(c);
    return found instanceof Response ? found : c.json(found);
  });

  app.post('/_control/deliveries/:id/replay', async (c) => {
    const found = findDelivery(c);
    if (found instanceof Response) return found;
    if (found.status === 'skipped')
      return controlError(c, 409, 'not_replayable', `Delivery ${found.id} was never sent: ${found.skip_reason}`);
    const attempt = await engine.replay(found.id);
    return c.json({ delivery: engine.get(found.id) ?? found, attempt: attempt ?? null });
  });

  app.get('/_control/faults', (c) => c.json({ data: engine.faults.list() }));
  app.post('/_control/faults', async (c) => {
    const body = await jsonBody(c);
    if (body instanceof Response) return body;
    const result = engine.faults.add(body);
    if ('errors' in result) return controlError(c, 422, 'invalid_fault', 'The fault rule is not valid', result.errors);
    return c.json(result.rule, 201);
  });
  app.delete('/_control/faults', (c) => {
    engine.faults.clear();
    return c.json({ data: [] });
  });
  app.delete('/_control/faults/:id', (c) =>
    engine.faults.remove(c.req.param('id'))
      ? c.json({ id: c.req.param('id'), deleted: true })
      : controlError(c, 404, 'not_found', `No fault rule ${c.req.param('id')}`),
  );

  app.post('/_control/reset', (c) => {
    engine.reset();
    hooks.reset();
    return c.json({ reset: true });
  });

  app.get('/_control/secrets', (c) => c.json(hooks.secrets()));

  // Live delivery changes for the inspector (and anyone curious: `curl -N …/_control/stream`).
  app.get('/_control/stream', (c) =>
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

  app.all('/_control/*', (c) => controlError(c, 404, 'not_found', `No control route ${c.req.method} ${c.req.path}`));

  return () => {
    for (const finish of streamClosers) finish();
    streamClosers.clear();
  };
}
