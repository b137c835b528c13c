// The inspector page in headless Chromium: opened with the control token (as `lab mock` prints its link), a delivery
// appears live (server-sent events), expands to its headers, body and response, and Replay sends it to the receiver
// again. Without the token the page shows nothing of the mock.
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { controlFetch, inspectorUrl, startMock } from '../../mock-servers/index.ts';
import type { StartedMock } from '../../mock-servers/index.ts';
import { startReceiver } from './receiver.ts';

let browser: Browser;
let mock: StartedMock;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mock = await startMock('github', { repos: ['acme/shop'], tokens: ['ghp_inspector_token'] });
  receiver = await startReceiver();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await mock?.close();
  await receiver?.close();
});

it('shows deliveries live, expands one, and Replay sends it again', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const link = await inspectorUrl(mock);
  expect(link).toBe(`${mock.url}/_inspector?token=${mock.controlToken}`);
  await page.goto(link!);
  await page.locator('#conn', { hasText: 'live' }).waitFor();

  // Nothing is on the page yet; a hook created now pings, and the ping must appear without a reload.
  const res = await fetch(`${mock.url}/repos/acme/shop/hooks`, {
    method: 'POST',
    headers: { authorization: 'token ghp_inspector_token', 'content-type': 'application/json' },
    body: JSON.stringify({ config: { url: receiver.url, content_type: 'json', secret: 's3cret' }, events: ['push'] }),
  });
  expect(res.status).toBe(201);
  await controlFetch(mock, '/_control/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"event":"push","repo":"acme/shop","commits":["Ship it"]}',
  });
  const push = page.locator('details.delivery').filter({ has: page.locator('.type', { hasText: /^push$/ }) });
  await push.locator('.badge.succeeded').waitFor();
  await expect(page.locator('details.delivery').count()).resolves.toBe(2);
  await receiver.waitFor(2);

  await push.locator('summary .type').click();
  await expect(push.locator('th', { hasText: 'X-GitHub-Event' }).count()).resolves.toBeGreaterThan(0);
  await expect(push.locator('pre.payload').innerText()).resolves.toContain('"message": "Ship it"');
  await expect(push.locator('pre.response').innerText()).resolves.toMatch(/^200/);

  await push.locator('button[data-replay]').click();
  await receiver.waitFor(3);
  expect(receiver.received[2]!.body).toBe(receiver.received[1]!.body);
  expect(receiver.received[2]!.headers['x-github-delivery']).toBe(receiver.received[1]!.headers['x-github-delivery']);
  await push.locator('.attempts', { hasText: '2 attempt(s)' }).waitFor();
  await expect(push.locator('td', { hasText: 'replay' }).count()).resolves.toBe(1);

  mkdirSync('test-results/mocks', { recursive: true });
  await page.screenshot({ path: 'test-results/mocks/inspector.png', fullPage: true });
  await page.close();
});

it('without the control token, or with a wrong one, the page answers 401 and shows no delivery', async () => {
  const page = await browser.newPage();
  for (const url of [`${mock.url}/_inspector`, `${mock.url}/_inspector?token=ctl_guessed`]) {
    const res = await page.goto(url);
    expect(res?.status()).toBe(401);
    const text = await page.locator('body').innerText();
    expect(text).toContain('GITHUB_CONTROL_TOKEN');
    expect(text).not.toContain('push');
    expect(await page.locator('details.delivery').count()).toBe(0);
  }
  await page.close();
});
