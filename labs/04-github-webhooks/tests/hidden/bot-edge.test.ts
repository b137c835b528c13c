import { afterAll, beforeAll, expect } from 'vitest';
import { createHmac } from 'node:crypto';
import { graded, http, waitFor } from '#testkit';
import {
  allStatusesOf,
  deployments,
  finalState,
  postSigned,
  pushBody,
  send,
  startBot,
  type BotRun,
} from '../support.ts';

let bot: BotRun;
beforeAll(async () => {
  bot = await startBot();
});
afterAll(async () => {
  await bot?.stop();
});

/** Press "Redeliver" on a delivery (same X-GitHub-Delivery, same payload) and wait for the bot's answer to it. */
async function redeliver(delivery: { id: string; seq: number }) {
  const res = await http(
    `${bot.github}/repos/octocat/hello-world/hooks/${bot.hookId}/deliveries/${delivery.seq}/attempts`,
    {
      method: 'POST',
      headers: { authorization: `token ${bot.token}` },
    },
  );
  expect(res.status, `GitHub's redelivery: ${res.said}`).toBe(202);
  return waitFor(
    () => {
      const d = bot.control.engine.get(delivery.id);
      return d?.attempts.filter((a) => a.kind === 'replay' && (a.response || a.error)).at(-1);
    },
    { timeoutMs: 10_000, message: 'the redelivery to be answered' },
  );
}

/** A wrong bot acts right after answering: this long is plenty for a second status or deployment to show up. */
const settle = () => new Promise((r) => setTimeout(r, 500));

graded(
  'a pull request to check is answered 202 Accepted',
  {
    rule: 'pr-accepted',
    points: 1,
    hint: 'The check runs after the answer: say so with 202 Accepted, not 200.',
  },
  async () => {
    const { status, answer } = await send(bot, {
      event: 'pull_request',
      action: 'opened',
      title: 'feat: show the cart total',
    });
    expect(status, `the pull_request "opened" delivery was answered ${status}: ${answer}`).toBe(202);
  },
);

graded(
  'a pull request whose title breaks the rule gets a "failure" status',
  {
    rule: 'title-rule',
    points: 2,
    hint: 'The rule is Conventional Commits: "type(scope)?: description" with a known type (feat, fix, docs, …). Anything else is a "failure" status, not silence.',
  },
  async () => {
    const { payload } = await send(bot, { event: 'pull_request', action: 'opened', title: 'Updated some stuff' });
    expect(await finalState(bot, payload.pull_request.head.sha), 'the verdict on "Updated some stuff"').toBe('failure');
  },
);

graded(
  'the title rule judges the README\'s examples: scopes and "!" pass, a missing colon or a capitalised type fail',
  {
    rule: 'title-rule',
    points: 2,
    hint: 'Read the title rule again: every listed type, an optional (scope), an optional "!", then ": " and a description; types are lower case.',
  },
  async () => {
    const titles: [string, string][] = [
      ['fix(cart): round totals', 'success'],
      ['refactor!: drop v1', 'success'],
      ['docs: explain the setup', 'success'],
      ['feat add search', 'failure'],
      ['Feat: x', 'failure'],
    ];
    const sent = await Promise.all(
      titles.map(([title]) => send(bot, { event: 'pull_request', action: 'opened', title })),
    );
    const verdicts = await Promise.all(sent.map(({ payload }) => finalState(bot, payload.pull_request.head.sha)));
    expect(Object.fromEntries(titles.map(([title], i) => [title, verdicts[i]])), 'the verdict on each title').toEqual(
      Object.fromEntries(titles),
    );
  },
);

graded(
  'new commits on a pull request (synchronize) get statuses on the new head commit',
  {
    rule: 'pr-actions',
    points: 1,
    hint: '"synchronize" means new commits were pushed to the pull request: check again and post the statuses on pull_request.head.sha (the new one).',
  },
  async () => {
    const opened = await send(bot, { event: 'pull_request', action: 'opened', title: 'feat: handle empty carts' });
    await finalState(bot, opened.payload.pull_request.head.sha);
    const synced = await send(bot, { event: 'pull_request', action: 'synchronize', number: opened.payload.number });
    expect(synced.payload.pull_request.head.sha).not.toBe(opened.payload.pull_request.head.sha);
    expect(await finalState(bot, synced.payload.pull_request.head.sha), 'the verdict on the new head commit').toBe(
      'success',
    );
  },
);

