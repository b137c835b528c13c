// The site's two editions as content.ts builds them from disk: which Ukrainian files are pages, where VitePress
// serves them, the Ukrainian sidebar (translated where a translation exists, English otherwise), and where a link on
// a Ukrainian page to a page not translated yet leads. The browser side is in tests/site/site.test.ts.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../cli/paths.ts';
import {
  buildSidebar,
  discoverLessons,
  nonContentGlobs,
  rewritePage,
  untranslatedFallback,
} from '../../site/.vitepress/content.ts';

const translated = (file: string) => existsSync(join(repoRoot, 'uk', file));

describe('pages and addresses', () => {
  test('uk/ is kept, with the same exclusions inside it as the English tree', () => {
    const globs = nonContentGlobs();
    expect(globs).not.toContain('uk/**');
    expect(globs).not.toContain('uk');
    for (const glob of ['labs/*/*/**', 'labs/*.md', 'lessons/README.md', 'site/!(index).md', 'site/*/**']) {
      expect(globs).toContain(glob);
      expect(globs).toContain(`uk/${glob}`);
    }
  });

  test.each([
    ['site/index.md', 'index.md'],
    ['uk/site/index.md', 'uk/index.md'],
    ['labs/03-stripe-webhooks/README.md', 'labs/03-stripe-webhooks/index.md'],
    ['uk/labs/03-stripe-webhooks/README.md', 'uk/labs/03-stripe-webhooks/index.md'],
    ['uk/lessons/04-webhooks.md', 'uk/lessons/04-webhooks.md'],
    ['uk/labs/03-stripe-webhooks/NOTES.md', 'uk/labs/03-stripe-webhooks/NOTES.md'],
  ])('%s is served as %s', (source, served) => {
    expect(rewritePage(source)).toBe(served);
  });
});

describe('the Ukrainian sidebar', () => {
  const english = buildSidebar('root');
  const ukrainian = buildSidebar('uk');

  test('has the English structure, Ukrainian group names, and a translated link for each translated lesson', () => {
    expect(ukrainian.map((g) => g.items?.length)).toEqual(english.map((g) => g.items?.length));
    expect(ukrainian[0]?.text).toBe('Уроки');
    expect(english[0]?.text).toBe('Lessons');
    const lessons = discoverLessons('uk');
    expect(lessons.map((l) => l.order)).toEqual(discoverLessons().map((l) => l.order));
    for (const lesson of lessons) {
      const englishFile = lesson.file.replace(/^uk\//, '');
      expect(lesson.link, englishFile).toBe(
        translated(englishFile) ? `/uk/${englishFile.replace(/\.md$/, '')}` : `/${englishFile.replace(/\.md$/, '')}`,
      );
    }
  });

  test('lesson 00 and the glossary are translated: Ukrainian titles and /uk/ links', () => {
    const items = JSON.stringify(ukrainian);
    expect(items).toContain('{"text":"Перші кроки","link":"/uk/lessons/00-getting-started"');
    expect(items).toContain('{"text":"Глосарій","link":"/uk/lessons/glossary"}');
    expect(ukrainian.map((g) => g.text)).toContain('Довідка');
  });
});

describe('a link on a Ukrainian page', () => {
  // A small course on disk: lesson 00 and lab 00 translated, lesson 01 and lab 01 not yet.
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'site-editions-'));
    for (const file of [
      'site/index.md',
      'uk/site/index.md',
      'lessons/00-getting-started.md',
      'uk/lessons/00-getting-started.md',
      'lessons/01-why-integrate.md',
      'lessons/case-studies/shop.md',
      'labs/00-warmup/README.md',
      'uk/labs/00-warmup/README.md',
      'labs/01-rest-api/README.md',
    ]) {
      mkdirSync(join(root, dirname(file)), { recursive: true });
      writeFileSync(join(root, file), '# page\n');
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const lesson = 'uk/lessons/00-getting-started.md';

  test('to a translated page is left alone', () => {
    expect(untranslatedFallback('./00-getting-started.md#the-lab-loop', lesson, root)).toBeUndefined();
    expect(untranslatedFallback('../labs/00-warmup/', lesson, root)).toBeUndefined();
    expect(untranslatedFallback('/uk/lessons/00-getting-started', 'uk/index.md', root)).toBeUndefined();
    expect(untranslatedFallback('/uk/', 'uk/lessons/00-getting-started.md', root)).toBeUndefined();
  });

  test('to a page not translated yet leads to the English page, anchor and query kept', () => {
    expect(untranslatedFallback('./01-why-integrate.md#side-by-side', lesson, root)).toBe(
      '/lessons/01-why-integrate.md#side-by-side',
    );
    expect(untranslatedFallback('../labs/01-rest-api/', lesson, root)).toBe('/labs/01-rest-api/');
    expect(untranslatedFallback('/uk/lessons/01-why-integrate?x=1', 'uk/index.md', root)).toBe(
      '/lessons/01-why-integrate?x=1',
    );
    expect(untranslatedFallback('./case-studies/shop.html', lesson, root)).toBe('/lessons/case-studies/shop.html');
    expect(untranslatedFallback('../../lessons/01-why-integrate.md', 'uk/labs/00-warmup/index.md', root)).toBe(
      '/lessons/01-why-integrate.md',
    );
  });

  test('that is external, an anchor, a file, on an English page, or dead is left alone (dead links still fail)', () => {
    expect(untranslatedFallback('https://nodejs.org/', lesson, root)).toBeUndefined();
    expect(untranslatedFallback('mailto:a@b.c', lesson, root)).toBeUndefined();
    expect(untranslatedFallback('#self-check', lesson, root)).toBeUndefined();
    expect(untranslatedFallback('../../../cli/main.ts', 'uk/labs/00-warmup/index.md', root)).toBeUndefined();
    expect(untranslatedFallback('./01-why-integrate.md', 'lessons/00-getting-started.md', root)).toBeUndefined();
    expect(untranslatedFallback('./no-such-lesson.md', lesson, root)).toBeUndefined();
  });
});
