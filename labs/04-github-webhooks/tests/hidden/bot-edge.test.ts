import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, waitFor } from '#testkit';
import { deployments, postSigned, send, startBot, statusesOf, waitForStates, type BotRun } from '../support.ts';

let bot: BotRun;
beforeAll(async () => {
  bot = await startBot();
});
afterAll(async () => {
  await bot?.stop();
});

graded('a pull request whose title breaks the rule gets "pending", then "failure"', {
  points: 2,
  hint: 'The rule is Conventional Commits: "type(scope)?: description" with a known type (feat, fix, docs, …). Anything else is a "failure" status, not silence.',
}, async () => {
  const { payload } = await send(bot, { event: 'pull_request', action: 'opened', title: 'Updated some stuff' });
  await waitForStates(bot, payload.pull_request.head.sha, ['pending', 'failure']);
});

graded('new commits on a pull request (synchronize) get statuses on the new head commit', {
  points: 1,
  hint: '"synchronize" means new commits were pushed to the pull request: check again and post the statuses on pull_request.head.sha (the new one).',
}, async () => {
  const opened = await send(bot, { event: 'pull_request', action: 'opened', title: 'fix: handle empty carts' });
  await waitForStates(bot, opened.payload.pull_request.head.sha, ['pending', 'success']);
  const synced = await send(bot, { event: 'pull_request', action: 'synchronize', number: opened.payload.number });
  expect(synced.payload.pull_request.head.sha).not.toBe(opened.payload.pull_request.head.sha);
  await waitForStates(bot, synced.payload.pull_request.head.sha, ['pending', 'success']);
});

graded('a redelivery of the same X-GitHub-Delivery posts no second status', {
  points: 2,
  hint: 'Redelivery sends the same X-GitHub-Delivery GUID again: remember the GUIDs you handled and answer a repeat with 2xx without acting again.',
}, async () => {
  const { payload, delivery } = await send(bot, { event: 'pull_request', action: 'opened', title: 'docs: explain the setup' });
  const sha = payload.pull_request.head.sha;
  await waitForStates(bot, sha, ['pending', 'success']);
  const res = await http(`${bot.github}/repos/octocat/hello-world/hooks/${bot.hookId}/deliveries/${delivery.seq}/attempts`, {
    method: 'POST', headers: { authorization: `token ${bot.token}` },
  });
  expect(res.status).toBe(202);
  const replayed = await waitFor(() => {
    const d = bot.control.engine.get(delivery.id);
    return d && d.attempts.filter((a) => a.kind === 'replay' && a.response).at(-1);
  }, { timeoutMs: 10_000, message: 'the redelivery to be answered' });
  expect(replayed.response!.status).toBeLessThan(300);
  await new Promise((r) => setTimeout(r, 1000)); // give a wrong second round of statuses time to show up
  expect(statusesOf(bot, sha).map((s) => s.state)).toEqual(['pending', 'success']);
});

graded('a push to another branch records no deployment', {
  points: 1,
  hint: 'Compare the push ref with refs/heads/ + repository.default_branch; pushes to feature branches are not deployments.',
}, async () => {
  const { payload, status } = await send(bot, { event: 'push', ref: 'refs/heads/feature/login', commits: ['WIP'] });
  expect(status).toBeLessThan(300);
  expect((await deployments(bot)).some((d) => d.sha === payload.after)).toBe(false);
});

graded('other events (an issue, a closed pull request) are answered 204', {
  points: 1,
  hint: 'The hook sends every event type: acknowledge the ones you do not act on with 204 No Content.',
}, async () => {
  const issue = await send(bot, { event: 'issues', action: 'opened' });
  expect(issue.status, `issues: ${issue.answer}`).toBe(204);
  await send(bot, { event: 'pull_request', action: 'opened', title: 'chore: bump deps' });
  const closed = await send(bot, { event: 'pull_request', action: 'closed' });
  expect(closed.status, `pull_request closed: ${closed.answer}`).toBe(204);
});

graded('a truncated or malformed signature gets 401, not a server error', {
  points: 1,
  hint: 'crypto.timingSafeEqual throws when the two buffers differ in length: check the length (and the "sha256=" prefix) first.',
}, async () => {
  const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
  for (const header of ['sha256=abc', 'sha256=', 'sha1=0123', 'garbage']) {
    const res = await postSigned(bot, 'ping', body, { headers: { 'x-hub-signature-256': header } });
    expect(res.status, `X-Hub-Signature-256: ${header}`).toBe(401);
  }
});

graded('the signature is checked on the body bytes as sent (spacing and escapes kept)', {
  points: 1,
  hint: 'Hash the raw bytes (c.req.arrayBuffer()), not JSON.stringify(await c.req.json()): re-serialised JSON loses the sender\'s spacing and escapes.',
}, async () => {
  const body = '{\n  "zen": "Caf\\u00e9 first, then code.",\n  "hook_id": 1\n}';
  const res = await postSigned(bot, 'ping', body);
  expect(res.status, `your answer: ${res.text}`).toBe(200);
});

graded('a multi-megabyte push payload is accepted and recorded', {
  points: 2,
  hint: 'GitHub sends payloads up to 25 MB (a push with many commits): do not cap the body at a small framework default such as 100 kB or 1 MB.',
}, async () => {
  const messages = Array.from({ length: 1500 }, (_, i) => `chore: commit ${i} ${'x'.repeat(2000)}`);
  const { payload, delivery, status, answer } = await send(bot, { event: 'push', commits: messages });
  expect(delivery.body.length).toBeGreaterThan(3 * 1024 * 1024);
  expect(status, `your answer: ${answer.slice(0, 200)}`).toBeLessThan(300);
  expect((await deployments(bot)).some((d) => d.sha === payload.after)).toBe(true);
});