graded(
  'a reopened pull request is checked again',
  {
    rule: 'pr-actions',
    points: 1,
    hint: '"reopened" is one of the actions to check, like "opened" and "synchronize".',
  },
  async () => {
    const opened = await send(bot, {
      event: 'pull_request',
      action: 'opened',
      title: 'feat: remember the last search',
    });
    const sha = opened.payload.pull_request.head.sha;
    await finalState(bot, sha);
    await send(bot, { event: 'pull_request', action: 'closed', number: opened.payload.number });
    await send(bot, { event: 'pull_request', action: 'reopened', number: opened.payload.number });
    await waitFor(() => allStatusesOf(bot, sha).filter((s) => s.state !== 'pending').length >= 2, {
      timeoutMs: 10_000,
      message: `a second verdict on ${sha.slice(0, 7)} after "reopened"`,
    });
  },
);

graded(
  'a redelivery of the same X-GitHub-Delivery posts no second status',
  {
    rule: 'dedupe',
    points: 2,
    hint: 'Redelivery sends the same X-GitHub-Delivery GUID again: remember the GUIDs you handled and answer a repeat with 2xx without acting again.',
  },
  async () => {
    const { payload, delivery } = await send(bot, {
      event: 'pull_request',
      action: 'opened',
      title: 'feat: explain the setup',
    });
    const sha = payload.pull_request.head.sha;
    await finalState(bot, sha);
    const before = allStatusesOf(bot, sha).length;
    const replayed = await redeliver(delivery);
    expect(
      replayed.response?.status,
      `the redelivery was answered: ${replayed.response?.body ?? replayed.error}`,
    ).toBeGreaterThanOrEqual(200);
    expect(
      replayed.response?.status,
      `the redelivery was answered: ${replayed.response?.body ?? replayed.error}`,
    ).toBeLessThan(300);
    await settle();
    expect(
      allStatusesOf(bot, sha).map((s) => s.state),
      'the statuses after the redelivery',
    ).toHaveLength(before);
  },
);

graded(
  'a redelivered push records no second deployment',
  {
    rule: 'dedupe',
    points: 1,
    hint: 'Every event is acted on once per X-GitHub-Delivery, pushes included: check the GUID before you record anything.',
  },
  async () => {
    const before = (await deployments(bot)).length;
    const { delivery, status } = await send(bot, { event: 'push', commits: ['Tune the cache'] });
    expect(status, 'the push delivery').toBeLessThan(300);
    expect((await deployments(bot)).length, 'deployments after the push').toBe(before + 1);
    const replayed = await redeliver(delivery);
    expect(
      replayed.response?.status,
      `the redelivery was answered: ${replayed.response?.body ?? replayed.error}`,
    ).toBeLessThan(300);
    expect((await deployments(bot)).length, 'deployments after the redelivery').toBe(before + 1);
  },
);

graded(
  'a push to another branch records no deployment',
  {
    rule: 'default-branch',
    points: 1,
    hint: 'Compare the push ref with refs/heads/ + repository.default_branch; pushes to feature branches are not deployments.',
  },
  async () => {
    const before = (await deployments(bot)).length;
    const { status, answer } = await send(bot, { event: 'push', ref: 'refs/heads/feature/login', commits: ['WIP'] });
    expect(status, `the push to feature/login was answered ${status}: ${answer}`).toBeLessThan(300);
    expect((await deployments(bot)).length, 'deployments after a push to feature/login').toBe(before);
  },
);

graded(
  "the default branch is the repository's own (repository.default_branch), not always main",
  {
    rule: 'default-branch',
    points: 1,
    hint: 'Not every repository calls its default branch "main": read repository.default_branch from the payload.',
  },
  async () => {
    const before = (await deployments(bot)).length;
    const toTrunk = pushBody({ ref: 'refs/heads/trunk', defaultBranch: 'trunk' });
    const trunk = await postSigned(bot, 'push', toTrunk.body);
    expect(trunk.status, `a push to trunk, the default branch: ${trunk.said}`).toBeLessThan(300);
    expect((await deployments(bot)).length, 'deployments after a push to trunk, the default branch').toBe(before + 1);
    const toMain = pushBody({ ref: 'refs/heads/main', defaultBranch: 'trunk' });
    const main = await postSigned(bot, 'push', toMain.body);
    expect(main.status, `a push to main, not the default branch here: ${main.said}`).toBeLessThan(300);
    expect(
      (await deployments(bot)).length,
      'deployments after a push to main in a repository whose default branch is trunk',
    ).toBe(before + 1);
  },
);

