// The built course site in headless Chromium, built once under the path prefix of a GitHub Pages project page
// (SITE_BASE=/integration-lab/, so assets, links, lazy chunks and the client router are proven to know the base): every
// page of both editions (English at the base, Ukrainian at <base>uk/) loads cleanly, every ```mermaid block is drawn, the quiz works by mouse and keyboard in each language, dark mode redraws
// diagrams, local search finds lessons in each edition, the language menu leads to the same section of the other
// edition, and Mermaid stays off pages that have no diagram. Screenshots land in test-results/site/ for a human.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  buildSite,
  launchChromium,
  mermaidBlockCount,
  quizQuestionCount,
  repoRoot,
  screenshotDir,
  serveStatic,
  sitePages,
} from './harness.ts';

const pages = sitePages();
const diagramPage = pages.find((p) => p.source === 'lessons/01-why-integrate.md')!;
const quizPage = diagramPage;
// The Ukrainian pages on disk (translations land one by one; the structure test in tests/unit requires them all).
const ukPages = sitePages('uk');
const ukQuizPage = ukPages.find((p) => p.source === 'uk/lessons/00-getting-started.md')!;

let outDir: string;
let site: { url: string; close: () => Promise<void> };
let browser: Browser;

// One build, under a base: what a root build does is the same with base `/`, and a page that forgot the base breaks
// here. `local` turns a pathname under the base into the site's own path (`/integration-lab/uk/` -> `/uk/`).
const base = '/integration-lab/';
const local = (pathname: string) => (pathname.startsWith(base) ? `/${pathname.slice(base.length)}` : pathname);

// SITE_DIST=<folder> reuses a site built earlier with SITE_BASE=/integration-lab/ (handy while editing a test);
// otherwise build a fresh one.
const reuseDist = process.env.SITE_DIST;

beforeAll(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  if (reuseDist) {
    if (!existsSync(join(reuseDist, 'index.html'))) throw new Error(`SITE_DIST=${reuseDist} has no index.html`);
    outDir = reuseDist;
  } else {
    outDir = mkdtempSync(join(tmpdir(), 'lab-site-'));
    await buildSite(outDir, { SITE_BASE: base });
  }
  site = await serveStatic(outDir, base);
  browser = await launchChromium();
}, 900_000); // a cold build takes ~40 s on an idle 2-core machine, several minutes on a busy one

afterAll(async () => {
  await browser?.close();
  await site?.close();
  if (outDir && !reuseDist) rmSync(outDir, { recursive: true, force: true });
});

/** A fresh page that records everything that would tell a reader "this site is broken". */
async function open(path: string, colorScheme: 'light' | 'dark' = 'light') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
  page.on('request', (req) => requests.push(req.url()));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  const response = await page.goto(site.url + path, { waitUntil: 'load' });
  expect(response?.status(), `status of ${path}`).toBe(200);
  return { page, problems, requests, close: () => context.close() };
}

/**
 * Wait until Mermaid (loaded lazily after hydration) has dealt with all `count` diagrams, then require that every one
 * became an SVG; a diagram Mermaid rejects fails here with Mermaid's own message.
 */
async function waitForDiagrams(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) => document.querySelectorAll('.mermaid-diagram__svg svg, .mermaid-diagram__error').length >= n,
    count,
    { timeout: 30_000 },
  );
  const errors = await page.locator('.mermaid-diagram__error p').allInnerTexts();
  expect(errors, 'diagrams Mermaid could not draw').toEqual([]);
  expect(await page.locator('.mermaid-diagram__svg svg').count(), 'rendered SVGs vs ```mermaid blocks').toBe(count);
}

const shotName = (source: string, suffix = '') =>
  join(
    screenshotDir,
    `${source
      .replace(/\/README\.md$/, '')
      .replace(/\.md$/, '')
      .replace(/\//g, '_')}${suffix}.png`,
  );

