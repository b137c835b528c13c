import type { DeliveryEngine } from '../engine/index.ts';
import { ControlInputError } from '../shared/index.ts';
import type { IdFactory } from '../shared/index.ts';
import type { GitHubControl } from './index.ts';
import { issueObject, labelObject, pullRequestObject, pushPayload } from './payloads.ts';
import type { Issue, PullRequest } from './payloads.ts';
import type { GitHubStore } from './store.ts';
import type { Webhooks } from './webhooks.ts';

const PR_ACTIONS = ['opened', 'synchronize', 'closed', 'reopened', 'edited'];
const ISSUE_ACTIONS = ['opened', 'closed', 'reopened', 'edited', 'labeled'];

/** What the control handle works on (built by `createGitHubMock`). */
interface GitHubControlParts {
  ids: IdFactory;
  engine: DeliveryEngine;
  store: GitHubStore;
  webhooks: Webhooks;
  tokens: string[];
  appTokens: string[];
  /** The `User-Agent` of deliveries (`GitHub-Hookshot/…`). */
  hookshot: string;
}

/**
 * The in-process handle, and what the control API does: `POST /_control/events` (`trigger`: a push, or a pull
 * request or issue opened or changed, sent to the repository's hooks), the secrets, reset, statuses and check runs.
 */
export function createGitHubControl(parts: GitHubControlParts): GitHubControl {
  const { ids, engine, store, webhooks, tokens, appTokens, hookshot } = parts;
  const { repos } = store;
  function trigger(input: Record<string, unknown>) {
    const event = input.event;
    const repoName = input.repo ?? store.initialRepos[0];
    if (typeof repoName !== 'string')
      throw new ControlInputError(400, 'invalid_event', 'repo must be "owner/name"', [
        { field: 'repo', message: 'must be a string' },
      ]);
    const state = store.repo(repoName);
    if (!state)
      throw new ControlInputError(404, 'not_found', `No repository ${repoName}`, [
        { field: 'repo', message: 'unknown repository' },
      ]);
    const sender =
      input.sender === undefined
        ? store.viewer()
        : typeof input.sender === 'string' && /^[A-Za-z0-9-]{1,39}$/.test(input.sender)
          ? store.user(input.sender)
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
    /** `edited`: the new title and body; GitHub says what changed (`changes.title.from` / `changes.body.from`). */
    const edit = (item: { title: string; body: string | null }): Record<string, { from: string }> => {
      const title = text('title', item.title);
      const body = text('body', item.body ?? '');
      const changes = {
        ...(title !== item.title || (input.title === undefined && input.body === undefined)
          ? { title: { from: item.title } }
          : {}),
        ...(input.body !== undefined && body !== (item.body ?? '') ? { body: { from: item.body ?? '' } } : {}),
      };
      Object.assign(item, { title, body });
      return changes;
    };
    /** The `action` field, one of `allowed` (`opened` when not given). */
    const actionOf = (allowed: readonly string[]) => {
      const action = text('action', 'opened');
      if (!allowed.includes(action))
        throw new ControlInputError(400, 'invalid_event', `action must be one of ${allowed.join(', ')}`, [
          { field: 'action', message: 'unknown action' },
        ]);
      return action;
    };
    /** The pull request or issue `number` names (by default `newest`): 404 when there is none. */
    const existing = <T>(items: Map<number, T>, newest: number | undefined, what: string, none: string): T => {
      const number = input.number ?? newest;
      const item = typeof number === 'number' ? items.get(number) : undefined;
      if (!item)
        throw new ControlInputError(
          404,
          'not_found',
          `No ${what} ${String(number ?? none)} in ${state.repo.full_name}: open one first`,
          [{ field: 'number', message: `unknown ${what}` }],
        );
      return item;
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
      for (const pushed of payload.commits as Array<{ id: string; message: string }>)
        state.commitMessages.set(pushed.id, pushed.message);
    } else if (event === 'pull_request') {
      const action = actionOf(PR_ACTIONS);
      let pr: PullRequest;
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
        const newestOpen = [...state.pulls.values()].filter((p) => p.state === 'open').at(-1)?.number;
        pr = existing(state.pulls, newestOpen, 'pull request', '(none open)');
      }
      const before = pr.headSha;
      let changes: Record<string, { from: string }> | undefined;
      if (action === 'edited') changes = edit(pr);
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
      const action = actionOf(ISSUE_ACTIONS);
      let issue: Issue;
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
        issue = existing(state.issues, [...state.issues.values()].at(-1)?.number, 'issue', '(none yet)');
      }
      let label: Record<string, unknown> | undefined;
      let changes: Record<string, { from: string }> | undefined;
      if (action === 'closed') Object.assign(issue, { state: 'closed', closedAt: at });
      if (action === 'reopened') Object.assign(issue, { state: 'open', closedAt: null, reopened: true });
      if (action === 'edited') changes = edit(issue);
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
    const deliveries = webhooks.broadcast(state, event, payload);
    return {
      event,
      deliveries: deliveries.map((d) => ({ id: d.id, hook_id: Number(d.endpoint_id), status: d.status })),
      payload,
    };
  }

  return {
    engine,
    tokens,
    appTokens,
    trigger,
    secrets: () => ({
      token: tokens[0],
      tokens,
      installation_token: appTokens[0],
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
      engine.reset();
      store.reset();
    },
    statuses: (repo, sha) => store.repo(repo)?.statuses.get(sha) ?? [],
    checkRuns: (repo, sha) => [...(store.repo(repo)?.checkRuns.values() ?? [])].filter((r) => r.head_sha === sha),
  };
}