graded(
  'other events (an issue, a closed pull request) are answered 204',
  {
    rule: 'others-204',
    points: 1,
    hint: 'The hook sends every event type: acknowledge the ones you do not act on with 204 No Content.',
  },
  async () => {
    const issue = await send(bot, { event: 'issues', action: 'opened' });
    expect(issue.status, `issues "opened" was answered ${issue.status}: ${issue.answer}`).toBe(204);
    await send(bot, { event: 'pull_request', action: 'opened', title: 'chore: bump deps' });
    const closed = await send(bot, { event: 'pull_request', action: 'closed' });
    expect(closed.status, `pull_request "closed" was answered ${closed.status}: ${closed.answer}`).toBe(204);
  },
);

graded(
  'only X-Hub-Signature-256 counts: a request signed with the legacy SHA-1 header alone gets 401',
  {
    rule: 'signature',
    points: 1,
    hint: 'GitHub also sends X-Hub-Signature (HMAC-SHA1), kept for old receivers: verify X-Hub-Signature-256 and nothing else.',
  },
  async () => {
    const { body } = pushBody({ ref: 'refs/heads/feature/x', defaultBranch: 'main' });
    const legacyOnly = await postSigned(bot, 'push', body, { sha256: false });
    expect(legacyOnly.status, `signed with X-Hub-Signature (sha1) only: ${legacyOnly.said}`).toBe(401);
    const both = await postSigned(bot, 'push', body);
    expect(both.status, `the same request with X-Hub-Signature-256 too: ${both.said}`).toBeLessThan(300);
  },
);

graded(
  'a truncated or malformed signature gets 401, not a server error',
  {
    rule: 'signature-malformed',
    points: 1,
    hint: 'crypto.timingSafeEqual throws when the two buffers differ in length: check the length (and the "sha256=" prefix) first.',
  },
  async () => {
    const { body } = pushBody({ ref: 'refs/heads/feature/y', defaultBranch: 'main' });
    const good = createHmac('sha256', bot.secret).update(body).digest('hex');
    for (const header of ['sha256=abc', 'sha256=', 'sha1=0123', 'garbage', `sha256=${good}00`, good]) {
      const res = await postSigned(bot, 'push', body, { sign: false, headers: { 'x-hub-signature-256': header } });
      expect(res.status, `X-Hub-Signature-256: ${header}: ${res.said}`).toBe(401);
    }
  },
);

graded(
  'the signature is checked on the body bytes as sent (spacing and escapes kept)',
  {
    rule: 'raw-body',
    points: 1,
    hint: "Hash the raw bytes (c.req.arrayBuffer()), not JSON.stringify(await c.req.json()): re-serialised JSON loses the sender's spacing and escapes.",
  },
  async () => {
    // A push to a feature branch (acknowledged, nothing recorded), with \u escapes and spacing JSON.stringify would not write.
    const body =
      '{\n  "ref": "refs/heads/feature/caf\\u00e9",\n  "after": "' +
      'a'.repeat(40) +
      '",\n  "repository": { "full_name": "octocat/hello-world", "default_branch": "main" },\n  "pusher": { "name": "octocat" },\n  "commits": [ { "message": "Caf\\u00e9 first, then code." } ]\n}';
    const res = await postSigned(bot, 'push', body);
    expect(res.status, `a push signed over its exact bytes: ${res.said}`).toBeGreaterThanOrEqual(200);
    expect(res.status, `a push signed over its exact bytes: ${res.said}`).toBeLessThan(300);
    const signature = createHmac('sha256', bot.secret).update(body).digest('hex');
    const respaced = await postSigned(bot, 'push', body.replace('{\n  ', '{ '), {
      sign: false,
      headers: { 'x-hub-signature-256': `sha256=${signature}` },
    });
    expect(respaced.status, `the same signature over the body with its spacing changed: ${respaced.said}`).toBe(401);
  },
);

graded(
  'a multi-megabyte push payload is accepted and recorded',
  {
    rule: 'large-payload',
    points: 2,
    hint: 'GitHub sends payloads up to 25 MB (a push with many commits): do not cap the body at a small framework default such as 100 kB or 1 MB.',
  },
  async () => {
    const before = (await deployments(bot)).length;
    const messages = Array.from({ length: 1500 }, (_, i) => `chore: commit ${i} ${'x'.repeat(2000)}`);
    const { delivery, status, answer } = await send(bot, { event: 'push', commits: messages });
    expect(delivery.body.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(
      status,
      `the ${(delivery.body.length / 1024 / 1024).toFixed(1)} MB push was answered ${status}: ${answer.slice(0, 200)}`,
    ).toBeLessThan(300);
    expect((await deployments(bot)).length, 'deployments after the large push').toBe(before + 1);
  },
);
