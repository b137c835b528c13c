// SITE_BASE: the site built for a GitHub Pages project page (https://user.github.io/integration-lab/) must work
// under that path prefix — assets, links, lazy Mermaid chunks — and a malformed value must be refused clearly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildSite, launchChromium, mermaidBlockCount, repoRoot, serveStatic, sitePages } from './harness.ts';

const base = '/integration-lab/';
let outDir: string;
let site: { url: string; close: () => Promise<void> };
let browser: Browser;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'lab-site-base-'));
  await buildSite(outDir, { SITE_BASE: base });
  site = await serveStatic(outDir, base);
  browser = await launchChromium();
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

test('under /integration-lab/ the home page links to lesson 0 and the lesson draws its diagrams', async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  try {
    expect(site.url.endsWith(base)).toBe(true);
    await page.goto(site.url, { waitUntil: 'load' });
    // Client-side navigation through the hero button: the router must know the base too.
    await page.getByRole('link', { name: 'Start with lesson 0' }).click();
    await page.waitForURL(`**${base}lessons/00-getting-started.html`);
    const lesson = sitePages().find((p) => p.source === 'lessons/00-getting-started.md')!;
    await page.waitForFunction(
      (n) => document.querySelectorAll('.mermaid-diagram__svg svg').length === n,
      mermaidBlockCount(lesson.markdown),
      { timeout: 30_000 },
    );
    await page.waitForLoadState('networkidle');
    expect(problems).toEqual([]);
  } finally {
    await page.close();
  }
});

test('a SITE_BASE that is not a URL path is refused with a message naming it', async () => {
  const result = await execa(process.execPath, [join(repoRoot, 'site/.vitepress/build.ts'), join(outDir, 'never')], {
    cwd: repoRoot,
    env: { SITE_BASE: 'my site?' },
    reject: false,
    all: true,
    timeout: 120_000,
  });
  expect(result.exitCode).not.toBe(0);
  expect(result.all).toContain('SITE_BASE="my site?" is not a URL path');
});
