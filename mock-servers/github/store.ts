import type { IdFactory } from '../shared/index.ts';
import { account, repository } from './payloads.ts';
import type { Account, Issue, PullRequest, Repository } from './payloads.ts';

/** GitHub's web address: `html_url`s point here, API `url`s at the mock. */
export const WEB = 'https://github.com';

export interface Hook {
  id: number;
  repo: string;
  active: boolean;
  events: string[];
  config: { url: string; content_type: 'json' | 'form'; insecure_ssl: string; secret?: string };
  created_at: string;
  updated_at: string;
}

export interface RepoState {
  repo: Repository;
  hooks: Map<number, Hook>;
  pulls: Map<number, PullRequest>;
  issues: Map<number, Issue>;
  nextNumber: number;
  headSha: string;
  statuses: Map<string, Array<Record<string, unknown>>>;
  checkRuns: Map<number, Record<string, unknown>>;
  /** Messages of the commits pushed so far, by SHA (a `status` event shows its commit's). */
  commitMessages: Map<string, string>;
}

/**
 * The GitHub mock's state: accounts, repositories with their hooks, pull requests, issues, commit statuses and check
 * runs, and the numbers GitHub gives them (one sequence, never reset, so ids are not reused after a reset).
 */
export function createGitHubStore({ ids, repos: initialRepos }: { ids: IdFactory; repos: readonly string[] }) {
  let apiBase = 'http://127.0.0.1';
  let seq = 0;
  const nextId = (base: number) => base + ++seq;
  const users = new Map<string, Account>();
  const repos = new Map<string, RepoState>();
  /** Which repository each hook belongs to (empty while no hook was ever added since the last reset). */
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
      commitMessages: new Map(),
    };
    repos.set(fullName.toLowerCase(), state);
    return state;
  }
  const seedRepos = () => initialRepos.forEach(addRepo);
  seedRepos();

  return {
    repos,
    hookIndex,
    /** The repositories that exist from the start (`options.repos`); the first is the default of a trigger. */
    initialRepos,
    nextId,
    user,
    /** Who the tokens belong to. */
    viewer: () => user('octocat'),
    addRepo,
    /** A repository by `owner/name`, any case. */
    repo: (fullName: string) => repos.get(fullName.toLowerCase()),
    /** The mock's own address, in every API `url` of the objects made from now on. */
    apiBase: () => apiBase,
    setApiBase(url: string) {
      apiBase = url;
    },
    /** Back to the seeded repositories, with no accounts, hooks, pull requests or issues beyond them. */
    reset() {
      repos.clear();
      users.clear();
      hookIndex.clear();
      seedRepos();
    },
  };
}

export type GitHubStore = ReturnType<typeof createGitHubStore>;
