import { Hono } from 'hono';
import type { Context, Next } from 'hono';
import { createDeliveryEngine, mountEngineControl, NO_RETRIES } from '../engine/index.ts';
import type { DeliveryEngine } from '../engine/index.ts';
import { controlError, createControlApi, createIdFactory, isControlPath, limitBody } from '../shared/index.ts';
import type { CommonMockOptions, MockServer } from '../types.ts';
import { createAuth } from './auth.ts';
import type { GitHubRoutesContext } from './context.ts';
import { DOCS, gh } from './context.ts';
import { createGitHubControl } from './control.ts';
import { checkRuns } from './routes/check-runs.ts';
import { deliveries } from './routes/deliveries.ts';
import { hooks } from './routes/hooks.ts';
import { repos } from './routes/repos.ts';
import { statuses } from './routes/statuses.ts';
import { createGitHubStore } from './store.ts';
import { createWebhooks } from './webhooks.ts';

export interface GitHubMockOptions extends CommonMockOptions {
  /** Repositories that exist from the start, as `owner/name` (default `octocat/hello-world`). */
  repos?: string[];
  /** Personal access tokens the API accepts (default: one generated `ghp_…` token, see `/_control/secrets`). */
  tokens?: string[];
  /**
   * GitHub App installation access tokens (default: one generated `ghs_…` token, `installation_token` in the secrets).
   * They do everything a personal token does here, and are the only ones that may create or update check runs.
   */
  appTokens?: string[];
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
  /** Installation access tokens of the mock's GitHub App: what creating and updating a check run needs. */
  appTokens: string[];
  /** `{ event: 'push' | 'pull_request' | 'issues', repo?, action?, … }`, see README. */
  trigger(body: Record<string, unknown>): unknown;
  secrets(): Record<string, unknown>;
  reset(): void;
  statuses(repo: string, sha: string): unknown[];
  checkRuns(repo: string, sha: string): unknown[];
}

/** Every route of one repository is under this (`c.req.param('owner')`, `c.req.param('repo')` in the modules). */
const REPO = '/repos/:owner/:repo';

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
  const appTokens = options.appTokens ?? [`ghs_${ids.id('', 36)}`];
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
  const store = createGitHubStore({ ids, repos: options.repos ?? ['octocat/hello-world'] });
  const webhooks = createWebhooks({ ids, engine, store, maxPayload });
  const auth = createAuth(tokens, appTokens);

  const app = new Hono();
  const ctl = createControlApi(app, 'github', options.controlToken);

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
  // Tokens are checked before the route's own checks on hooks and check runs (a wrong token is 401 even for a
  // repository or hook that does not exist).
  const requireToken = async (c: Context, next: Next) => auth.authFailure(c) ?? next();
  app.use(`${REPO}/hooks/*`, requireToken);
  app.use(`${REPO}/hooks`, requireToken);
  app.use(`${REPO}/check-runs/*`, requireToken);
  app.use(`${REPO}/check-runs`, requireToken);

  // ---- The API's resources, one module each (`routes/`), sharing one context ----
  // Mounted after the middleware above: Hono runs a parent's middleware on a sub-app's routes only when it was
  // registered before the `app.route()` call.
  const ctx: GitHubRoutesContext = { engine, store, webhooks, auth };
  app.route('/', repos(ctx));
  app.route(`${REPO}/hooks`, hooks(ctx));
  app.route(`${REPO}/hooks/:hook_id/deliveries`, deliveries(ctx));
  app.route(REPO, statuses(ctx));
  app.route(REPO, checkRuns(ctx));

  // ---- Control API ----
  const control = createGitHubControl({ ids, engine, store, webhooks, tokens, appTokens, hookshot });
  const closeStreams = mountEngineControl(ctl, app, { title: 'GitHub mock', engine, trigger: control.trigger });
  ctl.mount({ secrets: control.secrets, reset: control.reset });

  return {
    name: 'github',
    app,
    control,
    controlToken: ctl.token,
    setBaseUrl(url) {
      store.setApiBase(url.replace(/\/$/, ''));
      // Repositories made before the mock knew its address are rebuilt with the right URLs (while still pristine).
      if (store.hookIndex.size === 0) control.reset();
    },
    async close() {
      closeStreams();
      await engine.close();
    },
  };
}
