import { Hono } from 'hono';
import type { Context } from 'hono';
import type { GitHubRoutesContext } from '../context.ts';
import { gh, readBody, repoOf, SHA, validation } from '../context.ts';
import { account, checkRunForWebhook } from '../payloads.ts';
import { WEB } from '../store.ts';
import type { RepoState } from '../store.ts';

/** The GitHub App a check run belongs to, as GitHub shows it. */
const checksApp = (apiBase: string) => {
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
/** The App's bot account: the sender of what the App does (its check runs). */
const appBot = (apiBase: string) => account('integration-lab[bot]', 2, WEB, apiBase, 'Bot');

/** Check and apply a create or update to `run` (a copy, on update); GitHub's 422 when the input is not valid. */
function applyCheckRun(c: Context, input: Record<string, unknown>, run: Record<string, unknown>): Response | undefined {
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

/**
 * Check runs (mounted at `/repos/:owner/:repo`): create and update (GitHub App tokens only, with `check_run` events),
 * retrieve, list a commit's.
 */
export function checkRuns({ store, auth, webhooks }: GitHubRoutesContext): Hono {
  const app = new Hono();
  /** `check_run` with `created`, then `completed` once it has a conclusion (what repository hooks receive). */
  function announceCheckRun(state: RepoState, run: Record<string, unknown>, action: 'created' | 'completed') {
    webhooks.broadcast(state, 'check_run', {
      action,
      check_run: checkRunForWebhook(run, state.repo, String(run.started_at)),
      repository: state.repo,
      sender: appBot(store.apiBase()),
    });
  }
  app.post('/check-runs', async (c) => {
    const state = repoOf(store, c);
    if (!state) return gh(c, 404, 'Not Found');
    const denied = auth.appOnly(c, 'create-a-check-run');
    if (denied) return denied;
    const input = await readBody(c);
    if (input instanceof Response) return input;
    if (typeof input.name !== 'string' || input.name === '')
      return validation(c, 'CheckRun', 'name', 'name is missing');
    if (typeof input.head_sha !== 'string' || !SHA.test(input.head_sha))
      return validation(c, 'CheckRun', 'head_sha', 'head_sha is not a commit SHA');
    const id = store.nextId(20000000000);
    const run: Record<string, unknown> = {
      id,
      head_sha: input.head_sha,
      node_id: Buffer.from(`CR:${id}`).toString('base64'),
      url: `${state.repo.url}/check-runs/${id}`,
      html_url: `${state.repo.html_url}/runs/${id}`,
      check_suite: { id: store.nextId(10000000000) },
      app: checksApp(store.apiBase()),
      pull_requests: [],
    };
    const problem = applyCheckRun(c, input, run);
    if (problem) return problem;
    state.checkRuns.set(id, run);
    announceCheckRun(state, run, 'created');
    if (run.status === 'completed') announceCheckRun(state, run, 'completed');
    return c.json(run, 201);
  });
  const runOf = (c: Context) => repoOf(store, c)?.checkRuns.get(Number(c.req.param('id')));
  app.get('/check-runs/:id', (c) => {
    const run = runOf(c);
    return run ? c.json(run) : gh(c, 404, 'Not Found');
  });
  app.patch('/check-runs/:id', async (c) => {
    const state = repoOf(store, c);
    const run = runOf(c);
    if (!state || !run) return gh(c, 404, 'Not Found');
    const denied = auth.appOnly(c, 'update-a-check-run');
    if (denied) return denied;
    const input = await readBody(c);
    if (input instanceof Response) return input;
    const next = structuredClone(run);
    const problem = applyCheckRun(c, input, next);
    if (problem) return problem;
    const wasCompleted = run.status === 'completed';
    Object.assign(run, next);
    if (!wasCompleted && run.status === 'completed') announceCheckRun(state, run, 'completed');
    return c.json(run);
  });
  app.get('/commits/:ref/check-runs', (c) => {
    const state = repoOf(store, c);
    if (!state) return gh(c, 404, 'Not Found');
    const runs = [...state.checkRuns.values()].filter((r) => r.head_sha === c.req.param('ref'));
    return c.json({ total_count: runs.length, check_runs: runs });
  });
  return app;
}
