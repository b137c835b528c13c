import { afterAll, beforeAll, expect } from 'vitest';
import { expectErrorEnvelope, graded, waitFor } from '#testkit';
import { allStatusesOf, deployments, postSigned, send, startBot, waitForStates, type BotRun } from '../support.ts';

let bot: BotRun;
beforeAll(async () => {
  bot = await startBot();
});
afterAll(async () => {
  await bot?.stop();
});

graded(
  'the ping GitHub sends when the hook is created is answered 200',
  {
    rule: 'ping',
    points: 1,
    hint: 'A new hook gets a "ping" event (X-GitHub-Event: ping) at once: verify it like any other and answer 200.',
  },
  async () => {
    const ping = await waitFor(
      () =>
        bot.control.engine
          .list({ endpointId: String(bot.hookId) })
          .find((d) => d.event_type === 'ping' && d.attempts.length > 0),
      {
        timeoutMs: 10_000,
        message: 'the ping delivery',
      },
    );
    expect(
      ping.attempts[0]?.response?.status,
      `the ping delivery was answered: ${ping.attempts[0]?.response?.body ?? ping.attempts[0]?.error}`,
    ).toBe(200);
  },
);

graded(
  'an opened pull request with a Conventional Commits title gets "pending", then "success"',
  {
    rule: 'pr-status',
    points: 3,
    hint: 'On pull_request "opened", POST /repos/{owner}/{repo}/statuses/{head sha} with your token: state "pending" first, then "success" when the title matches the rule. Use the context "lab-bot/pr-title".',
  },
  async () => {
    const { payload, status, answer } = await send(bot, {
      event: 'pull_request',
      action: 'opened',
      title: 'feat: add fuzzy matching',
    });
    expect(status, `the pull_request delivery was answered ${status}: ${answer}`).toBeGreaterThanOrEqual(200);
    expect(status, `the pull_request delivery was answered ${status}: ${answer}`).toBeLessThan(300);
    await waitForStates(bot, payload.pull_request.head.sha, ['pending', 'success']);
  },
);

graded(
  'a push to the default branch is recorded in GET /deployments',
  {
    rule: 'deployments',
    points: 2,
    hint: 'A push event whose ref is refs/heads/<repository.default_branch> is a deployment: record its "after" sha, ref, the number of commits, the pusher\'s name and the X-GitHub-Delivery id, and list them at GET /deployments as { data: [...] }.',
  },
  async () => {
    const { payload, delivery, status, answer } = await send(bot, {
      event: 'push',
      commits: ['Fix the checkout button', 'Add a test'],
    });
    expect(status, `the push delivery was answered ${status}: ${answer}`).toBeLessThan(300);
    const list = await deployments(bot);
    const deployment = list.find((d) => d.sha === payload.after);
    expect(
      deployment,
      `GET /deployments should list a deployment with sha ${payload.after} (the push's "after"): ${JSON.stringify(list).slice(0, 300)}`,
    ).toBeDefined();
    expect(deployment, 'the deployment').toMatchObject({
      sha: payload.after,
      ref: 'refs/heads/main',
      commits: 2,
      pusher: payload.pusher.name,
      delivery_id: delivery.id,
    });
    expect(typeof (deployment as { id?: unknown }).id, "the deployment's id").toBe('string');
    expect(
      Date.parse(String((deployment as { created_at?: unknown }).created_at)),
      "the deployment's created_at (ISO 8601)",
    ).not.toBeNaN();
  },
);

graded(
  'a request with a missing or wrong X-Hub-Signature-256 gets 401 and does nothing',
  {
    rule: 'signature',
    points: 2,
    hint: 'Compute HMAC-SHA256 of the raw body with your webhook secret, compare it with the header in constant time (crypto.timingSafeEqual), answer 401 with the error envelope when it does not match.',
  },
  async () => {
    const before = (await deployments(bot)).length;
    const sha = 'f'.repeat(40);
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      after: sha,
      repository: { default_branch: 'main', full_name: 'octocat/hello-world' },
      pusher: { name: 'mallory' },
      commits: [],
    });
    const unsigned = await postSigned(bot, 'push', body, { sign: false });
    expect(unsigned.status, `no signature: ${unsigned.said}`).toBe(401);
    expectErrorEnvelope(unsigned);
    const forged = await postSigned(bot, 'push', body, { secret: 'not-the-secret' });
    expect(forged.status, `signed with another secret: ${forged.said}`).toBe(401);
    expectErrorEnvelope(forged);
    const pr = JSON.stringify({
      action: 'opened',
      number: 1,
      pull_request: { title: 'feat: free stuff', head: { sha } },
      repository: { full_name: 'octocat/hello-world' },
    });
    const forgedPr = await postSigned(bot, 'pull_request', pr, { secret: 'not-the-secret' });
    expect(forgedPr.status, `a pull request signed with another secret: ${forgedPr.said}`).toBe(401);
    const ping = await postSigned(bot, 'ping', JSON.stringify({ zen: 'Design for failure.', hook_id: 1 }), {
      sign: false,
    });
    expect(ping.status, `a ping without a signature (pings are verified like any other event): ${ping.said}`).toBe(401);
    expect((await deployments(bot)).length, 'deployments after the refused push').toBe(before);
    await new Promise((r) => setTimeout(r, 300)); // a status posted after answering would show up by now
    expect(allStatusesOf(bot, sha), 'statuses posted for a refused pull request').toEqual([]);
  },
);
