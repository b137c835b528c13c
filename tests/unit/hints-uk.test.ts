// Every lab with a hints.uk.json keeps it in step with its tests, without running them (Vitest only collects the test
// files, as tests/unit/rules-tables.test.ts does): each graded test that has a hint has a Ukrainian one under its test
// file, and no entry names a test that is gone. A lab without the file is skipped here (and `lab check` shows its
// English hints, marked); the skipped test names it.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { discoverLabs } from '../../cli/harness/labs.ts';
import { collectGradedTests } from '../../cli/harness/rules.ts';
import { hintsFile, type HintsFile } from '../../cli/lang.ts';

const labs = discoverLabs();

describe.concurrent.each(labs.map((lab) => [lab.id, lab] as const))('lab %s', (_id, lab) => {
  const file = hintsFile(lab.dir, 'uk');
  test.skipIf(!existsSync(file))(
    'hints.uk.json has a Ukrainian hint for every hint, and only those',
    {
      timeout: 60_000,
    },
    async () => {
      const translated = JSON.parse(readFileSync(file, 'utf8')) as HintsFile;
      const tests = (await collectGradedTests(lab)).filter((t) => t.hint);
      const expected = Map.groupBy(tests, (t) => t.file);
      const actual = Object.fromEntries(Object.entries(translated).map(([f, byName]) => [f, Object.keys(byName)]));
      const missing = tests
        .filter((t) => translated[t.file]?.[t.name] === undefined)
        .map((t) => `${t.file}: ${t.name}`);
      const gone = Object.entries(actual).flatMap(([f, names]) =>
        names.filter((n) => !expected.get(f)?.some((t) => t.name === n)).map((n) => `${f}: ${n}`),
      );
      expect(missing, `tests whose hint has no Ukrainian version:\n${missing.join('\n')}`).toEqual([]);
      expect(
        gone,
        `entries naming no graded test with a hint (renamed, moved or removed):\n${gone.join('\n')}`,
      ).toEqual([]);
      for (const t of tests) {
        const hint = translated[t.file]![t.name]!;
        expect(hint, t.name).toMatch(/[а-яіїєґ]{3}/i);
        expect(hint, t.name).not.toBe(t.hint);
      }
    },
  );
});
