// The inspector page in headless Chromium: a delivery appears live (server-sent events), expands to its headers,
// body and response, and Replay sends it to the receiver again.
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMock } from '../../mock-servers/index.ts';
import type { StartedMock } from '../../mock-servers/index.ts';
import { startReceiver } from './receiver.ts';

let browser: Browser;
let mock: StartedMock;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
  await page.goto(`${mock.url}/_inspector`);
  await page.locator('#conn', { hasText: 'live' }).waitFor();

  // Nothing is on the page yet; a hook created now pings, and the ping must appear without a reload.
  const res = await fetch(`${mock.url}/repos/acme/shop/hooks`, {
    method: 'POST', headers: { authorization: 'token ghp_inspector_token', 'content-type': 'application/json' },
    body: JSON.stringify({ config: { url: receiver.url, content_type: 'json', secret: 's3cret' }, events: ['push'] }),
  });
  expect(res.status).toBe(201);
  await fetch(`${mock.url}/_control/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"event":"push","repo":"acme/shop","commits":["Ship it"]}' });
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
