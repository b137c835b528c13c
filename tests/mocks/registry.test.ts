// The registry and the `lab mock` command: every mock by name, on a free port, and a clear error for a wrong name;
// `lab mock` prints how a person reaches the control API and keeps the token for `lab start` while it runs.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { createMock, DEFAULT_PORTS, MOCK_NAMES, startMock } from '../../mock-servers/index.ts';

const run = promisify(execFile);

it('knows its mocks and their default ports', () => {
  expect(MOCK_NAMES).toEqual(expect.arrayContaining(['stripe', 'github']));
  expect(DEFAULT_PORTS).toEqual({ stripe: 12111, github: 12112, oauth: 12113, carriers: 12114 });
  expect(() => createMock('paypal')).toThrow(/unknown mock "paypal".*stripe, github/);
});

it.each(MOCK_NAMES)('startMock(%s) serves on 127.0.0.1 on a free port and closes cleanly', async (name) => {
  const started = await startMock(name, { timeScale: 0.001 });
  try {
    expect(started.url).toBe(`http://127.0.0.1:${started.port}`);
    expect(started.port).toBeGreaterThan(0);
    expect(started.mock.name).toBe(name);
    const res = await fetch(`${started.url}/definitely-not-a-route`);
    expect(res.status).toBe(404);
  } finally {
    await started.close();
  }
  await expect(fetch(`${started.url}/`)).rejects.toThrow();
});

it('a webhook mock exposes its secrets for lab.json templates', async () => {
  const started = await startMock('stripe', { seed: 'fixed', apiKey: 'sk_test_templated_key' });
  try {
    expect(started.secrets).toMatchObject({
      api_key: 'sk_test_templated_key',
      webhook_secret: expect.stringMatching(/^whsec_/),
    });
    // The same seed gives the same secret, so graders can know it in advance.
    const again = createMock('stripe', { seed: 'fixed' }).control as { webhookSecret: string };
    expect(again.webhookSecret).toBe(started.secrets.webhook_secret);
  } finally {
    await started.close();
  }
});

it('`lab mock <unknown>` exits with code 2 and lists the known mocks', async () => {
  const error = await run(process.execPath, ['cli/main.ts', 'mock', 'paypal'], {
    env: { ...process.env, NO_COLOR: '1' },
  }).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 2 });
  expect((error as { stderr: string }).stderr).toMatch(/unknown mock "paypal"\. Known mocks: stripe, github/);
});

it('`lab mock` prints the inspector link, the token and a curl line that work as pasted, and keeps the token for `lab start` until it stops', async () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-state-'));
  const child = spawn(process.execPath, ['cli/main.ts', 'mock', 'github', '--port', '0'], {
    env: { ...process.env, NO_COLOR: '1', INTEGRATION_LAB_STATE: state },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    for (let i = 0; i < 200 && !output.includes('Press Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 50));
    const url = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(output);
    const token = /export GITHUB_CONTROL_TOKEN=(ctl_[\w-]+)/.exec(output)?.[1];
    const curl = /curl -s -H '([\w-]+): (\S+)' (\S+)/.exec(output);
    expect(url && token && curl, output).toBeTruthy();
    expect(output).toContain(`inspector    ${url![1]}/_inspector?token=${token}`);

    // The curl line: its header and URL reach the control API; the inspector link opens the page.
    const secrets = await fetch(curl![3]!, { headers: { [curl![1]!]: curl![2]! } });
    expect(secrets.status).toBe(200);
    expect(await secrets.json()).toMatchObject({ token: expect.stringMatching(/^ghp_/) });
    expect((await fetch(`${url![1]}/_inspector?token=${token}`)).headers.get('content-type')).toMatch(/text\/html/);
    expect((await fetch(`${url![1]}/_control/secrets`)).status).toBe(401);

    const file = join(state, 'mocks', `github-${url![2]}.json`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ url: url![1], controlToken: token });
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(existsSync(file)).toBe(false);
  } finally {
    child.kill('SIGKILL');
  }
});
