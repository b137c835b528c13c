import type { IdFactory } from '../shared/index.ts';

// Realistic webhook payloads, shaped like GitHub's (trimmed to the fields integrations read).

export interface Account {
  login: string;
  id: number;
  node_id: string;
  avatar_url: string;
  html_url: string;
  url: string;
  type: 'User' | 'Organization' | 'Bot';
  site_admin: false;
}

export interface Repository {
  id: number;
  node_id: string;
  name: string;
  full_name: string;
  private: false;
  owner: Account;
  html_url: string;
  description: string | null;
  fork: false;
  url: string;
  clone_url: string;
  default_branch: string;
  created_at: string;
  updated_at: string;
  pushed_at: string;
  visibility: 'public';
}

export interface PullRequest {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  merged: boolean;
  head: string;
  base: string;
  headSha: string;
  baseSha: string;
  createdAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  commits: number;
}

export interface Issue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: string[];
  createdAt: string;
  closedAt: string | null;
}

export function account(login: string, id: number, webBase: string, apiBase: string, type: Account['type'] = 'User'): Account {
  return {
    login, id, node_id: Buffer.from(`04:${type}${id}`).toString('base64'), avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    html_url: `${webBase}/${login}`, url: `${apiBase}/users/${login}`, type, site_admin: false,
  };
}

export function repository(owner: Account, name: string, id: number, webBase: string, apiBase: string): Repository {
  const at = new Date().toISOString();
  return {
    id, node_id: Buffer.from(`010:Repository${id}`).toString('base64'), name, full_name: `${owner.login}/${name}`, private: false,
    owner, html_url: `${webBase}/${owner.login}/${name}`, description: null, fork: false,
    url: `${apiBase}/repos/${owner.login}/${name}`, clone_url: `${webBase}/${owner.login}/${name}.git`,
    default_branch: 'main', created_at: at, updated_at: at, pushed_at: at, visibility: 'public',
  };
}

export function commit(ids: IdFactory, repo: Repository, author: Account, message: string) {
  const id = ids.hex(40);
  return {
    id, tree_id: ids.hex(40), distinct: true, message, timestamp: new Date().toISOString(),
    url: `${repo.html_url}/commit/${id}`,
    author: { name: author.login, email: `${author.login}@users.noreply.github.com`, username: author.login },
    committer: { name: 'GitHub', email: 'noreply@github.com', username: 'web-flow' },
    added: ['src/feature.ts'], removed: [], modified: ['README.md'],
  };
}

export function pushPayload(ids: IdFactory, repo: Repository, sender: Account, input: { ref: string; before: string; messages: string[] }) {
  const commits = input.messages.map((m) => commit(ids, repo, sender, m));
  const head = commits.at(-1) ?? null;
  const after = head?.id ?? '0000000000000000000000000000000000000000';
  return {
    ref: input.ref, before: input.before, after, repository: repo,
    pusher: { name: sender.login, email: `${sender.login}@users.noreply.github.com` }, sender,
    created: false, deleted: false, forced: false, base_ref: null,
    compare: `${repo.html_url}/compare/${input.before.slice(0, 12)}...${after.slice(0, 12)}`,
    commits, head_commit: head,
  };
}

export function pullRequestObject(repo: Repository, user: Account, pr: PullRequest) {
  const url = `${repo.url}/pulls/${pr.number}`;
  return {
    url, id: repo.id * 1000 + pr.number, node_id: Buffer.from(`011:PullRequest${repo.id}${pr.number}`).toString('base64'),
    html_url: `${repo.html_url}/pull/${pr.number}`, diff_url: `${repo.html_url}/pull/${pr.number}.diff`,
    number: pr.number, state: pr.state, locked: false, title: pr.title, user, body: pr.body,
    created_at: pr.createdAt, updated_at: new Date().toISOString(), closed_at: pr.closedAt, merged_at: pr.mergedAt,
    merge_commit_sha: pr.merged ? pr.headSha : null, draft: false,
    commits_url: `${url}/commits`, statuses_url: `${repo.url}/statuses/${pr.headSha}`,
    head: { label: `${repo.owner.login}:${pr.head}`, ref: pr.head, sha: pr.headSha, user: repo.owner, repo },
    base: { label: `${repo.owner.login}:${pr.base}`, ref: pr.base, sha: pr.baseSha, user: repo.owner, repo },
    merged: pr.merged, mergeable: pr.state === 'open' ? true : null, merged_by: pr.merged ? user : null,
    comments: 0, review_comments: 0, commits: pr.commits, additions: 12 * pr.commits, deletions: 3 * pr.commits, changed_files: 2,
  };
}

export function issueObject(repo: Repository, user: Account, issue: Issue) {
  return {
    url: `${repo.url}/issues/${issue.number}`, repository_url: repo.url, html_url: `${repo.html_url}/issues/${issue.number}`,
    id: repo.id * 10000 + issue.number, node_id: Buffer.from(`05:Issue${repo.id}${issue.number}`).toString('base64'),
    number: issue.number, title: issue.title, user,
    labels: issue.labels.map((name, i) => ({ id: i + 1, name, color: 'd73a4a', default: false, description: null })),
    state: issue.state, state_reason: issue.state === 'closed' ? 'completed' : null, locked: false, assignee: null,
    assignees: [], milestone: null, comments: 0, created_at: issue.createdAt, updated_at: new Date().toISOString(),
    closed_at: issue.closedAt, author_association: 'OWNER', body: issue.body,
  };
}
