import { Hono } from 'hono';
import type { Context } from 'hono';
import { ControlInputError, createDeliveryEngine, isControlPath, mountControl, NO_RETRIES } from '../engine/index.ts';
import type { DeliveryEngine, DeliveryRecord } from '../engine/index.ts';
import { controlError, createIdFactory, guardControl, limitBody, parseJsonObject, safeEqual } from '../shared/index.ts';
import type { CommonMockOptions, MockServer } from '../types.ts';
import { account, issueObject, labelObject, pullRequestObject, pushPayload, repository } from './payloads.ts';
import type { Account, Issue, PullRequest, Repository } from './payloads.ts';

export interface GitHubMockOptions extends CommonMockOptions {
  /** Repositories that exist from the start, as `owner/name` (default `octocat/hello-world`). */
  repos?: string[];
  /** Personal access tokens the API accepts (default: one generated `ghp_…` token, see `/_control/secrets`). */
  tokens?: string[];
  /** Webhook payloads over this size are not delivered, as on GitHub (default 25 MB). */
  maxPayloadBytes?: number;
  /** API request bodies over this size get 413 (default 1 MiB). */
  maxRequestBytes?: number;
  /** Per-attempt webhook timeout in real ms (GitHub gives a receiver 10 s). */
  deliveryTimeoutMs?: number;
}

export interface GitHubControl {
  engine: DeliveryEngine;
  tokens: string[];
  /** `{ event: 'push' | 'pull_request' | 'issues', repo?, action?, … }`, see README. */
  trigger(body: Record<string, unknown>): unknown;
  secrets(): Record<string, unknown>;
  reset(): void;
  statuses(repo: string, sha: string): unknown[];
  checkRuns(repo: string, sha: string): unknown[];
}

interface Hook {
  id: number;
  repo: string;
  active: boolean;
  events: string[];
  config: { url: string; content_type: 'json' | 'form'; insecure_ssl: string; secret?: string };
  created_at: string;
  updated_at: string;
}

interface RepoState {
  repo: Repository;
  hooks: Map<number, Hook>;
  pulls: Map<number, PullRequest>;
  issues: Map<number, Issue>;
  nextNumber: number;
  headSha: string;
  statuses: Map<string, Array<Record<string, unknown>>>;
  checkRuns: Map<number, Record<string, unknown>>;
}

const DOCS = 'https://docs.github.com/rest';
const WEB = 'https://github.com';
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
const PR_ACTIONS = ['opened', 'synchronize', 'closed', 'reopened', 'edited'];
const ISSUE_ACTIONS = ['opened', 'closed', 'reopened', 'edited', 'labeled'];

/**
 * GitHub's repository webhooks and the commit status / check run APIs a receiver calls back, with GitHub's
 * headers, signatures, error shape, no automatic retries and redelivery that keeps the delivery GUID.
 * @example
 * const gh = createGitHubMock({ repos: ['acme/shop'] });
 * await gh.control.trigger({ event: 'push', repo: 'acme/shop' });
 */
