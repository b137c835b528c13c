// Shared by the site tests and bench/site.ts: build the site, serve the static files on 127.0.0.1, drive Chromium,
// and list the pages the site must have (discovered from disk, like the site config does).
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { execa } from 'execa';
import { chromium, type Browser } from 'playwright-core';
import { parse as parseYaml } from 'yaml';

export { repoRoot } from '../../cli/paths.ts';
import { repoRoot } from '../../cli/paths.ts';
import { UK_ROOT } from '../../site/.vitepress/translations.ts';
export const screenshotDir = join(repoRoot, 'test-results', 'site');

/** Build the site into `outDir`; throws with VitePress's own output (dead links, bad front matter…). */
export async function buildSite(outDir: string, env: Record<string, string> = {}): Promise<{ ms: number }> {
  const started = performance.now();
  // Not `vitepress build`: this script gives the build a private scratch folder, so a test run and someone's
  // `npm run site:build` in the same tree do not delete each other's intermediate files.
  const script = join(repoRoot, 'site', '.vitepress', 'build.ts');
  const result = await execa(process.execPath, [script, outDir], {
    cwd: repoRoot,
    env: { ...env, NO_COLOR: '1' },
    all: true,
    reject: false,
    timeout: 840_000, // generous: several engineers' test runs may share this machine's two cores
  });
  if (result.exitCode !== 0 || !existsSync(join(outDir, 'index.html'))) {
    throw new Error(`vitepress build failed (exit ${result.exitCode}):\n${result.all?.slice(-4000)}`);
  }
  return { ms: performance.now() - started };
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The built site on 127.0.0.1 and a free port, as GitHub Pages would serve it under `base`: `/x/` -> `x/index.html`,
 * `/x` -> `x.html` when it exists, otherwise 404 with the site's 404.html.
 */
export async function serveStatic(dir: string, base = '/'): Promise<{ url: string; close: () => Promise<void> }> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const rel = path.startsWith(base) ? path.slice(base.length) : null;
    const candidates = rel === null ? [] : [rel, `${rel}index.html`, `${rel}.html`, join(rel, 'index.html')];
    for (const candidate of candidates) {
      const file = normalize(join(root, candidate));
      if (!file.startsWith(root + sep) && file !== root) continue; // no ../ escapes
      if (existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' });
        createReadStream(file).pipe(res);
        return;
      }
    }
    res.writeHead(404, { 'content-type': contentTypes['.html']! });
    res.end(existsSync(join(root, '404.html')) ? readFileSync(join(root, '404.html')) : 'not found');
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** Headless Chromium from the system (never a downloaded one). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: install it (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath,
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
    timeout: 60_000,
  });
}

export interface SitePage {
  /** Markdown source, relative to the repo root. */
  source: string;
  /** Path under the site base, e.g. `lessons/01-why-integrate.html` or `labs/00-warmup/`. */
  path: string;
  markdown: string;
}

function markdownIn(relDir: string): string[] {
  const dir = join(repoRoot, relDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.md') && name !== 'README.md')
    .sort()
    .map((name) => `${relDir}/${name}`);
}

/**
 * The home page, every lesson, case study and reference page, and every lab README, straight from disk. With `uk`:
 * the Ukrainian translations of those pages that exist on disk (`uk/<English source>`, served under `uk/`).
 */
export function sitePages(edition: 'en' | 'uk' = 'en'): SitePage[] {
  const read = (source: string) => readFileSync(join(repoRoot, source), 'utf8');
  const pages: SitePage[] = [{ source: 'site/index.md', path: '', markdown: read('site/index.md') }];
  for (const source of [...markdownIn('lessons'), ...markdownIn('lessons/case-studies')]) {
    pages.push({ source, path: source.replace(/\.md$/, '.html'), markdown: read(source) });
  }
  const labsDir = join(repoRoot, 'labs');
  for (const lab of existsSync(labsDir) ? readdirSync(labsDir).sort() : []) {
    const source = `labs/${lab}/README.md`;
    if (existsSync(join(repoRoot, source))) pages.push({ source, path: `labs/${lab}/`, markdown: read(source) });
  }
  if (edition === 'en') return pages;
  return pages
    .map((p) => ({ source: `${UK_ROOT}/${p.source}`, path: `${UK_ROOT}/${p.path}` }))
    .filter((p) => existsSync(join(repoRoot, p.source)))
    .map((p) => ({ ...p, markdown: read(p.source) }));
}

/** How many ```mermaid fences a Markdown file has (outside other fenced blocks). */
export function mermaidBlockCount(markdown: string): number {
  let count = 0;
  let openFence: string | null = null;
  for (const line of markdown.split('\n')) {
    const fence = /^\s{0,3}(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (!fence) continue;
    const marker = fence[1]!;
    if (openFence === null) {
      openFence = marker;
      if (fence[2] === 'mermaid') count++;
    } else if (marker[0] === openFence[0] && marker.length >= openFence.length && line.trim() === marker) {
      openFence = null;
    }
  }
  return count;
}

/** The front matter's `quiz` list length (0 when there is none). */
export function quizQuestionCount(markdown: string): number {
  const fm = /^---\r?\n([\s\S]*?)\r?\n---/.exec(markdown)?.[1];
  const quiz: unknown = fm === undefined ? undefined : (parseYaml(fm) as { quiz?: unknown } | null)?.quiz;
  return Array.isArray(quiz) ? quiz.length : 0;
}
