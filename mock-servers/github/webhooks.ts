import type { DeliveryEngine, DeliveryRecord } from '../engine/index.ts';
import type { IdFactory } from '../shared/index.ts';
import type { GitHubStore, Hook, RepoState } from './store.ts';

/**
 * Repository webhooks as GitHub sends them: a hook as the API shows it, and events sent to one hook or to every
 * active hook of a repository that subscribes to them.
 */
export function createWebhooks({
  ids,
  engine,
  store,
  maxPayload,
}: {
  ids: IdFactory;
  engine: DeliveryEngine;
  store: GitHubStore;
  /** Payloads over this many bytes are recorded as skipped, not sent. */
  maxPayload: number;
}) {
  function hookJson(state: RepoState, hook: Hook) {
    const url = `${state.repo.url}/hooks/${hook.id}`;
    const last = engine
      .list({ endpointId: String(hook.id) })
      .at(-1)
      ?.attempts.at(-1);
    return {
      type: 'Repository',
      id: hook.id,
      name: 'web',
      active: hook.active,
      events: hook.events,
      config: {
        content_type: hook.config.content_type,
        insecure_ssl: hook.config.insecure_ssl,
        url: hook.config.url,
        ...(hook.config.secret ? { secret: '********' } : {}),
      },
      updated_at: hook.updated_at,
      created_at: hook.created_at,
      url,
      test_url: `${url}/test`,
      ping_url: `${url}/pings`,
      deliveries_url: `${url}/deliveries`,
      last_response: last
        ? {
            code: last.response?.status ?? null,
            status: last.succeeded ? 'active' : 'failed',
            message: last.error ?? (last.succeeded ? 'OK' : `Invalid HTTP Response: ${last.response?.status}`),
          }
        : { code: null, status: 'unused', message: null },
    };
  }

  /** Send one event to one hook; a payload over the size cap is recorded as skipped, as GitHub drops it. */
  function deliverTo(state: RepoState, hook: Hook, event: string, payload: Record<string, unknown>): DeliveryRecord {
    const json = JSON.stringify(payload);
    const raw = hook.config.content_type === 'form' ? `payload=${encodeURIComponent(json)}` : json;
    const guid = ids.guid();
    const size = Buffer.byteLength(raw);
    return engine.deliver({
      id: guid,
      endpoint: { id: String(hook.id), url: hook.config.url, secret: hook.config.secret },
      eventId: guid,
      eventType: typeof payload.action === 'string' ? `${event}.${payload.action}` : event,
      body: raw,
      contentType: hook.config.content_type === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
      headers: {
        'X-GitHub-Event': event,
        'X-GitHub-Delivery': guid,
        'X-GitHub-Hook-ID': String(hook.id),
        'X-GitHub-Hook-Installation-Target-Type': 'repository',
        'X-GitHub-Hook-Installation-Target-ID': String(state.repo.id),
      },
      ...(size > maxPayload
        ? { skipReason: `payload is ${size} bytes, over the ${maxPayload}-byte cap: GitHub does not deliver it` }
        : {}),
    });
  }
  function broadcast(state: RepoState, event: string, payload: Record<string, unknown>): DeliveryRecord[] {
    return [...state.hooks.values()]
      .filter((h) => h.active && (h.events.includes('*') || h.events.includes(event)))
      .map((h) => deliverTo(state, h, event, payload));
  }
  function ping(state: RepoState, hook: Hook): DeliveryRecord {
    return deliverTo(state, hook, 'ping', {
      zen: 'Design for failure.',
      hook_id: hook.id,
      hook: hookJson(state, hook),
      repository: state.repo,
      sender: store.viewer(),
    });
  }

  return { hookJson, broadcast, ping };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
