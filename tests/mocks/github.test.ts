// The GitHub mock: hooks, ping, push / pull_request / issues deliveries verified by @octokit/webhooks-methods,
// redelivery with the same GUID, statuses and check runs called back with a token, errors in GitHub's shape.
import { verify } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { controlFetch, startMock } from '../../mock-servers/index.ts';
import type { GitHubControl, StartedMock } from '../../mock-servers/index.ts';
import { sleep, startReceiver } from './receiver.ts';

const TOKEN = 'ghp_integrationlabtoken000000000000000001';
const APP_TOKEN = 'ghs_integrationlabinstallation00000000001';
const SECRET = 'It’s a Secret to Everybody';
let mock: StartedMock;
let control: GitHubControl;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
  fetch(`${mock.url}${path}`, {
    ...init,
    headers: {
      authorization: `token ${TOKEN}`,
      accept: 'application/vnd.github+json',
      'content-type': 'application/json',
      ...(init.headers as Record<string, string>),
    },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
const trigger = (body: unknown) =>
  controlFetch(mock, '/_control/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const createHook = (events = ['push', 'pull_request', 'issues'], config: Record<string, unknown> = {}) =>
  api('/repos/acme/shop/hooks', {
    method: 'POST',
    json: {
      name: 'web',
      active: true,
      events,
      config: { url: receiver.url, content_type: 'json', secret: SECRET, ...config },
    },
  });
const settledAll = () => Promise.all(control.engine.list().map((d) => control.engine.settled(d.id)));

beforeAll(async () => {
  mock = await startMock('github', {
    repos: ['acme/shop'],
    tokens: [TOKEN],
    appTokens: [APP_TOKEN],
    maxPayloadBytes: 64 * 1024,
  });
  control = mock.mock.control as GitHubControl;
  receiver = await startReceiver();
});
afterAll(async () => {
  await mock.close();
  await receiver.close();
});
beforeEach(async () => {
  await controlFetch(mock, '/_control/reset', { method: 'POST' });
  receiver.received.length = 0;
});

describe('GitHub mock webhooks', () => {
  it("creating a hook sends a signed ping with GitHub's headers", async () => {
    const res = await createHook();
    expect(res.status).toBe(201);
    const hook = await res.json();
    expect(hook).toMatchObject({
      type: 'Repository',
      name: 'web',
      events: ['push', 'pull_request', 'issues'],
      config: { secret: '********', content_type: 'json' },
    });
    await receiver.waitFor(1);
    const { headers, body } = receiver.received[0]!;
    expect(headers['x-github-event']).toBe('ping');
    expect(headers['x-github-hook-id']).toBe(String(hook.id));
    expect(headers['x-github-delivery']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(headers['user-agent']).toMatch(/^GitHub-Hookshot\/[0-9a-f]{7}$/);
    expect(await verify(SECRET, body, String(headers['x-hub-signature-256']))).toBe(true);
    expect(JSON.parse(body)).toMatchObject({
      zen: expect.any(String),
      hook_id: hook.id,
      repository: { full_name: 'acme/shop' },
    });
  });

  it('push, pull_request (opened, synchronize, closed) and issues deliveries all verify', async () => {
    await createHook();
    await receiver.waitFor(1);
    await trigger({ event: 'push', repo: 'acme/shop', commits: ['Add cart', 'Fix totals'] });
    await trigger({ event: 'pull_request', repo: 'acme/shop', action: 'opened', title: 'Checkout' });
    await trigger({ event: 'pull_request', repo: 'acme/shop', action: 'synchronize' });
    await trigger({ event: 'pull_request', repo: 'acme/shop', action: 'closed', merged: true });
    await trigger({ event: 'issues', repo: 'acme/shop', action: 'opened', title: 'Totals are wrong' });
    await receiver.waitFor(6);
    const seen = receiver.received.slice(1);
    for (const r of seen) expect(await verify(SECRET, r.body, String(r.headers['x-hub-signature-256']))).toBe(true);
    expect(seen.map((r) => `${r.headers['x-github-event']}:${JSON.parse(r.body).action ?? ''}`)).toEqual([
      'push:',
      'pull_request:opened',
      'pull_request:synchronize',
      'pull_request:closed',
      'issues:opened',
    ]);
    const [push, opened, sync, closed, issue] = seen.map((r) => JSON.parse(r.body));
    expect(push).toMatchObject({
      ref: 'refs/heads/main',
      commits: [{ message: 'Add cart' }, { message: 'Fix totals' }],
      head_commit: { message: 'Fix totals' },
    });
    expect(push.after).toBe(push.head_commit.id);
    expect(opened.pull_request).toMatchObject({
      number: 1,
      state: 'open',
      title: 'Checkout',
      head: { ref: 'feature' },
      base: { ref: 'main' },
    });
    expect(sync).toMatchObject({ number: 1, before: opened.pull_request.head.sha, after: sync.pull_request.head.sha });
    expect(closed.pull_request).toMatchObject({ state: 'closed', merged: true });
    expect(issue.issue).toMatchObject({ number: 2, title: 'Totals are wrong', state: 'open' });
  });

  it('only subscribed events are sent; a form hook gets payload=… signed over the form body', async () => {
    await createHook(['issues'], { content_type: 'form' });
    await receiver.waitFor(1);
    await trigger({ event: 'push', repo: 'acme/shop' });
    await trigger({ event: 'issues', repo: 'acme/shop' });
    await receiver.waitFor(2);
    await sleep(50);
    expect(receiver.received.map((r) => r.headers['x-github-event'])).toEqual(['ping', 'issues']);
    const form = receiver.received[1]!;
    expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(await verify(SECRET, form.body, String(form.headers['x-hub-signature-256']))).toBe(true);
    expect(JSON.parse(new URLSearchParams(form.body).get('payload')!).action).toBe('opened');
  });

  it('does not retry a failed delivery; redelivery through the API keeps the GUID', async () => {
    const failing = await startReceiver((_r, i) => (i === 1 ? 500 : 200));
    try {
      const hook = await (await createHook(['push'], { url: failing.url })).json();
      await failing.waitFor(1);
      await trigger({ event: 'push', repo: 'acme/shop' });
      await failing.waitFor(2);
      await settledAll();
      await sleep(100);
      expect(failing.received).toHaveLength(2); // no automatic retry
      const list = await (await api(`/repos/acme/shop/hooks/${hook.id}/deliveries`)).json();
      expect(list[0]).toMatchObject({ event: 'push', status_code: 500, redelivery: false });
      const res = await api(`/repos/acme/shop/hooks/${hook.id}/deliveries/${list[0].id}/attempts`, { method: 'POST' });
      expect(res.status).toBe(202);
      await failing.waitFor(3);
      expect(failing.received[2]!.headers['x-github-delivery']).toBe(failing.received[1]!.headers['x-github-delivery']);
      expect(failing.received[2]!.body).toBe(failing.received[1]!.body);
      await settledAll();
      await sleep(50);
      const one = await (await api(`/repos/acme/shop/hooks/${hook.id}/deliveries/${list[0].id}`)).json();
      expect(one).toMatchObject({
        guid: list[0].guid,
        redelivery: true,
        status_code: 200,
        request: { payload: { ref: 'refs/heads/main' } },
      });
    } finally {
      await failing.close();
    }
  });

  it('does not deliver a payload over the size cap', async () => {
    await createHook(['push']);
    await receiver.waitFor(1);
    const res = await trigger({
      event: 'push',
      repo: 'acme/shop',
      commits: Array.from({ length: 200 }, (_, i) => `commit ${i} ${'x'.repeat(400)}`),
    });
    expect((await res.json()).deliveries[0].status).toBe('skipped');
    await sleep(100);
    expect(receiver.received).toHaveLength(1);
    expect(control.engine.list().at(-1)!.skip_reason).toMatch(/over the 65536-byte cap/);
  });
});

describe('GitHub mock API a receiver calls back', () => {
  it('commit statuses: POST needs a token, GET lists newest first', async () => {
    const sha = 'a'.repeat(40);
    expect(
      (await fetch(`${mock.url}/repos/acme/shop/statuses/${sha}`, { method: 'POST', body: '{"state":"success"}' }))
        .status,
    ).toBe(401);
    const created = await api(`/repos/acme/shop/statuses/${sha}`, {
      method: 'POST',
      json: { state: 'pending', context: 'ci/lab' },
    });
    expect(created.status).toBe(201);
    await api(`/repos/acme/shop/statuses/${sha}`, {
      method: 'POST',
      json: { state: 'success', context: 'ci/lab', target_url: 'https://ci.example/1' },
    });
    const listed = await (await fetch(`${mock.url}/repos/acme/shop/commits/${sha}/statuses`)).json();
    expect(listed.map((s: { state: string }) => s.state)).toEqual(['success', 'pending']);
    const bad = await api(`/repos/acme/shop/statuses/${sha}`, { method: 'POST', json: { state: 'great' } });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({
      message: 'Validation Failed',
      errors: [{ field: 'state' }],
      documentation_url: expect.any(String),
    });
  });

  it('check runs: create, complete, list by commit (with the App installation token)', async () => {
    const sha = 'b'.repeat(40);
    const asApp = { authorization: `token ${APP_TOKEN}` };
    const run = await (
      await api('/repos/acme/shop/check-runs', {
        method: 'POST',
        headers: asApp,
        json: { name: 'lab-tests', head_sha: sha, status: 'in_progress' },
      })
    ).json();
    expect(run).toMatchObject({ name: 'lab-tests', status: 'in_progress', conclusion: null });
    const needsConclusion = await api(`/repos/acme/shop/check-runs/${run.id}`, {
      method: 'PATCH',
      headers: asApp,
      json: { status: 'completed' },
    });
    expect(needsConclusion.status).toBe(422);
    const done = await (
      await api(`/repos/acme/shop/check-runs/${run.id}`, {
        method: 'PATCH',
        headers: asApp,
        json: { conclusion: 'success', output: { title: 'All green', summary: '12 passed' } },
      })
    ).json();
    expect(done).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: 'All green' } });
    const list = await (await api(`/repos/acme/shop/commits/${sha}/check-runs`)).json();
    expect(list).toMatchObject({ total_count: 1, check_runs: [{ id: run.id }] });
  });

  it('a personal access token may read check runs but not write them: 403, as GitHub answers', async () => {
    const sha = 'c'.repeat(40);
    const refused = await api('/repos/acme/shop/check-runs', {
      method: 'POST',
      json: { name: 'lab-tests', head_sha: sha },
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      message: 'You must authenticate via a GitHub App.',
      documentation_url: expect.stringContaining('create-a-check-run'),
    });
    expect(control.checkRuns('acme/shop', sha)).toEqual([]);
    const run = await (
      await api('/repos/acme/shop/check-runs', {
        method: 'POST',
        headers: { authorization: `Bearer ${APP_TOKEN}` },
        json: { name: 'lab-tests', head_sha: sha },
      })
    ).json();
    const update = await api(`/repos/acme/shop/check-runs/${run.id}`, {
      method: 'PATCH',
      json: { conclusion: 'failure' },
    });
    expect(update.status).toBe(403);
    expect((await api(`/repos/acme/shop/check-runs/${run.id}`)).status).toBe(200);
    expect(control.checkRuns('acme/shop', sha)).toMatchObject([{ status: 'queued', conclusion: null }]);
  });

  it('hooks subscribed to status and check_run hear of commit statuses and check runs', async () => {
    expect((await createHook(['status', 'check_run'])).status).toBe(201);
    await receiver.waitFor(1); // the ping
    const sha = 'd'.repeat(40);
    await api(`/repos/acme/shop/statuses/${sha}`, { method: 'POST', json: { state: 'pending', context: 'ci/lab' } });
    const asApp = { authorization: `token ${APP_TOKEN}` };
    const run = await (
      await api('/repos/acme/shop/check-runs', {
        method: 'POST',
        headers: asApp,
        json: { name: 'lint', head_sha: sha },
      })
    ).json();
    await api(`/repos/acme/shop/check-runs/${run.id}`, {
      method: 'PATCH',
      headers: asApp,
      json: { status: 'in_progress' },
    });
    await api(`/repos/acme/shop/check-runs/${run.id}`, {
      method: 'PATCH',
      headers: asApp,
      json: { conclusion: 'success' },
    });
    await receiver.waitFor(4);
    await sleep(100);
    const seen = receiver.received.slice(1).map((d) => {
      const payload = JSON.parse(d.body) as { action?: string; state?: string; check_run?: { status: string } };
      return [d.headers['x-github-event'], payload.action ?? payload.state, payload.check_run?.status ?? payload.state];
    });
    // No event for in_progress: repository hooks get `created` and `completed` only.
    expect(seen).toEqual([
      ['status', 'pending', 'pending'],
      ['check_run', 'created', 'queued'],
      ['check_run', 'completed', 'completed'],
    ]);
    for (const d of receiver.received) {
      expect(await verify(SECRET, d.body, String(d.headers['x-hub-signature-256']))).toBe(true);
    }
  });

  it("errors in GitHub's shape: bad credentials, unknown repo, malformed JSON", async () => {
    const wrong = await fetch(`${mock.url}/repos/acme/shop/hooks`, { headers: { authorization: 'token nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
    });
    const missing = await api('/repos/acme/nothing/hooks');
    expect(missing.status).toBe(404);
    expect((await missing.json()).message).toBe('Not Found');
    const malformed = await api('/repos/acme/shop/hooks', { method: 'POST', body: '{"name": "web",' });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).message).toBe('Problems parsing JSON');
  });
});
