import { Hono } from 'hono';
import type { GitHubRoutesContext } from '../context.ts';
import { gh, readBody, repoOf, validation } from '../context.ts';
import type { RepoState } from '../store.ts';

// The REST API's "full repository" adds counts that webhook payloads do not carry.
const fullRepository = (state: RepoState) => ({ ...state.repo, network_count: 0, subscribers_count: 0 });

/** `GET /repos/:owner/:repo` and `POST /user/repos` (mounted at `/`: two roots). */
export function repos({ store, auth }: GitHubRoutesContext): Hono {
  const app = new Hono();
  app.get('/repos/:owner/:repo', (c) => {
    const state = repoOf(store, c);
    return state ? c.json(fullRepository(state)) : gh(c, 404, 'Not Found');
  });
  app.post('/user/repos', async (c) => {
    const denied = auth.authFailure(c);
    if (denied) return denied;
    const input = await readBody(c);
    if (input instanceof Response) return input;
    if (typeof input.name !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(input.name))
      return validation(c, 'Repository', 'name', 'name is invalid');
    const full = `${store.viewer().login}/${input.name}`;
    if (store.repos.has(full.toLowerCase()))
      return validation(c, 'Repository', 'name', 'name already exists on this account');
    return c.json(fullRepository(store.addRepo(full)), 201);
  });
  return app;
}
