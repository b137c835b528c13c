import type { Context } from 'hono';
import type { DeliveryEngine } from '../engine/index.ts';
import { parseJsonObject } from '../shared/index.ts';
import type { Auth } from './auth.ts';
import type { GitHubStore } from './store.ts';
import type { Webhooks } from './webhooks.ts';

/** What every route module gets from `createGitHubMock` (one object, built once per mock). */
export interface GitHubRoutesContext {
  engine: DeliveryEngine;
  store: GitHubStore;
  webhooks: Webhooks;
  auth: Auth;
}

export const DOCS = 'https://docs.github.com/rest';

/** A commit SHA as the API takes it: 7 to 40 lower-case hex digits. */
export const SHA = /^[0-9a-f]{7,40}$/;

/** An error in GitHub's shape: `{ message, …, documentation_url }`. */
export const gh = (
  c: Context,
  status: 400 | 401 | 403 | 404 | 413 | 422,
  message: string,
  extra: Record<string, unknown> = {},
) => c.json({ message, ...extra, documentation_url: DOCS }, status);

/** GitHub's 422 `Validation Failed` with one error. */
export const validation = (c: Context, resource: string, field: string, message: string) =>
  gh(c, 422, 'Validation Failed', { errors: [{ resource, code: 'custom', field, message }] });

/** The request's JSON object, or GitHub's 400 to answer with. */
export async function readBody(c: Context): Promise<Record<string, unknown> | Response> {
  const parsed = parseJsonObject(await c.req.text());
  return parsed.ok ? parsed.value : gh(c, 400, 'Problems parsing JSON');
}

/** The repository of a `/repos/:owner/:repo/…` request, if it exists. */
export const repoOf = (store: GitHubStore, c: Context) => store.repo(`${c.req.param('owner')}/${c.req.param('repo')}`);

/** The hook of a `/repos/:owner/:repo/hooks/:hook_id/…` request, with its repository, if both exist. */
export const hookOf = (store: GitHubStore, c: Context) => {
  const state = repoOf(store, c);
  const hook = state?.hooks.get(Number(c.req.param('hook_id')));
  return state && hook ? { state, hook } : undefined;
};
