import { Hono } from 'hono';
import type { Context } from 'hono';
import type { GitHubRoutesContext } from '../context.ts';
import { gh, readBody, repoOf, SHA, validation } from '../context.ts';
import { statusCommit } from '../payloads.ts';

/** Commit statuses (mounted at `/repos/:owner/:repo`): create one (a `status` event), list a commit's. */
export function statuses({ store, auth, webhooks }: GitHubRoutesContext): Hono {
  const app = new Hono();
  app.post('/statuses/:sha', async (c) => {
    const denied = auth.authFailure(c);
    if (denied) return denied;
    const state = repoOf(store, c);
    if (!state) return gh(c, 404, 'Not Found');
    const input = await readBody(c);
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
    const id = store.nextId(9000000000);
    const at = new Date().toISOString();
    const status = {
      url: `${state.repo.url}/statuses/${sha}`,
      avatar_url: store.viewer().avatar_url,
      id,
      node_id: Buffer.from(`SC:${id}`).toString('base64'),
      state: input.state,
      description: input.description ?? null,
      target_url: input.target_url ?? null,
      context: input.context ?? 'default',
      created_at: at,
      updated_at: at,
      creator: store.viewer(),
    };
    state.statuses.set(sha, [status, ...(state.statuses.get(sha) ?? [])]);
    // Hooks subscribed to `status` hear of it, as on GitHub (after the answer's state is saved).
    webhooks.broadcast(state, 'status', {
      id,
      sha,
      name: state.repo.full_name,
      target_url: status.target_url,
      avatar_url: status.avatar_url,
      context: status.context,
      description: status.description,
      state: status.state,
      commit: statusCommit(state.repo, store.viewer(), sha, state.commitMessages.get(sha) ?? 'Update README', at),
      branches:
        sha === state.headSha
          ? [
              {
                name: state.repo.default_branch,
                commit: { sha, url: `${state.repo.url}/commits/${sha}` },
                protected: false,
              },
            ]
          : [],
      created_at: at,
      updated_at: at,
      repository: state.repo,
      sender: store.viewer(),
    });
    return c.json(status, 201);
  });
  const listStatuses = (c: Context) => {
    const state = repoOf(store, c);
    return state
      ? c.json(state.statuses.get(c.req.param('sha') ?? c.req.param('ref') ?? '') ?? [])
      : gh(c, 404, 'Not Found');
  };
  app.get('/statuses/:sha', listStatuses);
  app.get('/commits/:ref/statuses', listStatuses);
  return app;
}
