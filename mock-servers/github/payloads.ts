import type { IdFactory } from '../shared/index.ts';

// Webhook payloads shaped like GitHub's: every field the official schemas (@octokit/webhooks-schemas) require, so a
// receiver written against the mock meets the same objects at work. tests/mocks/github-conformance.test.ts checks them.

export interface Account {
  login: string;
  id: number;
  node_id: string;
  avatar_url: string;
  gravatar_id: string;
  url: string;
  html_url: string;
  followers_url: string;
  following_url: string;
  gists_url: string;
  starred_url: string;
  subscriptions_url: string;
  organizations_url: string;
  repos_url: string;
  events_url: string;
  received_events_url: string;
  type: 'User' | 'Organization' | 'Bot';
  site_admin: false;
}

/** A repository as GitHub's webhooks and REST API show it (every field of the official schema). */
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
  [field: string]: unknown;
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
  labels?: string[];
}

export interface Issue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: string[];
  createdAt: string;
  closedAt: string | null;
  reopened?: boolean;
}

export function account(
  login: string,
  id: number,
  webBase: string,
  apiBase: string,
  type: Account['type'] = 'User',
): Account {
  // A bot's login has brackets (`my-app[bot]`), which GitHub escapes in its URLs.
  const url = `${apiBase}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: Buffer.from(`04:${type}${id}`).toString('base64'),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url,
    html_url: type === 'Bot' ? `${webBase}/apps/${login.replace(/\[bot\]$/, '')}` : `${webBase}/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type,
    site_admin: false,
  };
}

export function repository(owner: Account, name: string, id: number, webBase: string, apiBase: string): Repository {
  const at = new Date().toISOString();
  const url = `${apiBase}/repos/${owner.login}/${name}`;
  const html = `${webBase}/${owner.login}/${name}`;
  const host = new URL(webBase).host;
  return {
    id,
    node_id: Buffer.from(`010:Repository${id}`).toString('base64'),
    name,
    full_name: `${owner.login}/${name}`,
    private: false,
    owner,
    html_url: html,
    description: null,
    fork: false,
    url,
    forks_url: `${url}/forks`,
    keys_url: `${url}/keys{/key_id}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    teams_url: `${url}/teams`,
    hooks_url: `${url}/hooks`,
    issue_events_url: `${url}/issues/events{/number}`,
    events_url: `${url}/events`,
    assignees_url: `${url}/assignees{/user}`,
    branches_url: `${url}/branches{/branch}`,
    tags_url: `${url}/tags`,
    blobs_url: `${url}/git/blobs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    trees_url: `${url}/git/trees{/sha}`,
    statuses_url: `${url}/statuses/{sha}`,
    languages_url: `${url}/languages`,
    stargazers_url: `${url}/stargazers`,
    contributors_url: `${url}/contributors`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    commits_url: `${url}/commits{/sha}`,
    git_commits_url: `${url}/git/commits{/sha}`,
    comments_url: `${url}/comments{/number}`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    contents_url: `${url}/contents/{+path}`,
    compare_url: `${url}/compare/{base}...{head}`,
    merges_url: `${url}/merges`,
    archive_url: `${url}/{archive_format}{/ref}`,
    downloads_url: `${url}/downloads`,
    issues_url: `${url}/issues{/number}`,
    pulls_url: `${url}/pulls{/number}`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    labels_url: `${url}/labels{/name}`,
    releases_url: `${url}/releases{/id}`,
    deployments_url: `${url}/deployments`,
    created_at: at,
    updated_at: at,
    pushed_at: at,
    git_url: `git://${host}/${owner.login}/${name}.git`,
    ssh_url: `git@${host}:${owner.login}/${name}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: 0,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: 'public',
    forks: 0,
    open_issues: 0,
    watchers: 0,
    default_branch: 'main',
    custom_properties: {},
  };
}

export function commit(ids: IdFactory, repo: Repository, author: Account, message: string) {
  const id = ids.hex(40);
  return {
    id,
    tree_id: ids.hex(40),
    distinct: true,
    message,
    timestamp: new Date().toISOString(),
    url: `${repo.html_url}/commit/${id}`,
    author: { name: author.login, email: `${author.login}@users.noreply.github.com`, username: author.login },
    committer: { name: 'GitHub', email: 'noreply@github.com', username: 'web-flow' },
    added: ['src/feature.ts'],
    removed: [],
    modified: ['README.md'],
  };
}

export function pushPayload(
  ids: IdFactory,
  repo: Repository,
  sender: Account,
  input: { ref: string; before: string; messages: string[] },
) {
  const commits = input.messages.map((m) => commit(ids, repo, sender, m));
  const head = commits.at(-1) ?? null;
  const after = head?.id ?? '0000000000000000000000000000000000000000';
  return {
    ref: input.ref,
    before: input.before,
    after,
    repository: repo,
    pusher: { name: sender.login, email: `${sender.login}@users.noreply.github.com` },
    sender,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `${repo.html_url}/compare/${input.before.slice(0, 12)}...${after.slice(0, 12)}`,
    commits,
    head_commit: head,
  };
}

/** A label as GitHub shows it, on an issue, a pull request or in a `labeled` event. */
export function labelObject(repo: Repository, name: string, id: number) {
  return {
    id,
    node_id: Buffer.from(`LA:${repo.id}:${id}`).toString('base64'),
    url: `${repo.url}/labels/${encodeURIComponent(name)}`,
    name,
    color: 'd73a4a',
    default: name === 'bug',
    description: name === 'bug' ? "Something isn't working" : null,
  };
}

const link = (href: string) => ({ href });

export function pullRequestObject(repo: Repository, user: Account, pr: PullRequest) {
  const url = `${repo.url}/pulls/${pr.number}`;
  const issueUrl = `${repo.url}/issues/${pr.number}`;
  const html = `${repo.html_url}/pull/${pr.number}`;
  return {
    url,
    id: repo.id * 1000 + pr.number,
    node_id: Buffer.from(`011:PullRequest${repo.id}${pr.number}`).toString('base64'),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user,
    body: pr.body,
    created_at: pr.createdAt,
    updated_at: new Date().toISOString(),
    closed_at: pr.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.merged ? pr.headSha : null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    labels: (pr.labels ?? []).map((name, i) => labelObject(repo, name, i + 1)),
    milestone: null,
    draft: false,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${repo.url}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${repo.url}/statuses/${pr.headSha}`,
    head: { label: `${repo.owner.login}:${pr.head}`, ref: pr.head, sha: pr.headSha, user: repo.owner, repo },
    base: { label: `${repo.owner.login}:${pr.base}`, ref: pr.base, sha: pr.baseSha, user: repo.owner, repo },
    _links: {
      self: link(url),
      html: link(html),
      issue: link(issueUrl),
      comments: link(`${issueUrl}/comments`),
      review_comments: link(`${url}/comments`),
      review_comment: link(`${repo.url}/pulls/comments{/number}`),
      commits: link(`${url}/commits`),
      statuses: link(`${repo.url}/statuses/${pr.headSha}`),
    },
    author_association: 'OWNER',
    auto_merge: null,
    active_lock_reason: null,
    merged: pr.merged,
    mergeable: pr.state === 'open' ? true : null,
    rebaseable: pr.state === 'open' ? true : null,
    mergeable_state: pr.state === 'open' ? 'clean' : 'unknown',
    merged_by: pr.merged ? user : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: pr.commits,
    additions: 12 * pr.commits,
    deletions: 3 * pr.commits,
    changed_files: 2,
  };
}

