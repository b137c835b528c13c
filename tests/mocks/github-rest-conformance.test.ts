// Conformance of the GitHub mock's REST answers with GitHub's own OpenAPI description: each route the mock serves
// answers the success status GitHub documents, with a body that validates against GitHub's response schema for that
// operation (fixtures/github-rest-responses.json, cut from @octokit/openapi by fixtures/extract-github-rest.ts).
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlFetch, startMock } from '../../mock-servers/index.ts';
import type { StartedMock } from '../../mock-servers/index.ts';
import fixture from './fixtures/github-rest-responses.json' with { type: 'json' };
import { startReceiver } from './receiver.ts';

// OpenAPI 3.0 schemas: `nullable` is understood by Ajv; the rest of its keywords (example, x-…) are annotations.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
(addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);
const operations = fixture.operations as Record<string, { status: number; schema: object }>;

/** OpenAPI 3.0 allows null in a `nullable` enum; JSON Schema (Ajv) wants null listed in the enum itself. */
function nullableEnums(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) nullableEnums(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as { nullable?: boolean; enum?: unknown[] };
  if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum.push(null);
  Object.values(node).forEach(nullableEnums);
}
for (const op of Object.values(operations)) nullableEnums(op.schema);
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

describe("GitHub REST answers validate against GitHub's OpenAPI description", () => {
  let github: StartedMock;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let token: string;
  beforeAll(async () => {
    for (const op of Object.values(operations)) ajv.compile(op.schema); // compiled before any socket is open
    github = await startMock('github', { timeScale: 0.0001 });
    receiver = await startReceiver();
    token = (github.secrets as { token: string }).token;
  });
  afterAll(async () => {
    await github.close();
    await receiver.close();
  });

  const results: Array<{ operation: string; problems: string[] }> = [];
  async function check(
    operation: string,
    path: string,
    method: string,
    body?: unknown,
    as = token,
  ): Promise<Record<string, unknown>> {
    const op = operations[operation];
    if (!op) throw new Error(`no schema for ${operation}`);
    const res = await fetch(`${github.url}${path}`, {
      method,
      headers: { authorization: `token ${as}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const problems: string[] = [];
    if (res.status !== op.status)
      problems.push(`status ${res.status}, GitHub answers ${op.status}: ${text.slice(0, 200)}`);
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const validate = ajv.compile(op.schema);
    if (!validate(json))
      problems.push(...validate.errors!.slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message}`));
    results.push({ operation, problems });
    return json;
  }

  it('every route, from a repository to check runs', async () => {
    const repo = '/repos/octocat/hello-world';
    await check('GET /repos/{owner}/{repo}', repo, 'GET');
    await check('POST /user/repos', '/user/repos', 'POST', { name: 'conformance' });
    const hook = await check('POST /repos/{owner}/{repo}/hooks', `${repo}/hooks`, 'POST', {
      config: { url: receiver.url, content_type: 'json', secret: 's' },
      events: ['push'],
    });
    await receiver.waitFor(1); // the ping
    await controlFetch(github, '/_control/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"event":"push"}',
    });
    await receiver.waitFor(2);
    await check('GET /repos/{owner}/{repo}/hooks', `${repo}/hooks`, 'GET');
    await check('GET /repos/{owner}/{repo}/hooks/{hook_id}', `${repo}/hooks/${String(hook.id)}`, 'GET');
    await check('PATCH /repos/{owner}/{repo}/hooks/{hook_id}', `${repo}/hooks/${String(hook.id)}`, 'PATCH', {
      events: ['push', 'pull_request'],
    });
    const deliveries = (await check(
      'GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries',
      `${repo}/hooks/${String(hook.id)}/deliveries`,
      'GET',
    )) as unknown as Array<{ id: number }>;
    await check(
      'GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}',
      `${repo}/hooks/${String(hook.id)}/deliveries/${deliveries[0]!.id}`,
      'GET',
    );
    await check('POST /repos/{owner}/{repo}/statuses/{sha}', `${repo}/statuses/${SHA}`, 'POST', {
      state: 'success',
      context: 'ci/build',
      target_url: 'https://ci.example/1',
      description: 'Passed',
    });
    await check('GET /repos/{owner}/{repo}/commits/{ref}/statuses', `${repo}/commits/${SHA}/statuses`, 'GET');
    // Check runs are written by a GitHub App, with its installation token.
    const app = (github.secrets as { installation_token: string }).installation_token;
    const run = await check(
      'POST /repos/{owner}/{repo}/check-runs',
      `${repo}/check-runs`,
      'POST',
      { name: 'lint', head_sha: SHA, status: 'in_progress' },
      app,
    );
    await check('GET /repos/{owner}/{repo}/check-runs/{check_run_id}', `${repo}/check-runs/${String(run.id)}`, 'GET');
    await check(
      'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
      `${repo}/check-runs/${String(run.id)}`,
      'PATCH',
      { conclusion: 'success', output: { title: 'Lint', summary: 'No problems' } },
      app,
    );
    await check('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', `${repo}/commits/${SHA}/check-runs`, 'GET');

    const bad = results.filter((r) => r.problems.length > 0);
    console.log(`github REST: ${results.length - bad.length} of ${results.length} answers validate`);
    expect(bad.map((r) => `${r.operation}: ${r.problems.join('; ')}`).join('\n')).toBe('');
  });
});
