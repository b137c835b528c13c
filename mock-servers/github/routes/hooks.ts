import { Hono } from 'hono';
import type { GitHubRoutesContext } from '../context.ts';
import { gh, hookOf, readBody, repoOf, validation } from '../context.ts';
import type { Hook } from '../store.ts';

const HOOK_EVENTS = [
  '*',
  'push',
  'pull_request',
  'issues',
  'issue_comment',
  'create',
  'delete',
  'release',
  'status',
  'check_run',
  'check_suite',
  'workflow_run',
  'pull_request_review',
  'pull_request_review_comment',
  'star',
  'fork',
  'watch',
  'ping',
];

function readHookInput(
  input: Record<string, unknown>,
  existing?: Hook,
): (Hook['config'] & { events: string[]; active: boolean }) | string {
  const config = (input.config ?? existing?.config ?? {}) as Record<string, unknown>;
  if (typeof config !== 'object' || Array.isArray(config)) return 'config must be an object';
  const url = config.url ?? existing?.config.url;
  if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) return 'Hook config must contain a valid http(s) url';
  const contentType = config.content_type ?? existing?.config.content_type ?? 'form';
  if (contentType !== 'json' && contentType !== 'form') return 'content_type must be json or form';
  const events = input.events ?? existing?.events ?? ['push'];
  if (
    !Array.isArray(events) ||
    events.length === 0 ||
    !events.every((e) => typeof e === 'string' && HOOK_EVENTS.includes(e))
  ) {
    return `events must be a non-empty list of: ${HOOK_EVENTS.join(', ')}`;
  }
  const secret = config.secret === undefined ? existing?.config.secret : config.secret;
  if (secret !== undefined && typeof secret !== 'string') return 'secret must be a string';
  const insecureSsl = String(config.insecure_ssl ?? existing?.config.insecure_ssl ?? '0');
  if (insecureSsl !== '0' && insecureSsl !== '1') return 'insecure_ssl must be "0" or "1"';
  const active = input.active ?? existing?.active ?? true;
  if (typeof active !== 'boolean') return 'active must be a boolean';
  return {
    url,
    content_type: contentType,
    insecure_ssl: insecureSsl,
    ...(secret ? { secret } : {}),
    events: events as string[],
    active,
  };
}

/** `/repos/:owner/:repo/hooks`: create (and ping), list, retrieve, update, delete, ping. */
export function hooks({ store, webhooks }: GitHubRoutesContext): Hono {
  const app = new Hono();
  app.post('/', async (c) => {
    const state = repoOf(store, c);
    if (!state) return gh(c, 404, 'Not Found');
    const input = await readBody(c);
    if (input instanceof Response) return input;
    if (input.name !== undefined && input.name !== 'web') return validation(c, 'Hook', 'name', 'name must be "web"');
    const read = readHookInput(input);
    if (typeof read === 'string') return validation(c, 'Hook', 'config', read);
    const { events, active, ...config } = read;
    const at = new Date().toISOString();
    const hook: Hook = {
      id: store.nextId(400000000),
      repo: state.repo.full_name,
      active,
      events,
      config,
      created_at: at,
      updated_at: at,
    };
    state.hooks.set(hook.id, hook);
    store.hookIndex.set(hook.id, state);
    webhooks.ping(state, hook); // GitHub pings every new hook
    return c.json(webhooks.hookJson(state, hook), 201);
  });
  app.get('/', (c) => {
    const state = repoOf(store, c);
    return state ? c.json([...state.hooks.values()].map((h) => webhooks.hookJson(state, h))) : gh(c, 404, 'Not Found');
  });
  app.get('/:hook_id', (c) => {
    const found = hookOf(store, c);
    return found ? c.json(webhooks.hookJson(found.state, found.hook)) : gh(c, 404, 'Not Found');
  });
  app.patch('/:hook_id', async (c) => {
    const found = hookOf(store, c);
    if (!found) return gh(c, 404, 'Not Found');
    const input = await readBody(c);
    if (input instanceof Response) return input;
    const read = readHookInput(input, found.hook);
    if (typeof read === 'string') return validation(c, 'Hook', 'config', read);
    const { events, active, ...config } = read;
    Object.assign(found.hook, { events, active, config, updated_at: new Date().toISOString() });
    return c.json(webhooks.hookJson(found.state, found.hook));
  });
  app.delete('/:hook_id', (c) => {
    const found = hookOf(store, c);
    if (!found) return gh(c, 404, 'Not Found');
    found.state.hooks.delete(found.hook.id);
    store.hookIndex.delete(found.hook.id);
    return c.body(null, 204);
  });
  app.post('/:hook_id/pings', (c) => {
    const found = hookOf(store, c);
    if (!found) return gh(c, 404, 'Not Found');
    webhooks.ping(found.state, found.hook);
    return c.body(null, 204);
  });
  return app;
}
