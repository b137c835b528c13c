import { describe, expect, test } from 'vitest';
import { englishPages, translationStatus } from '../../site/.vitepress/translations.ts';

// The Ukrainian edition (uk/…) mirrors every English page: same headings, code, snippet imports, components, quiz
// answers and graded block (site/.vitepress/translations.ts). A translation made from an older English text is
// reported as stale, not failed: the English page may move first, and the test output says which pages to update.
describe('the Ukrainian edition mirrors the English one', () => {
  const statuses = englishPages().map((page) => translationStatus(page));

  test.each(statuses.map((s) => [s.translation, s] as const))('%s', (_name, status) => {
    expect(status.exists, `${status.translation} is missing: translate ${status.english} (see site/README.md)`).toBe(
      true,
    );
    expect(status.problems, `${status.translation}:\n  ${status.problems.join('\n  ')}`).toEqual([]);
  });

  test('stale translations are listed', () => {
    const stale = statuses.filter((s) => s.exists && s.stale).map((s) => s.translation);
    if (stale.length > 0)
      console.warn(
        `[translations] made from an older English text (update them, then their translatedFrom): ${stale.join(', ')}`,
      );
    expect(statuses.length).toBeGreaterThan(10);
  });
});
