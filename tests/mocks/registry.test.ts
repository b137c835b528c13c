// The registry and the `lab mock` command: every mock by name, on a free port, and a clear error for a wrong name.
import { execFile } from 'node:child_process';
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
    expect(started.secrets).toMatchObject({ api_key: 'sk_test_templated_key', webhook_secret: expect.stringMatching(/^whsec_/) });
    // The same seed gives the same secret, so graders can know it in advance.
    const again = createMock('stripe', { seed: 'fixed' }).control as { webhookSecret: string };
    expect(again.webhookSecret).toBe(started.secrets.webhook_secret);
  } finally {
    await started.close();
  }
});

it('`lab mock <unknown>` exits with code 2 and lists the known mocks', async () => {
  const error = await run(process.execPath, ['cli/main.ts', 'mock', 'paypal'], { env: { ...process.env, NO_COLOR: '1' } }).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 2 });
  expect((error as { stderr: string }).stderr).toMatch(/unknown mock "paypal"\. Known mocks: stripe, github/);
});