describe('every page of the built site', () => {
  test('the site has a home page, the lessons 00 and 01, and every Markdown page discovered on disk', () => {
    expect(pages.map((p) => p.source)).toEqual(
      expect.arrayContaining(['site/index.md', 'lessons/00-getting-started.md', 'lessons/01-why-integrate.md']),
    );
  });

  test('the Ukrainian edition has its home page, lesson 00 and the glossary', () => {
    expect(ukPages.map((p) => p.source)).toEqual(
      expect.arrayContaining(['uk/site/index.md', 'uk/lessons/00-getting-started.md', 'uk/lessons/glossary.md']),
    );
  });

  test.for([...pages, ...ukPages].map((p) => [p.source, p] as const))(
    '%s loads cleanly and draws its diagrams',
    async ([, p]) => {
      const { page, problems, close } = await open(p.path);
      try {
        expect(await page.locator('html').getAttribute('lang'), "the edition's language").toBe(
          p.source.startsWith('uk/') ? 'uk' : 'en',
        );
        const diagrams = mermaidBlockCount(p.markdown);
        await waitForDiagrams(page, diagrams);
        expect(await page.locator('.mermaid-diagram').count(), 'diagram components vs ```mermaid blocks').toBe(
          diagrams,
        );

        const questions = quizQuestionCount(p.markdown);
        if (questions > 0) {
          expect(await page.locator('.quiz__question').count(), 'quiz questions rendered').toBe(questions);
        }
        expect(await page.locator('.quiz--broken').count(), 'a <Quiz /> with a malformed or missing quiz').toBe(0);

        await page.waitForLoadState('networkidle');
        await page.screenshot({ path: shotName(p.source), fullPage: p.source === 'site/index.md' });
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    },
  );
});

describe('Mermaid', () => {
  test('is downloaded only by pages that have a diagram', async () => {
    const withDiagram = await open(diagramPage.path);
    await waitForDiagrams(withDiagram.page, mermaidBlockCount(diagramPage.markdown));
    expect(withDiagram.requests.some((url) => /mermaid/i.test(url))).toBe(true);
    await withDiagram.close();

    const home = await open('');
    await home.page.waitForLoadState('networkidle');
    expect(mermaidBlockCount(pages[0]!.markdown)).toBe(0);
    expect(home.requests.filter((url) => /mermaid/i.test(url))).toEqual([]);
    await home.close();
  });

  test('the dark-mode toggle redraws a diagram in dark colours', async () => {
    const { page, problems, close } = await open(diagramPage.path);
    try {
      await waitForDiagrams(page, mermaidBlockCount(diagramPage.markdown));
      const lightSvg = await page.locator('.mermaid-diagram__svg').first().innerHTML();
      await page
        .locator('.mermaid-diagram')
        .first()
        .screenshot({ path: shotName(diagramPage.source, '-diagram-light') });

      await page.locator('.VPNavBarAppearance .VPSwitchAppearance').click();
      await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
      await page.waitForSelector('.mermaid-diagram[data-theme="dark"] .mermaid-diagram__svg svg', { timeout: 30_000 });
      await expect
        .poll(() => page.locator('.mermaid-diagram__svg').first().innerHTML(), { timeout: 30_000 })
        .not.toBe(lightSvg);
      await page
        .locator('.mermaid-diagram')
        .first()
        .screenshot({ path: shotName(diagramPage.source, '-diagram-dark') });
      await page.screenshot({ path: shotName(diagramPage.source, '-dark') });
      await page.locator('.quiz__question').first().locator('.quiz__option').first().click();
      await page.locator('.quiz__question').first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshotDir, 'quiz-dark.png') });

      // And back: the toggle works both ways.
      await page.locator('.VPNavBarAppearance .VPSwitchAppearance').click();
      await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(false);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

// The quiz's words in each edition, written out here (not read from site/.vitepress/i18n.ts) so that the test says
// what a reader sees.
const quizEditions = [
  {
    edition: 'English',
    page: () => quizPage,
    words: { right: 'Right.', notQuite: 'Not quite.', answer: 'Answer:', show: 'Show answer', shown: 'Answer shown' },
    title: /^Quiz: \d+ questions/,
    firstLetter: 'A',
  },
  {
    edition: 'Ukrainian',
    page: () => ukQuizPage,
    words: {
      right: 'Правильно.',
      notQuite: 'Не зовсім.',
      answer: 'Відповідь:',
      show: 'Показати відповідь',
      shown: 'Відповідь показано',
    },
    title: /^Тест: \d+ запитан/,
    firstLetter: 'А',
  },
];

describe.each(quizEditions)('Quiz ($edition)', ({ page: quizPageOf, words, title, firstLetter }) => {
  test('choosing an option by click shows right or wrong and the explanation', async () => {
    const { page, problems, close } = await open(quizPageOf().path);
    try {
      expect(await page.locator('.quiz__title').first().innerText()).toMatch(title);
      const first = page.locator('.quiz__question').nth(0);
      const options = first.locator('.quiz__option');
      expect(await options.count()).toBeGreaterThanOrEqual(2);
      expect(await options.first().locator('.quiz__letter').innerText()).toBe(firstLetter);
      await expect.poll(() => first.locator('.quiz__feedback').innerText()).toBe('');

      // Click every option in turn: exactly one of them is judged right.
      const verdicts: string[] = [];
      for (let o = 0; o < (await options.count()); o++) {
        await options.nth(o).click();
        expect(await options.nth(o).getAttribute('aria-pressed')).toBe('true');
        verdicts.push(await first.locator('.quiz__verdict strong').innerText());
      }
      expect(verdicts.filter((v) => v === words.right)).toHaveLength(1);
      expect(verdicts.filter((v) => v === words.notQuite)).toHaveLength(verdicts.length - 1);
      expect(await first.locator('.quiz__explanation').innerText()).not.toBe('');
      expect(await first.locator('.quiz__option.is-right').count()).toBe(1);

      await first.scrollIntoViewIfNeeded();
      await page.screenshot({ path: shotName(quizPageOf().source, '-quiz-after-click') });
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('works from the keyboard: Tab to an option, Enter/Space choose it, Tab to "Show answer" and press Enter', async () => {
    const { page, problems, close } = await open(quizPageOf().path);
    try {
      expect(await page.locator('.quiz__question').count(), 'this test needs 3 questions').toBeGreaterThanOrEqual(3);
      const second = page.locator('.quiz__question').nth(1);
      await second.locator('.quiz__option').first().focus();
      await page.keyboard.press('Space');
      expect(await second.locator('.quiz__option').first().getAttribute('aria-pressed')).toBe('true');
      await expect.poll(() => second.locator('.quiz__verdict').count()).toBe(1);

      // Tab forward (bounded) until "Show answer" has focus, then press Enter.
      const third = page.locator('.quiz__question').nth(2);
      await third.locator('.quiz__option').first().focus();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      expect(await third.locator('.quiz__option').nth(1).getAttribute('aria-pressed')).toBe('true');
      let reached = false;
      for (let i = 0; i < 10 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => document.activeElement?.classList.contains('quiz__reveal') ?? false);
      }
      expect(reached, '"Show answer" is reachable with Tab').toBe(true);
      expect(await page.evaluate(() => (document.activeElement as HTMLElement).innerText.trim())).toBe(words.show);
      await page.keyboard.press('Enter');
      expect(await third.locator('.quiz__reveal').getAttribute('aria-expanded')).toBe('true');
      expect((await third.locator('.quiz__reveal').innerText()).trim()).toBe(words.shown);
      expect(await third.locator('.quiz__option.is-right').count()).toBe(1);
      expect(await third.locator('.quiz__feedback').getAttribute('aria-live')).toBe('polite');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('"Show answer" reveals the answer without choosing', async () => {
    const { page, close } = await open(quizPageOf().path);
    try {
      const q = page.locator('.quiz__question').last();
      expect(await q.locator('.quiz__option.is-right').count()).toBe(0);
      await q.locator('.quiz__reveal').click();
      expect(await q.locator('.quiz__option.is-right').count()).toBe(1);
      expect(await q.locator('.quiz__verdict strong').innerText()).toBe(words.answer);
      expect(await q.locator('.quiz__option[aria-pressed="true"]').count()).toBe(0);
    } finally {
      await close();
    }
  });
});

describe('navigation and search', () => {
  test('the home page links to lesson 0 through the client router, and the lesson draws its diagrams', async () => {
    const { page, problems, close } = await open('');
    try {
      expect(site.url.endsWith(base)).toBe(true);
      // Client-side navigation through the hero button: the router must know the base too.
      await page.getByRole('link', { name: 'Start with lesson 0' }).click();
      await page.waitForURL(`**${base}lessons/00-getting-started.html`);
      const lesson = pages.find((p) => p.source === 'lessons/00-getting-started.md')!;
      await page.waitForFunction(
        (n) => document.querySelectorAll('.mermaid-diagram__svg svg').length === n,
        mermaidBlockCount(lesson.markdown),
        { timeout: 30_000 },
      );
      await page.waitForLoadState('networkidle');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('the sidebar lists the lessons in course order', async () => {
    const { page, close } = await open(pages[1]!.path);
    try {
      const links = await page
        .locator('.VPSidebar a.VPLink')
        .evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname))
        .then((paths) => paths.map(local));
      const lessonLinks = links.filter((l) => /\/lessons\/\d\d-[^/]+\.html$/.test(l));
      const onDisk = pages.filter((p) => /^lessons\/\d\d-/.test(p.source)).map((p) => `/${p.path}`);
      // File names carry the course order (NN-slug), so sorted file names are the expected sidebar order.
      expect(lessonLinks).toEqual([...onDisk].sort());
      const labPages = pages.filter((p) => p.source.startsWith('labs/')).map((p) => `/${p.path}`);
      for (const lab of labPages) expect(links, `${lab} is reachable from the sidebar`).toContain(lab);
      // Lessons may list labs that have not landed yet; the sidebar must not link to those (they would 404).
      for (const link of links.filter((l) => l.startsWith('/labs/'))) expect(labPages).toContain(link);
    } finally {
      await close();
    }
  });

  test.skipIf(!existsSync(join(repoRoot, 'lessons/04-webhooks.md')))(
    'local search for "idempotency" lists the webhooks lesson',
    async () => {
      const { page, problems, close } = await open('');
      try {
        await page.locator('#local-search .DocSearch-Button').click();
        await page.locator('#localsearch-input').fill('idempotency');
        await page.waitForSelector('.VPLocalSearchBox .results a.result', { timeout: 15_000 });
        const hrefs = await page
          .locator('.VPLocalSearchBox .results a.result')
          .evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname))
          .then((paths) => paths.map(local));
        expect(hrefs.some((h) => h.startsWith('/lessons/04-webhooks'))).toBe(true);
        expect(
          hrefs.filter((h) => h.startsWith('/uk/')),
          'the English search shows no Ukrainian page',
        ).toEqual([]);
        await page.screenshot({ path: join(screenshotDir, 'search-idempotency.png') });
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    },
  );

  test('the Ukrainian sidebar: Ukrainian group names, translated pages in Ukrainian, the rest in English', async () => {
    const { page, problems, close } = await open(ukQuizPage.path);
    try {
      const groups = await page.locator('.VPSidebar .VPSidebarItem.level-0 > .item .text').allInnerTexts();
      expect(groups).toEqual(expect.arrayContaining(['Уроки', 'Практичні кейси', 'Довідка']));
      const links = await page
        .locator('.VPSidebar a.VPLink')
        .evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname))
        .then((paths) => paths.map(local));
      const translated = new Set(ukPages.map((p) => p.source.slice('uk/'.length)));
      // Each English page is listed once: as its Ukrainian page when it is translated, else as the English one.
      for (const p of pages.filter((p) => p.source !== 'site/index.md')) {
        const want = translated.has(p.source) ? `/uk/${p.path}` : `/${p.path}`;
        expect(links, `${p.source} in the Ukrainian sidebar`).toContain(want);
      }
      expect(await page.locator('.VPSidebar a.VPLink', { hasText: 'Перші кроки' }).count()).toBe(1);
      expect(await page.locator('.VPDocAsideOutline .outline-title').innerText()).toBe('На цій сторінці');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('the language menu leads from an English lesson to the same section of its Ukrainian page, and back', async () => {
    const anchor = '#the-lab-loop';
    const { page, problems, close } = await open(`lessons/00-getting-started.html${anchor}`);
    const switchTo = async (label: string) => {
      await page.locator('.VPNavBarTranslations').hover();
      await page.locator('.VPNavBarTranslations a', { hasText: label }).click();
    };
    try {
      expect(await page.locator('.VPNavBarTranslations button').getAttribute('aria-label')).toBe('Change language');
      await switchTo('Українська');
      await page.waitForURL(`**/uk/lessons/00-getting-started.html${anchor}`);
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('uk');
      expect(await page.locator('h1').first().innerText()).toContain('Перші кроки');
      expect(await page.locator(`h2${anchor}`).innerText()).toContain('Цикл роботи з лабораторною');
      await expect.poll(() => page.locator(`h2${anchor}`).isVisible()).toBe(true);
      await page.screenshot({ path: shotName('uk/lessons/00-getting-started', '-after-switch') });

      expect(await page.locator('.VPNavBarTranslations button').getAttribute('aria-label')).toBe('Змінити мову');
      await switchTo('English');
      await page.waitForURL(`**/lessons/00-getting-started.html${anchor}`);
      expect(local(new URL(page.url()).pathname)).toBe('/lessons/00-getting-started.html');
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
      expect(await page.locator(`h2${anchor}`).innerText()).toContain('The lab loop');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('local search on /uk/ finds a Ukrainian word, in Ukrainian pages only', async () => {
    const { page, problems, close } = await open('uk/');
    try {
      const button = page.locator('#local-search .DocSearch-Button');
      expect(await button.innerText()).toContain('Пошук');
      await button.click();
      await page.locator('#localsearch-input').fill('ідемпотентність');
      await page.waitForSelector('.VPLocalSearchBox .results a.result', { timeout: 15_000 });
      const hrefs = await page
        .locator('.VPLocalSearchBox .results a.result')
        .evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname))
        .then((paths) => paths.map(local));
      expect(hrefs.some((h) => h.startsWith('/uk/lessons/glossary'))).toBe(true);
      expect(
        hrefs.filter((h) => !h.startsWith('/uk/')),
        'only Ukrainian pages',
      ).toEqual([]);
      await page.locator('#localsearch-input').fill('щосьтакогоніде');
      await expect
        .poll(() => page.locator('.VPLocalSearchBox .no-results').innerText())
        .toContain('Нічого не знайдено');
      await page.screenshot({ path: join(screenshotDir, 'search-uk.png') });
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test.for([
    ['', 'PAGE NOT FOUND', 'Take me home', '/'],
    ['uk/', 'СТОРІНКУ НЕ ЗНАЙДЕНО', 'На головну', '/uk/'],
  ] as const)("a missing page under /%s says so in its edition's language", async ([prefix, title, linkText, home]) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    try {
      const response = await page.goto(`${site.url}${prefix}lessons/no-such-lesson.html`, { waitUntil: 'load' });
      expect(response?.status()).toBe(404);
      await expect.poll(() => page.locator('.NotFound .title').innerText()).toBe(title);
      const link = page.locator('.NotFound a.link');
      expect((await link.innerText()).trim()).toBe(linkText);
      expect(local(new URL(await link.evaluate((a) => (a as HTMLAnchorElement).href)).pathname)).toBe(home);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('API reference', () => {
  const lesson = 'lessons/02-rest-apis.html';
  const offSite = (url: string) => !url.startsWith(site.url) && !url.startsWith('data:') && !url.startsWith('blob:');

  test('lesson 02 draws the library API from its OpenAPI document, light or dark as the site, with nothing fetched from elsewhere', async () => {
    const { page, problems, requests, close } = await open(lesson);
    try {
      const reference = page.locator('.api-reference__host');
      await reference.scrollIntoViewIfNeeded();
      // Scalar draws the document's title, then one section per operation with its summary and responses.
      await expect.poll(() => reference.innerText(), { timeout: 30_000 }).toContain('Library API');
      // Scalar draws a section when it comes near the viewport, and keeps it. So walk down through the reference a
      // little at a time (a busy machine draws late), and from its top again when the page's end is reached first.
      const summaries = ['Read one book', 'Change some fields of a book', 'Add a book', 'Lend a book to a member'];
      await expect
        .poll(
          async () => {
            const text = await reference.innerText();
            const missing = summaries.filter((summary) => !text.includes(summary));
            if (missing.length > 0) {
              const atEnd = await page.evaluate(
                () => window.innerHeight + window.scrollY >= document.body.scrollHeight - 4,
              );
              if (atEnd) await reference.evaluate((el) => el.scrollIntoView());
              else await page.evaluate(() => window.scrollBy(0, 300));
            }
            return missing;
          },
          { timeout: 60_000, interval: 300, message: 'operations the reference has not drawn' },
        )
        .toEqual([]);
      await reference.scrollIntoViewIfNeeded();
      expect(await page.locator('.api-reference__error').count(), 'the component reports no failure').toBe(0);
      await page.waitForLoadState('networkidle');
      await reference.screenshot({ path: join(screenshotDir, 'api-reference.png') });
      // The site's dark-mode switch darkens the reference too, and back.
      const background = () =>
        page
          .locator('.api-reference__host .scalar-app')
          .first()
          .evaluate((el) => getComputedStyle(el).backgroundColor);
      const light = await background();
      await page.locator('.VPNavBarAppearance .VPSwitchAppearance').click();
      await expect
        .poll(background, { timeout: 15_000, message: "the reference's background after switching to dark" })
        .not.toBe(light);
      await reference.screenshot({ path: join(screenshotDir, 'api-reference-dark.png') });
      await page.locator('.VPNavBarAppearance .VPSwitchAppearance').click();
      await expect
        .poll(background, { timeout: 15_000, message: "the reference's background after switching back" })
        .toBe(light);
      expect(requests.filter(offSite), 'requests that leave the site (fonts, telemetry, a proxy)').toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test("Scalar's code and styles load only on the page that shows a reference", async () => {
    const withReference = await open(lesson);
    await expect
      .poll(() => withReference.page.locator('.api-reference__host').innerText(), { timeout: 30_000 })
      .toContain('Library API');
    await withReference.page.waitForLoadState('networkidle');
    const home = await open('');
    await home.page.waitForLoadState('networkidle');
    const other = await open('lessons/01-why-integrate.html');
    await other.page.waitForLoadState('networkidle');
    const elsewhere = new Set([...home.requests, ...other.requests]);
    // What lesson 02 fetches that neither other page does: its own page chunk, and Scalar (its styles ride in JS).
    const onlyThere = withReference.requests.filter((url) => !elsewhere.has(url) && !url.includes('02-rest-apis'));
    expect(onlyThere.filter((url) => url.endsWith('.js')).length, 'script chunks of its own').toBeGreaterThan(0);
    const cssOf = (page: Page) =>
      page.evaluate(() =>
        [...document.styleSheets].flatMap((sheet) => [...sheet.cssRules].map((rule) => rule.cssText)).join('\n'),
      );
    expect(await cssOf(withReference.page), "lesson 02's styles hold Scalar's").toContain('.scalar-app');
    for (const { page } of [home, other]) {
      const css = await cssOf(page);
      expect(css, "another page's styles hold none of Scalar's").not.toContain('.scalar-app');
      expect(css, "another page keeps the site's own styles").toContain('.VPNav');
    }
    await Promise.all([withReference.close(), home.close(), other.close()]);
  });
});
