// How heavy is the course site? Builds it once (timed), then loads a lesson page with a Mermaid diagram and a page
// without one in headless Chromium and adds up the JavaScript and CSS the browser actually fetched, raw and gzipped.
// Budget we aim for (not asserted): at most 150 KB of gzipped JS on a page without a diagram.
//
//   node bench/site.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  buildSite,
  launchChromium,
  mermaidBlockCount,
  serveStatic,
  sitePages,
  type SitePage,
} from '../tests/site/harness.ts';

const JS_BUDGET_GZIP = 150 * 1024;

interface Weight {
  files: number;
  raw: number;
  gzip: number;
}
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1).padStart(7)} KB`;

const pages = sitePages();
const withDiagram = pages.find((p) => p.source.startsWith('lessons/') && mermaidBlockCount(p.markdown) > 0);
// Every lesson is supposed to have a diagram, so "a page without one" may have to be a lab page or the home page.
const withoutDiagram =
  pages.find((p) => p.source.startsWith('lessons/') && mermaidBlockCount(p.markdown) === 0) ??
  pages.find((p) => p.source.startsWith('labs/') && mermaidBlockCount(p.markdown) === 0) ??
  pages[0]!;
if (!withDiagram) throw new Error('no lesson has a ```mermaid block: nothing to measure the diagram cost on');

const outDir = mkdtempSync(join(tmpdir(), 'lab-site-bench-'));
try {
  console.log('building the site…');
  const { ms } = await buildSite(outDir);
  console.log(`build: ${(ms / 1000).toFixed(1)} s (${pages.length} pages)\n`);

  const site = await serveStatic(outDir);
  const browser = await launchChromium();
  try {
    const measure = async (page: SitePage) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const tab = await context.newPage();
      const bodies: Promise<{ kind: 'js' | 'css'; body: Buffer } | null>[] = [];
      tab.on('response', (res) => {
        const type = res.request().resourceType();
        const kind = type === 'script' ? 'js' : type === 'stylesheet' ? 'css' : null;
        if (kind)
          bodies.push(
            res.body().then(
              (body) => ({ kind, body }),
              () => null,
            ),
          );
      });
      await tab.goto(site.url + page.path, { waitUntil: 'load' });
      const diagrams = mermaidBlockCount(page.markdown);
      await tab.waitForFunction((n) => document.querySelectorAll('.mermaid-diagram__svg svg').length === n, diagrams, {
        timeout: 60_000,
      });
      await tab.waitForLoadState('networkidle');
      const totals: Record<'js' | 'css', Weight> = {
        js: { files: 0, raw: 0, gzip: 0 },
        css: { files: 0, raw: 0, gzip: 0 },
      };
      for (const item of await Promise.all(bodies)) {
        if (!item) continue;
        const t = totals[item.kind];
        t.files++;
        t.raw += item.body.length;
        t.gzip += gzipSync(item.body).length; // what a static host with gzip (GitHub Pages) sends
      }
      await context.close();
      return { diagrams, ...totals };
    };

    for (const page of [withoutDiagram, withDiagram]) {
      const r = await measure(page);
      console.log(`${page.source} (${r.diagrams} diagram${r.diagrams === 1 ? '' : 's'}) -> /${page.path}`);
      console.log(`  JS : ${String(r.js.files).padStart(3)} files  raw ${kb(r.js.raw)}  gzip ${kb(r.js.gzip)}`);
      console.log(`  CSS: ${String(r.css.files).padStart(3)} files  raw ${kb(r.css.raw)}  gzip ${kb(r.css.gzip)}`);
      if (r.diagrams === 0) {
        const verdict = r.js.gzip <= JS_BUDGET_GZIP ? 'within' : 'OVER';
        console.log(`  ${verdict} the ${JS_BUDGET_GZIP / 1024} KB gzipped-JS budget for pages without a diagram`);
      }
      console.log();
    }
  } finally {
    await browser.close();
    await site.close();
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
