import { afterAll, beforeAll, expect } from 'vitest';
import { graded, waitFor } from '#testkit';
import { deployments, postSigned, send, startBot, statusesOf, waitForStates, type BotRun } from '../support.ts';

let bot: BotRun;
beforeAll(async () => {
  bot = await startBot();
});
afterAll(async () => {
  await bot?.stop();
});

graded('the ping GitHub sends when the hook is created is answered 200', {
  points: 1,
  hint: 'A new hook gets a "ping" event (X-GitHub-Event: ping) at once: verify it like any other and answer 200.',
}, async () => {
  const ping = await waitFor(() => bot.control.engine.list({ endpointId: String(bot.hookId) }).find((d) => d.event_type === 'ping' && d.attempts.length > 0), {
    timeoutMs: 10_000, message: 'the ping delivery',
  });
  expect(ping.attempts[0]?.response?.status, `your answer: ${ping.attempts[0]?.response?.body ?? ping.attempts[0]?.error}`).toBe(200);
});

graded('an opened pull request with a Conventional Commits title gets "pending", then "success"', {
  points: 3,
  hint: 'On pull_request "opened", POST /repos/{owner}/{repo}/statuses/{head sha} with your token: state "pending" first, then "success" when the title matches the rule. Use the context "lab-bot/pr-title".',
}, async () => {
  const { payload, status, answer } = await send(bot, { event: 'pull_request', action: 'opened', title: 'feat(search): add fuzzy matching' });
  expect(status, `your answer: ${answer}`).toBeGreaterThanOrEqual(200);
  expect(status).toBeLessThan(300);
  await waitForStates(bot, payload.pull_request.head.sha, ['pending', 'success']);
});

graded('a push to the default branch is recorded in GET /deployments', {
  points: 2,
  hint: 'A push event whose ref is refs/heads/<repository.default_branch> is a deployment: record its "after" sha, ref and delivery id, and list them at GET /deployments as { data: [...] }.',
}, async () => {
  const { payload, status, answer } = await send(bot, { event: 'push', commits: ['Fix the checkout button'] });
  expect(status, `your answer: ${answer}`).toBeLessThan(300);
  const list = await deployments(bot);
  expect(list.find((d) => d.sha === payload.after)).toMatchObject({ sha: payload.after, ref: 'refs/heads/main' });
});

graded('a request with a missing or wrong X-Hub-Signature-256 gets 401 and does nothing', {
  points: 2,
  hint: 'Compute HMAC-SHA256 of the raw body with your webhook secret, compare it with the header in constant time (crypto.timingSafeEqual), answer 401 when it does not match.',
}, async () => {
  const before = (await deployments(bot)).length;
  const body = JSON.stringify({ ref: 'refs/heads/main', after: 'f'.repeat(40), repository: { default_branch: 'main', full_name: 'octocat/hello-world' }, commits: [] });
  expect((await postSigned(bot, 'push', body, { sign: false })).status, 'no signature').toBe(401);
  expect((await postSigned(bot, 'push', body, { secret: 'not-the-secret' })).status, 'signed with another secret').toBe(401);
  expect((await deployments(bot)).length).toBe(before);
  expect(statusesOf(bot, 'f'.repeat(40))).toEqual([]);
});
