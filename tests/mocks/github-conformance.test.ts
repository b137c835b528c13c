// Conformance of the GitHub mock's webhooks with GitHub's published payload schemas (@octokit/webhooks-schemas):
// every event and action the mock can send, as delivered over HTTP to a receiver (JSON and form hooks), must
// validate against the schema of its event and action, e.g. `pull_request$edited`. Before issue #13: 0 of 15.
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import schema from '@octokit/webhooks-schemas' with { type: 'json' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlFetch, startMock } from '../../mock-servers/index.ts';
import type { StartedMock } from '../../mock-servers/index.ts';
import { startReceiver } from './receiver.ts';

const ajv = new Ajv({ strict: false, allErrors: true });
(addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);
ajv.addSchema(schema as object, 'webhooks');
const validatorFor = (name: string): ValidateFunction | undefined => ajv.getSchema(`webhooks#/definitions/${name}`);

/** Every trigger the GitHub mock supports, in an order where each one has what it needs (an open PR, an issue). */
const TRIGGERS: Array<Record<string, unknown>> = [
  { event: 'push' },
  { event: 'push', commits: ['Add a feature', 'Fix the tests'], ref: 'refs/heads/feature' },
  { event: 'push', commits: [] },
  { event: 'pull_request' },
  { event: 'pull_request', action: 'synchronize' },
  { event: 'pull_request', action: 'edited', title: 'A better title' },
  { event: 'pull_request', action: 'edited', body: 'A longer description' },
  { event: 'pull_request', action: 'closed' },
  { event: 'pull_request', action: 'reopened', number: 1 },
  { event: 'pull_request', action: 'closed', merged: true },
  { event: 'issues', title: 'It crashes' },
  { event: 'issues', action: 'edited', title: 'It crashes on start' },
  { event: 'issues', action: 'labeled', label: 'bug' },
  { event: 'issues', action: 'closed' },
  { event: 'issues', action: 'reopened' },
];
const EXPECTED = [
  'ping$event',
  'push$event',
  'pull_request$opened',
  'pull_request$synchronize',
  'pull_request$edited',
  'pull_request$closed',
  'pull_request$reopened',
  'issues$opened',
  'issues$edited',
  'issues$labeled',
  'issues$closed',
  'issues$reopened',
  'status$event',
  'check_run$created',
  'check_run$completed',
];

describe('GitHub webhooks validate against @octokit/webhooks-schemas', () => {
  let github: StartedMock;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    // Compile the validators first: compiling blocks the event loop for seconds, which would let the mock's idle
    // keep-alive sockets time out under the test's next request.
    for (const name of EXPECTED) expect(validatorFor(name), name).toBeDefined();
    github = await startMock('github', { timeScale: 0.0001 });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await github.close();
    await receiver.close();
  });

  it.each(['json', 'form'] as const)('every event and action, %s hook', async (contentType) => {
    await controlFetch(github, '/_control/reset', { method: 'POST' });
    receiver.received.length = 0;
    const token = (github.secrets as { token: string }).token;
    const hook = await fetch(`${github.url}/repos/octocat/hello-world/hooks`, {
      method: 'POST',
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        config: { url: receiver.url, content_type: contentType, secret: 'conformance' },
        events: ['*'],
      }),
    });
    expect(hook.status, await hook.clone().text()).toBe(201);
    for (const trigger of TRIGGERS) {
      const res = await controlFetch(github, '/_control/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(trigger),
      });
      expect(
        res.status,
        `POST /_control/events ${JSON.stringify(trigger)} → ${res.status} ${await res.clone().text()}`,
      ).toBe(201);
    }
    // A commit status, and check runs from the App (one queued then completed, one completed at once): 5 events.
    const sha = String(
      (
        (await (
          await controlFetch(github, '/_control/events', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ event: 'push', commits: ['Ship the checks'] }),
          })
        ).json()) as { payload: { after: string } }
      ).payload.after,
    );
    const rest = (path: string, method: string, body: unknown, as = token) =>
      fetch(`${github.url}/repos/octocat/hello-world${path}`, {
        method,
        headers: { authorization: `token ${as}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (res) => {
        expect(res.status, `${method} ${path} → ${res.status} ${await res.clone().text()}`).toBeLessThan(300);
        return (await res.json()) as { id: number };
      });
    const app = (github.secrets as { installation_token: string }).installation_token;
    await rest(`/statuses/${sha}`, 'POST', {
      state: 'success',
      context: 'ci/build',
      target_url: 'https://ci.example/1',
    });
    const queued = await rest('/check-runs', 'POST', { name: 'lint', head_sha: sha }, app);
    await rest(
      `/check-runs/${queued.id}`,
      'PATCH',
      { conclusion: 'failure', output: { title: 'Lint', summary: '2 problems' } },
      app,
    );
    await rest(
      '/check-runs',
      'POST',
      {
        name: 'docs',
        head_sha: sha,
        external_id: 'docs-1',
        details_url: 'https://ci.example/docs',
        conclusion: 'skipped',
      },
      app,
    );
    await receiver.waitFor(1 + TRIGGERS.length + 1 + 5);

    const seen = new Set<string>();
    const failures: string[] = [];
    for (const delivery of receiver.received) {
      const event = String(delivery.headers['x-github-event']);
      const raw = contentType === 'form' ? (new URLSearchParams(delivery.body).get('payload') ?? '') : delivery.body;
      const payload = JSON.parse(raw) as { action?: string };
      const name = `${event}$${payload.action ?? 'event'}`;
      seen.add(name);
      const validate = validatorFor(name);
      if (!validate) {
        failures.push(`${name}: no schema of that name`);
        continue;
      }
      if (!validate(payload)) {
        failures.push(
          `${name}: ${validate
            .errors!.slice(0, 8)
            .map((e) => `${e.instancePath || '/'} ${e.message}`)
            .join('; ')}`,
        );
      }
    }
    const valid = receiver.received.length - failures.length;
    console.log(`github ${contentType} webhooks: ${valid} of ${receiver.received.length} validate`);
    expect(failures, failures.join('\n')).toEqual([]);
    expect([...seen].sort()).toEqual([...EXPECTED].sort());
  });
});