export function issueObject(repo: Repository, user: Account, issue: Issue) {
  const url = `${repo.url}/issues/${issue.number}`;
  return {
    url,
    repository_url: repo.url,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${repo.html_url}/issues/${issue.number}`,
    id: repo.id * 10000 + issue.number,
    node_id: Buffer.from(`05:Issue${repo.id}${issue.number}`).toString('base64'),
    number: issue.number,
    title: issue.title,
    user,
    labels: issue.labels.map((name, i) => labelObject(repo, name, i + 1)),
    state: issue.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: 0,
    created_at: issue.createdAt,
    updated_at: new Date().toISOString(),
    closed_at: issue.closedAt,
    author_association: 'OWNER',
    active_lock_reason: null,
    body: issue.body,
    reactions: {
      url: `${url}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
    timeline_url: `${url}/timeline`,
    performed_via_github_app: null,
    state_reason: issue.state === 'closed' ? 'completed' : issue.reopened ? 'reopened' : null,
  };
}

/** The commit a `status` event carries (GitHub's "commit" object of the REST API, with its git data). */
export function statusCommit(repo: Repository, author: Account, sha: string, message: string, at: string) {
  const person = { name: author.login, email: `${author.login}@users.noreply.github.com`, date: at };
  const api = `${repo.url}/git/commits/${sha}`;
  return {
    sha,
    node_id: Buffer.from(`C_${repo.id}:${sha}`).toString('base64'),
    commit: {
      author: person,
      committer: { name: 'GitHub', email: 'noreply@github.com', date: at },
      message,
      tree: { sha: sha.split('').reverse().join(''), url: `${repo.url}/git/trees/${sha.split('').reverse().join('')}` },
      url: api,
      comment_count: 0,
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
    },
    url: `${repo.url}/commits/${sha}`,
    html_url: `${repo.html_url}/commit/${sha}`,
    comments_url: `${repo.url}/commits/${sha}/comments`,
    author,
    committer: null,
    parents: [],
  };
}

/**
 * A check run as a `check_run` webhook shows it: GitHub's schema wants `external_id` as a string (empty when none) and
 * `details_url` left out when there is none, where the REST answer has `null`; the check suite in full.
 */
export function checkRunForWebhook(run: Record<string, unknown>, repo: Repository, suiteCreatedAt: string) {
  const { details_url, external_id, check_suite, ...rest } = run as {
    details_url: string | null;
    external_id: string | null;
    check_suite: { id: number };
  } & Record<string, unknown>;
  const completed = run.status === 'completed';
  return {
    ...rest,
    external_id: external_id ?? '',
    ...(details_url ? { details_url } : {}),
    check_suite: {
      id: check_suite.id,
      node_id: Buffer.from(`CS:${check_suite.id}`).toString('base64'),
      head_branch: repo.default_branch,
      head_sha: run.head_sha,
      status: completed ? 'completed' : 'in_progress',
      // `skipped` is a check run's conclusion, not a suite's: a suite of one skipped run is `neutral`.
      conclusion: completed ? (run.conclusion === 'skipped' ? 'neutral' : run.conclusion) : null,
      url: `${repo.url}/check-suites/${check_suite.id}`,
      before: null,
      after: run.head_sha,
      pull_requests: [],
      app: run.app,
      created_at: suiteCreatedAt,
      updated_at: new Date().toISOString(),
    },
  };
}
