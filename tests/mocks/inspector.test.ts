// The inspector page in headless Chromium: opened with the control token (as `lab mock` prints its link), a delivery
// appears live (server-sent events), expands to its headers, body and response, every attempt to its own request and
// response headers; Replay sends it to the receiver again and says so, or says why it failed; the faults lab 03's
// README sends students to ("Add a fault from the inspector") are added, listed and removed there. Without the token
// the page shows nothing of the mock.
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
let receiverStatus = 200;
const push = (commits: string[]) =>
  controlFetch(mock, '/_control/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'push', repo: 'acme/shop', commits }),
  });

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
  mock = await startMock('github', {
    repos: ['acme/shop'],
    tokens: ['ghp_inspector_token'],
    maxPayloadBytes: 8 * 1024,
  });
  receiver = await startReceiver(() => receiverStatus);
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
  await push(['Ship it']);
  const pushed = page.locator('details.delivery').filter({ has: page.locator('.type', { hasText: /^push$/ }) });
  await pushed.locator('.badge.succeeded').waitFor();
  await expect(page.locator('details.delivery').count()).resolves.toBe(2);
  await receiver.waitFor(2);

  await pushed.locator('summary .type').click();
  await expect(pushed.locator('th', { hasText: 'X-GitHub-Event' }).count()).resolves.toBeGreaterThan(0);
  await expect(pushed.locator('pre.payload').innerText()).resolves.toContain('"message": "Ship it"');
  await expect(pushed.locator('pre.response').innerText()).resolves.toMatch(/^200/);

  await pushed.locator('button[data-replay]').click();
  await receiver.waitFor(3);
  expect(receiver.received[2]!.body).toBe(receiver.received[1]!.body);
  expect(receiver.received[2]!.headers['x-github-delivery']).toBe(receiver.received[1]!.headers['x-github-delivery']);
  await pushed.locator('.attempts', { hasText: '2 attempt(s)' }).waitFor();
  await expect(pushed.locator('td', { hasText: 'replay' }).count()).resolves.toBe(1);
  await pushed.locator('.notice', { hasText: 'Replayed: the receiver answered 200' }).waitFor();

  // Every attempt has its own headers: the replay was signed again, with the same delivery GUID.
  const attempts = pushed.locator('details.attempt');
  await expect(attempts.count()).resolves.toBe(2);
  await attempts.nth(1).locator('summary').click();
  const second = attempts.nth(1);
  await expect(second.locator('summary').innerText()).resolves.toMatch(/Attempt 2 \(replay, .*\) → 200/);
  await expect(second.locator('tr', { hasText: 'X-GitHub-Delivery' }).innerText()).resolves.toContain(
    String(receiver.received[2]!.headers['x-github-delivery']),
  );
  await expect(second.locator('th', { hasText: /^content-type$/i }).count()).resolves.toBeGreaterThan(0);

  // A replay the receiver refuses is a failed replay, and the page says so.
  receiverStatus = 503;
  await pushed.locator('button[data-replay]').click();
  await pushed.locator('.notice.bad', { hasText: 'Replay failed: the receiver answered 503' }).waitFor();
  receiverStatus = 200;

  mkdirSync('test-results/mocks', { recursive: true });
  await page.screenshot({ path: 'test-results/mocks/inspector.png', fullPage: true });
  await page.close();
});

it('a replay the mock refuses says why; faults are added, listed, used up and removed from the page', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto((await inspectorUrl(mock))!);
  await page.locator('#conn', { hasText: 'live' }).waitFor();

  // Over the mock's 8 KiB payload cap: logged as skipped, never sent, so it cannot be replayed (409).
  await push(Array.from({ length: 40 }, (_, i) => `commit ${i} ${'x'.repeat(300)}`));
  const skipped = page.locator('details.delivery').filter({ has: page.locator('.badge.skipped') });
  await skipped.waitFor();
  await skipped.locator('button[data-replay]').click();
  await skipped.locator('.notice.bad', { hasText: /Replay failed: 409 .*never sent/ }).waitFor();

  // A duplicate fault for one delivery, added from the form: listed, then used up by the next push.
  await page.selectOption('#fault-form select[name=mode]', 'duplicate');
  await page.fill('#fault-form input[name=count]', '1');
  await page.click('#fault-form button[type=submit]');
  await page.locator('#fault-notice', { hasText: 'Added duplicate' }).waitFor();
  await page.locator('#fault-list tr.fault', { hasText: 'duplicate' }).waitFor();
  const before = receiver.received.length;
  await push(['Twice']);
  await receiver.waitFor(before + 2);
  expect(receiver.received[before + 1]!.body).toBe(receiver.received[before]!.body);
  await page.locator('#fault-list tr.fault').waitFor({ state: 'detached' });

  // A rule the mock refuses says why; one added until cleared is removed with its button.
  await page.selectOption('#fault-form select[name=mode]', 'delay');
  await page.fill('#fault-form input[name=count]', '');
  await page.fill('#fault-form input[name=delay_ms]', '999999');
  await page.click('#fault-form button[type=submit]');
  await page.locator('#fault-notice.bad', { hasText: /Not added: 422 .*delay_ms/ }).waitFor();
  await page.fill('#fault-form input[name=delay_ms]', '5');
  await page.click('#fault-form button[type=submit]');
  const rule = page.locator('#fault-list tr.fault', { hasText: 'delay 5 ms' });
  await rule.waitFor();
  await expect(rule.innerText()).resolves.toContain('until cleared');
  await rule.locator('button[data-remove-fault]').click();
  await rule.waitFor({ state: 'detached' });
  expect(((await (await controlFetch(mock, '/_control/faults')).json()) as { data: unknown[] }).data).toEqual([]);
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
