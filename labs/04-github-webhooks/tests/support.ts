// Helpers for this lab's tests: the GitHub side (hooks, events, statuses) and hand-signed requests.
import { createHmac, randomUUID } from 'node:crypto';
import { http, startLab, waitFor, type LabRun, type StartLabOptions } from '#testkit';
import type { GitHubControl } from '../../../mock-servers/index.ts';

export const REPO = 'octocat/hello-world';
export const CONTEXT = 'lab-bot/pr-title';

export interface BotRun {
  run: LabRun;
  control: GitHubControl;
  github: string;
  token: string;
  secret: string;
  hookId: number;
  stop(): Promise<void>;
}

/** Start the bot and add a repository hook pointing at it (the way a repo admin would, through the API). */
export async function startBot(options: StartLabOptions = {}): Promise<BotRun> {
  const run = await startLab(options);
  const mock = run.mocks.github!;
  const control = mock.mock.control;
  const token = control.tokens[0]!;
  const secret = run.env.GITHUB_WEBHOOK_SECRET!;
  const res = await http(`${mock.url}/repos/${REPO}/hooks`, {
    method: 'POST',
    headers: { authorization: `token ${token}` },
    json: {
      name: 'web',
      active: true,
      events: ['*'],
      config: { url: `${run.url}/webhooks/github`, content_type: 'json', secret },
    },
  });
  if (res.status !== 201) throw new Error(`creating the hook failed: ${res.status} ${res.text}`);
  return { run, control, github: mock.url, token, secret, hookId: res.json.id, stop: () => run.stop() };
}

/** Make GitHub send an event (like doing it on github.com) and wait until the bot has answered it. */
export async function send(bot: BotRun, input: Record<string, unknown>) {
  // biome-ignore lint/suspicious/noExplicitAny: a webhook payload as the test builds it, any shape
  const result = bot.control.trigger(input) as { deliveries: { id: string }[]; payload: Record<string, any> };
  const id = result.deliveries[0]!.id;
  const delivery = await waitFor(
    () => {
      const d = bot.control.engine.get(id);
      return d && d.attempts.length > 0 && d.status !== 'pending' ? d : undefined;
    },
    { timeoutMs: 15_000, message: `the delivery of ${String(input.event)} to be answered` },
  );
  const attempt = delivery.attempts.at(-1)!;
  return {
    payload: result.payload,
    delivery,
    status: attempt.response?.status ?? 0,
    answer: attempt.response?.body ?? attempt.error ?? '',
  };
}

/** The bot's statuses on a commit (context lab-bot/pr-title), oldest first. */
export function statusesOf(bot: BotRun, sha: string) {
  return allStatusesOf(bot, sha).filter((s) => s.context === CONTEXT);
}

/** Every status on a commit, whatever its context, oldest first (for tests of rules that are not about the context). */
export function allStatusesOf(bot: BotRun, sha: string) {
  return (bot.control.statuses(REPO, sha) as { state: string; context: string }[]).slice().reverse();
}

/**
 * The verdict the bot gave a commit: the state of its last status that is not "pending", whatever the context (the
 * context and the "pending" first are the business of another rule).
 */
export function finalState(bot: BotRun, sha: string, timeoutMs = 10_000) {
  return waitFor(
    () =>
      allStatusesOf(bot, sha)
        .filter((s) => s.state !== 'pending')
        .at(-1)?.state,
    {
      timeoutMs,
      message: `a "success" or "failure" status on ${sha.slice(0, 7)}`,
    },
  );
}

export function waitForStates(bot: BotRun, sha: string, states: string[], timeoutMs = 10_000) {
  return waitFor(
    () => {
      const seen = statusesOf(bot, sha).map((s) => s.state);
      if (seen.length > states.length) throw new Error(`too many statuses: ${seen.join(', ')}`);
      return seen.join(',') === states.join(',');
    },
    { timeoutMs, message: `statuses ${states.join(' → ')} on ${sha.slice(0, 7)} (context ${CONTEXT})` },
  );
}

export async function deployments(bot: BotRun) {
  const res = await http(`${bot.run.url}/deployments`);
  if (res.status !== 200 || !Array.isArray(res.json?.data))
    throw new Error(`GET /deployments answered ${res.status}: ${res.text.slice(0, 200)}`);
  return res.json.data as { sha: string; ref: string; delivery_id: string }[];
}

/**
 * POST to the bot as GitHub would, signed with `secret` over exactly `body`: `X-Hub-Signature-256` and, like GitHub,
 * the legacy `X-Hub-Signature: sha1=…` (`sign: false` leaves both out, `sha256: false` only the first; `headers`
 * override).
 */
export function postSigned(
  bot: BotRun,
  event: string,
  body: string,
  { secret = bot.secret, headers = {} as Record<string, string>, sign = true, sha256 = true } = {},
) {
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const legacy = `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
  return http(`${bot.run.url}/webhooks/github`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
      ...(sign ? { 'x-hub-signature': legacy } : {}),
      ...(sign && sha256 ? { 'x-hub-signature-256': signature } : {}),
      ...headers,
    },
  });
}

/** A push payload with the fields the bot reads (a hand-made one, for repositories the mock does not have). */
export function pushBody({
  ref,
  defaultBranch,
  after = randomUUID().replace(/-/g, '').padEnd(40, '0').slice(0, 40),
}: {
  ref: string;
  defaultBranch: string;
  after?: string;
}) {
  return {
    after,
    body: JSON.stringify({
      ref,
      before: '0'.repeat(40),
      after,
      created: false,
      deleted: false,
      forced: false,
      repository: { id: 1, name: 'service', full_name: 'octocat/service', default_branch: defaultBranch },
      pusher: { name: 'octocat', email: 'octocat@users.noreply.github.com' },
      commits: [{ id: after, message: 'Ship it' }],
      head_commit: { id: after, message: 'Ship it' },
    }),
  };
}