export function createGitHubMock(options: GitHubMockOptions = {}): MockServer<GitHubControl> {
  const ids = createIdFactory(options.seed);
  const tokens = options.tokens ?? [`ghp_${ids.id('', 36)}`];
  const maxPayload = options.maxPayloadBytes ?? 25 * 1024 * 1024;
  const maxRequest = options.maxRequestBytes ?? 1024 * 1024;
  const hookshot = `GitHub-Hookshot/${ids.hex(7)}`;
  const engine = createDeliveryEngine({
    scheme: 'github',
    ids,
    timeScale: options.timeScale ?? 1,
    retrySchedule: NO_RETRIES,
    userAgent: hookshot,
    ...(options.deliveryTimeoutMs ? { timeoutMs: options.deliveryTimeoutMs } : {}),
  });
  let apiBase = 'http://127.0.0.1';
  let seq = 0;
  const nextId = (base: number) => base + ++seq;
  const users = new Map<string, Account>();
  const repos = new Map<string, RepoState>();
  const viewer = () => user('octocat');
  const hookIndex = new Map<number, RepoState>();

  function user(login: string): Account {
    let found = users.get(login);
    if (!found) {
      found = account(login, nextId(580000), WEB, apiBase);
      users.set(login, found);
    }
    return found;
  }
  function addRepo(fullName: string): RepoState {
    const [owner, name] = fullName.split('/') as [string, string];
    const state: RepoState = {
      repo: repository(user(owner), name, nextId(700000000), WEB, apiBase),
      hooks: new Map(),
      pulls: new Map(),
      issues: new Map(),
      nextNumber: 1,
      headSha: ids.hex(40),
      statuses: new Map(),
      checkRuns: new Map(),
    };
    repos.set(fullName.toLowerCase(), state);
    return state;
  }
  const initialRepos = options.repos ?? ['octocat/hello-world'];
  const seedRepos = () => initialRepos.forEach(addRepo);
  seedRepos();

  const app = new Hono();
  const controlToken = guardControl(app, 'github', options.controlToken);
  const gh = (
    c: Context,
    status: 400 | 401 | 403 | 404 | 413 | 422,
    message: string,
    extra: Record<string, unknown> = {},
  ) => c.json({ message, ...extra, documentation_url: DOCS }, status);
  const validation = (c: Context, resource: string, field: string, message: string) =>
    gh(c, 422, 'Validation Failed', { errors: [{ resource, code: 'custom', field, message }] });

  app.onError((err, c) => {
    console.error('github mock:', err);
    return c.json({ message: `Mock internal error: ${err.message}`, documentation_url: DOCS }, 500);
  });
  app.notFound((c) =>
    isControlPath(c.req.path)
      ? controlError(c, 404, 'not_found', `No control route ${c.req.method} ${c.req.path}`)
      : gh(c, 404, 'Not Found'),
  );

  app.use('*', async (c, next) => {
    if (isControlPath(c.req.path) || c.req.path === '/_inspector') return next();
    c.header('X-GitHub-Request-Id', ids.hex(16).toUpperCase());
    c.header('X-GitHub-Media-Type', 'github.v3; format=json');
    await next();
  });
  app.use(
    '/repos/*',
    limitBody(maxRequest, (c) => gh(c, 413, 'Payload Too Large')),
  );
  app.use(
    '/user/*',
    limitBody(maxRequest, (c) => gh(c, 413, 'Payload Too Large')),
  );

  /** `Authorization: token X` or `Bearer X`; answers 401 in GitHub's words when missing or wrong. */
  function authFailure(c: Context): Response | undefined {
    const header = c.req.header('authorization') ?? '';
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
    if (!header) return gh(c, 401, 'Requires authentication');
    if (!match || !tokens.some((t) => safeEqual(t, match[1]!))) return gh(c, 401, 'Bad credentials');
    return undefined;
  }
  async function body(c: Context): Promise<Record<string, unknown> | Response> {
    const parsed = parseJsonObject(await c.req.text());
    return parsed.ok ? parsed.value : gh(c, 400, 'Problems parsing JSON');
  }
  /** The GitHub App a check run belongs to, as GitHub shows it. */
  const checksApp = () => {
    const at = '2024-01-01T00:00:00Z';
    return {
      id: 1,
      slug: 'integration-lab',
      node_id: Buffer.from('A_integration-lab').toString('base64'),
      owner: account('integration-lab', 1, WEB, apiBase, 'Organization'),
      name: 'Integration Lab',
      description: 'Checks posted by the lab receiver',
      external_url: `${WEB}/integration-lab`,
      html_url: `${WEB}/apps/integration-lab`,
      created_at: at,
      updated_at: at,
      permissions: { checks: 'write', metadata: 'read', statuses: 'write' },
      events: ['check_run', 'check_suite'],
    };
  };
  const repoOf = (c: Context) => repos.get(`${c.req.param('owner')}/${c.req.param('repo')}`.toLowerCase());

  // ---- Hooks and deliveries ----
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
      sender: viewer(),
    });
  }

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

  // The REST API's "full repository" adds counts that webhook payloads do not carry.
  const fullRepository = (state: RepoState) => ({ ...state.repo, network_count: 0, subscribers_count: 0 });
  app.get('/repos/:owner/:repo', (c) => {
    const state = repoOf(c);
    return state ? c.json(fullRepository(state)) : gh(c, 404, 'Not Found');
  });
  app.post('/user/repos', async (c) => {
    const denied = authFailure(c);
    if (denied) return denied;
    const input = await body(c);
    if (input instanceof Response) return input;
    if (typeof input.name !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(input.name))
      return validation(c, 'Repository', 'name', 'name is invalid');
    const full = `${viewer().login}/${input.name}`;
    if (repos.has(full.toLowerCase()))
      return validation(c, 'Repository', 'name', 'name already exists on this account');
    return c.json(fullRepository(addRepo(full)), 201);
  });

  app.use('/repos/:owner/:repo/hooks/*', async (c, next) => authFailure(c) ?? next());
  app.use('/repos/:owner/:repo/hooks', async (c, next) => authFailure(c) ?? next());
  app.post('/repos/:owner/:repo/hooks', async (c) => {
    const state = repoOf(c);
    if (!state) return gh(c, 404, 'Not Found');
    const input = await body(c);
    if (input instanceof Response) return input;
    if (input.name !== undefined && input.name !== 'web') return validation(c, 'Hook', 'name', 'name must be "web"');
    const read = readHookInput(input);
    if (typeof read === 'string') return validation(c, 'Hook', 'config', read);
    const { events, active, ...config } = read;
    const at = new Date().toISOString();
    const hook: Hook = {
      id: nextId(400000000),
      repo: state.repo.full_name,
      active,
      events,
      config,
      created_at: at,
      updated_at: at,
    };
    state.hooks.set(hook.id, hook);
    hookIndex.set(hook.id, state);
    ping(state, hook); // GitHub pings every new hook
    return c.json(hookJson(state, hook), 201);
  });
  app.get('/repos/:owner/:repo/hooks', (c) => {
    const state = repoOf(c);
    return state ? c.json([...state.hooks.values()].map((h) => hookJson(state, h))) : gh(c, 404, 'Not Found');
  });
  const hookOf = (c: Context) => {
    const state = repoOf(c);
    const hook = state?.hooks.get(Number(c.req.param('hook_id')));
    return state && hook ? { state, hook } : undefined;
  };
  app.get('/repos/:owner/:repo/hooks/:hook_id', (c) => {
    const found = hookOf(c);
    return found ? c.json(hookJson(found.state, found.hook)) : gh(c, 404, 'Not Found');
  });
  app.patch('/repos/:owner/:repo/hooks/:hook_id', async (c) => {
    const found = hookOf(c);
    if (!found) return gh(c, 404, 'Not Found');
    const input = await body(c);
    if (input instanceof Response) return input;
    const read = readHookInput(input, found.hook);
    if (typeof read === 'string') return validation(c, 'Hook', 'config', read);
    const { events, active, ...config } = read;
    Object.assign(found.hook, { events, active, config, updated_at: new Date().toISOString() });
    return c.json(hookJson(found.state, found.hook));
  });
  app.delete('/repos/:owner/:repo/hooks/:hook_id', (c) => {
    const found = hookOf(c);
    if (!found) return gh(c, 404, 'Not Found');
    found.state.hooks.delete(found.hook.id);
    hookIndex.delete(found.hook.id);
    return c.body(null, 204);
  });
  app.post('/repos/:owner/:repo/hooks/:hook_id/pings', (c) => {
    const found = hookOf(c);
    if (!found) return gh(c, 404, 'Not Found');
    ping(found.state, found.hook);
    return c.body(null, 204);
  });

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
  const deliveryOf = (c: Context, hook: Hook) =>
    engine.list({ endpointId: String(hook.id) }).find((d) => d.seq === Number(c.req.param('delivery_id')));

  app.get('/repos/:owner/:repo/hooks/:hook_id/deliveries', (c) => {
    const found = hookOf(c);
    if (!found) return gh(c, 404, 'Not Found');
    return c.json(
      engine
        .list({ endpointId: String(found.hook.id) })
        .reverse()
        .map((d) => deliverySummary(d, found.state)),
    );
  });
  app.get('/repos/:owner/:repo/hooks/:hook_id/deliveries/:delivery_id', (c) => {
    const found = hookOf(c);
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
  app.post('/repos/:owner/:repo/hooks/:hook_id/deliveries/:delivery_id/attempts', (c) => {
    const found = hookOf(c);
    const d = found && deliveryOf(c, found.hook);
    if (!found || !d) return gh(c, 404, 'Not Found');
    if (d.status === 'skipped')
      return validation(c, 'HookDelivery', 'payload', 'This delivery was never sent (payload too large)');
    void engine.replay(d.id);
    return c.json({}, 202);
  });

  // ---- Commit statuses ----
  const SHA = /^[0-9a-f]{7,40}$/;
  app.post('/repos/:owner/:repo/statuses/:sha', async (c) => {
    const denied = authFailure(c);
    if (denied) return denied;
    const state = repoOf(c);
    if (!state) return gh(c, 404, 'Not Found');
    const input = await body(c);
    if (input instanceof Response) return input;
    const sha = c.req.param('sha');
    if (!SHA.test(sha)) return gh(c, 422, `No commit found for SHA: ${sha}`);
    if (typeof input.state !== 'string' || !['error', 'failure', 'pending', 'success'].includes(input.state)) {
      return validation(c, 'Status', 'state', 'state is not included in the list');
    }
    for (const field of ['target_url', 'description', 'context']) {
      if (input[field] !== undefined && input[field] !== null && typeof input[field] !== 'string')
        return validation(c, 'Status', field, `${field} must be a string`);
    }
    const id = nextId(9000000000);
    const at = new Date().toISOString();
    const status = {
      url: `${state.repo.url}/statuses/${sha}`,
      avatar_url: viewer().avatar_url,
      id,
      node_id: Buffer.from(`SC:${id}`).toString('base64'),
      state: input.state,
      description: input.description ?? null,
      target_url: input.target_url ?? null,
      context: input.context ?? 'default',
      created_at: at,
      updated_at: at,
      creator: viewer(),
    };
    state.statuses.set(sha, [status, ...(state.statuses.get(sha) ?? [])]);
    return c.json(status, 201);
  });
  const listStatuses = (c: Context) => {
    const state = repoOf(c);
    return state
      ? c.json(state.statuses.get(c.req.param('sha') ?? c.req.param('ref') ?? '') ?? [])
      : gh(c, 404, 'Not Found');
  };
  app.get('/repos/:owner/:repo/statuses/:sha', listStatuses);
  app.get('/repos/:owner/:repo/commits/:ref/statuses', listStatuses);

  // ---- Check runs ----
  app.use('/repos/:owner/:repo/check-runs/*', async (c, next) => authFailure(c) ?? next());
  app.use('/repos/:owner/:repo/check-runs', async (c, next) => authFailure(c) ?? next());
  function applyCheckRun(
    c: Context,
    input: Record<string, unknown>,
    run: Record<string, unknown>,
  ): Response | undefined {
    const status = input.status ?? run.status ?? 'queued';
    if (!['queued', 'in_progress', 'completed'].includes(String(status)))
      return validation(c, 'CheckRun', 'status', 'status is not included in the list');
    // `stale` is set by GitHub only, never through the API.
    const conclusions = ['action_required', 'cancelled', 'failure', 'neutral', 'success', 'skipped', 'timed_out'];
    const conclusion = input.conclusion ?? run.conclusion ?? null;
    if (conclusion !== null && !conclusions.includes(String(conclusion)))
      return validation(c, 'CheckRun', 'conclusion', 'conclusion is not included in the list');
    if (conclusion !== null && input.status === undefined) run.status = 'completed';
    else run.status = status;
    if (run.status === 'completed' && conclusion === null)
      return validation(c, 'CheckRun', 'conclusion', 'conclusion is required when status is completed');
    if (
      input.output !== undefined &&
      (typeof input.output !== 'object' || input.output === null || Array.isArray(input.output))
    ) {
      return validation(c, 'CheckRun', 'output', 'output must be an object');
    }
    const output = { ...(run.output as object), ...(input.output as object | undefined) } as Record<string, unknown>;
    Object.assign(run, {
      name: input.name ?? run.name,
      conclusion,
      details_url: input.details_url ?? run.details_url ?? null,
      external_id: input.external_id ?? run.external_id ?? null,
      started_at: input.started_at ?? run.started_at ?? new Date().toISOString(),
      completed_at:
        run.status === 'completed' ? (input.completed_at ?? run.completed_at ?? new Date().toISOString()) : null,
      output: {
        title: output.title ?? null,
        summary: output.summary ?? null,
        text: output.text ?? null,
        annotations_count: 0,
        annotations_url: `${run.url}/annotations`,
      },
    });
    return undefined;
  }
  app.post('/repos/:owner/:repo/check-runs', async (c) => {
    const state = repoOf(c);
    if (!state) return gh(c, 404, 'Not Found');
    const input = await body(c);
    if (input instanceof Response) return input;
    if (typeof input.name !== 'string' || input.name === '')
      return validation(c, 'CheckRun', 'name', 'name is missing');
    if (typeof input.head_sha !== 'string' || !SHA.test(input.head_sha))
      return validation(c, 'CheckRun', 'head_sha', 'head_sha is not a commit SHA');
    const id = nextId(20000000000);
    const run: Record<string, unknown> = {
      id,
      head_sha: input.head_sha,
      node_id: Buffer.from(`CR:${id}`).toString('base64'),
      url: `${state.repo.url}/check-runs/${id}`,
      html_url: `${state.repo.html_url}/runs/${id}`,
      check_suite: { id: nextId(10000000000) },
      app: checksApp(),
      pull_requests: [],
    };
    const problem = applyCheckRun(c, input, run);
    if (problem) return problem;
    state.checkRuns.set(id, run);
    return c.json(run, 201);
  });
  const runOf = (c: Context) => repoOf(c)?.checkRuns.get(Number(c.req.param('id')));
  app.get('/repos/:owner/:repo/check-runs/:id', (c) => {
    const run = runOf(c);
    return run ? c.json(run) : gh(c, 404, 'Not Found');
  });
  app.patch('/repos/:owner/:repo/check-runs/:id', async (c) => {
    const state = repoOf(c);
    const run = runOf(c);
    if (!state || !run) return gh(c, 404, 'Not Found');
    const input = await body(c);
    if (input instanceof Response) return input;
    const next = structuredClone(run);
    const problem = applyCheckRun(c, input, next);
    if (problem) return problem;
    Object.assign(run, next);
    return c.json(run);
  });
  app.get('/repos/:owner/:repo/commits/:ref/check-runs', (c) => {
    const state = repoOf(c);
    if (!state) return gh(c, 404, 'Not Found');
    const runs = [...state.checkRuns.values()].filter((r) => r.head_sha === c.req.param('ref'));
    return c.json({ total_count: runs.length, check_runs: runs });
  });

  // ---- Control API ----
  function trigger(input: Record<string, unknown>) {
    const event = input.event;
    const repoName = input.repo ?? initialRepos[0];
    if (typeof repoName !== 'string')
      throw new ControlInputError(400, 'invalid_event', 'repo must be "owner/name"', [
        { field: 'repo', message: 'must be a string' },
      ]);
    const state = repos.get(repoName.toLowerCase());
    if (!state)
      throw new ControlInputError(404, 'not_found', `No repository ${repoName}`, [
        { field: 'repo', message: 'unknown repository' },
      ]);
    const sender =
      input.sender === undefined
        ? viewer()
        : typeof input.sender === 'string' && /^[A-Za-z0-9-]{1,39}$/.test(input.sender)
          ? user(input.sender)
          : undefined;
    if (!sender)
      throw new ControlInputError(400, 'invalid_event', 'sender must be a GitHub login', [
        { field: 'sender', message: 'invalid login' },
      ]);
    const text = (field: string, fallback: string) => {
      const v = input[field];
      if (v === undefined) return fallback;
      if (typeof v !== 'string')
        throw new ControlInputError(400, 'invalid_event', `${field} must be a string`, [
          { field, message: 'must be a string' },
        ]);
      return v;
    };
    const at = new Date().toISOString();
    let payload: Record<string, unknown>;
    if (event === 'push') {
      const messages = input.commits === undefined ? ['Update README'] : input.commits;
      if (!Array.isArray(messages) || messages.length > 2048 || !messages.every((m) => typeof m === 'string')) {
        throw new ControlInputError(400, 'invalid_event', 'commits must be a list of commit messages', [
          { field: 'commits', message: 'list of strings' },
        ]);
      }
      payload = pushPayload(ids, state.repo, sender, {
        ref: text('ref', `refs/heads/${state.repo.default_branch}`),
        before: state.headSha,
        messages,
      });
      state.headSha = String(payload.after);
    } else if (event === 'pull_request') {
      const action = text('action', 'opened');
      if (!PR_ACTIONS.includes(action))
        throw new ControlInputError(400, 'invalid_event', `action must be one of ${PR_ACTIONS.join(', ')}`, [
          { field: 'action', message: 'unknown action' },
        ]);
      let pr: PullRequest | undefined;
      if (action === 'opened') {
        pr = {
          number: state.nextNumber++,
          title: text('title', 'Add a feature'),
          body: text('body', 'Please review.'),
          state: 'open',
          merged: false,
          head: text('head', 'feature'),
          base: text('base', state.repo.default_branch),
          headSha: ids.hex(40),
          baseSha: state.headSha,
          createdAt: at,
          closedAt: null,
          mergedAt: null,
          commits: 1,
        };
        state.pulls.set(pr.number, pr);
      } else {
        const number = input.number ?? [...state.pulls.values()].filter((p) => p.state === 'open').at(-1)?.number;
        pr = typeof number === 'number' ? state.pulls.get(number) : undefined;
        if (!pr)
          throw new ControlInputError(
            404,
            'not_found',
            `No pull request ${String(number ?? '(none open)')} in ${state.repo.full_name}: open one first`,
            [{ field: 'number', message: 'unknown pull request' }],
          );
      }
      const before = pr.headSha;
      let changes: Record<string, { from: string }> | undefined;
      if (action === 'edited') {
        // GitHub says what changed: `changes.title.from` / `changes.body.from` hold the previous values.
        const title = text('title', pr.title);
        const body = text('body', pr.body ?? '');
        changes = {
          ...(title !== pr.title || (input.title === undefined && input.body === undefined)
            ? { title: { from: pr.title } }
            : {}),
          ...(input.body !== undefined && body !== (pr.body ?? '') ? { body: { from: pr.body ?? '' } } : {}),
        };
        Object.assign(pr, { title, body });
      }
      if (action === 'synchronize') Object.assign(pr, { headSha: ids.hex(40), commits: pr.commits + 1 });
      if (action === 'closed') {
        const merged = input.merged === true;
        Object.assign(pr, { state: 'closed', closedAt: at, merged, mergedAt: merged ? at : null });
      }
      if (action === 'reopened') Object.assign(pr, { state: 'open', closedAt: null });
      payload = {
        action,
        number: pr.number,
        ...(changes ? { changes } : {}),
        pull_request: pullRequestObject(state.repo, sender, pr),
        ...(action === 'synchronize' ? { before, after: pr.headSha } : {}),
        repository: state.repo,
        sender,
      };
    } else if (event === 'issues') {
      const action = text('action', 'opened');
      if (!ISSUE_ACTIONS.includes(action))
        throw new ControlInputError(400, 'invalid_event', `action must be one of ${ISSUE_ACTIONS.join(', ')}`, [
          { field: 'action', message: 'unknown action' },
        ]);
      let issue: Issue | undefined;
      if (action === 'opened') {
        issue = {
          number: state.nextNumber++,
          title: text('title', 'Something is broken'),
          body: text('body', 'Steps to reproduce: …'),
          state: 'open',
          labels: [],
          createdAt: at,
          closedAt: null,
        };
        state.issues.set(issue.number, issue);
      } else {
        const number = input.number ?? [...state.issues.values()].at(-1)?.number;
        issue = typeof number === 'number' ? state.issues.get(number) : undefined;
        if (!issue)
          throw new ControlInputError(
            404,
            'not_found',
            `No issue ${String(number ?? '(none yet)')} in ${state.repo.full_name}: open one first`,
            [{ field: 'number', message: 'unknown issue' }],
          );
      }
      let label: Record<string, unknown> | undefined;
      let changes: Record<string, { from: string }> | undefined;
      if (action === 'closed') Object.assign(issue, { state: 'closed', closedAt: at });
      if (action === 'reopened') Object.assign(issue, { state: 'open', closedAt: null, reopened: true });
      if (action === 'edited') {
        const title = text('title', issue.title);
        const body = text('body', issue.body ?? '');
        changes = {
          ...(title !== issue.title || (input.title === undefined && input.body === undefined)
            ? { title: { from: issue.title } }
            : {}),
          ...(input.body !== undefined && body !== (issue.body ?? '') ? { body: { from: issue.body ?? '' } } : {}),
        };
        Object.assign(issue, { title, body });
      }
      if (action === 'labeled') {
        const name = text('label', 'bug');
        if (!issue.labels.includes(name)) issue.labels.push(name);
        label = labelObject(state.repo, name, issue.labels.indexOf(name) + 1);
      }
      payload = {
        action,
        issue: issueObject(state.repo, sender, issue),
        ...(changes ? { changes } : {}),
        ...(label ? { label } : {}),
        repository: state.repo,
        sender,
      };
    } else {
      throw new ControlInputError(400, 'invalid_event', 'event must be push, pull_request or issues', [
        { field: 'event', message: 'unsupported event' },
      ]);
    }
    const deliveries = broadcast(state, event, payload);
    return {
      event,
      deliveries: deliveries.map((d) => ({ id: d.id, hook_id: Number(d.endpoint_id), status: d.status })),
      payload,
    };
  }

  const control: GitHubControl = {
    engine,
    tokens,
    trigger,
    secrets: () => ({
      token: tokens[0],
      tokens,
      user_agent: hookshot,
      hooks: [...repos.values()].flatMap((s) =>
        [...s.hooks.values()].map((h) => ({
          id: h.id,
          repo: h.repo,
          url: h.config.url,
          secret: h.config.secret ?? null,
        })),
      ),
      repos: [...repos.values()].map((s) => s.repo.full_name),
    }),
    reset() {
      repos.clear();
      users.clear();
      hookIndex.clear();
      seedRepos();
    },
    statuses: (repo, sha) => repos.get(repo.toLowerCase())?.statuses.get(sha) ?? [],
    checkRuns: (repo, sha) =>
      [...(repos.get(repo.toLowerCase())?.checkRuns.values() ?? [])].filter((r) => r.head_sha === sha),
  };
  const closeStreams = mountControl(app, {
    title: 'GitHub mock',
    engine,
    trigger,
    secrets: control.secrets,
    reset: control.reset,
  });

  return {
    name: 'github',
    app,
    control,
    controlToken,
    setBaseUrl(url) {
      apiBase = url.replace(/\/$/, '');
      // Repositories made before the mock knew its address are rebuilt with the right URLs (while still pristine).
      if (hookIndex.size === 0) control.reset();
    },
    async close() {
      closeStreams();
      await engine.close();
    },
  };
}
