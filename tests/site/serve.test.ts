// `lab serve` (what `npm start` runs): the dev server comes up, prints its URL, serves a lesson whose diagrams render
// in Chromium (Mermaid pre-bundled for dev), and Ctrl-C (SIGINT) stops it with exit code 0.
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { execa } from 'execa';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, mermaidBlockCount, repoRoot, sitePages } from './harness.ts';

const cli = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));

/** A port that was free a moment ago (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('rejects a port that is not a number, with a clear message', async () => {
  const result = await execa(process.execPath, [cli, 'serve', '--port', 'eighty'], { cwd: repoRoot, reject: false });
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toMatch(
    /--port <port>' argument 'eighty' is invalid. a port is a whole number from 1 to 65535/,
  );
});

test('serves the lessons with working diagrams, and stops cleanly on Ctrl-C', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port)], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    // Bounded wait for the "course site: <url>" line.
    const started = Date.now();
    let url: string | undefined;
    while (!url && Date.now() - started < 180_000 && child.exitCode === null) {
      url = /course site: (http:\/\/\S+)/.exec(output)?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 250));
    }
    expect(url, `lab serve printed no URL:\n${output}`).toBeDefined();
    expect(url).toContain(`:${port}/`);

    const lesson = sitePages().find((p) => p.source === 'lessons/01-why-integrate.md')!;
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      // In dev the <head> icon is added by script after the first paint, so Chromium asks for /favicon.ico first.
      if (msg.location().url.endsWith('/favicon.ico')) return;
      if (msg.type() === 'error') errors.push(`${msg.text()} (${msg.location().url})`);
    });
    // The dev server compiles on first request, so the first page load is slow.
    await page.goto(`${url}lessons/01-why-integrate`, { waitUntil: 'load', timeout: 120_000 });
    await page.waitForFunction(
      (n) => document.querySelectorAll('.mermaid-diagram__svg svg').length === n,
      mermaidBlockCount(lesson.markdown),
      { timeout: 120_000 },
    );
    expect(await page.locator('h1').first().innerText()).toContain('Why systems integrate');
    expect(errors, output).toEqual([]);
    await page.close();
  } finally {
    child.kill('SIGINT');
    // Bounded: if SIGINT is ignored, kill it for real and let the assertion below fail.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exit;
    clearTimeout(timer);
  }
  const [code, signal] = await exit;
  expect({ code, signal }, `lab serve did not stop cleanly on Ctrl-C:\n${output}`).toEqual({ code: 0, signal: null });
}, 300_000);
