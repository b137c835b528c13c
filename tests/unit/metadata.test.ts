import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { discoverLabs } from '../../cli/harness/labs.ts';
import { loadMutants } from '../../cli/harness/mutants.ts';
import { buildSidebar, discoverLabs as siteLabs, discoverLessons } from '../../site/.vitepress/content.ts';

// The copies of a lab's metadata agree: lab.json ↔ the lesson's front matter ↔ the README heading the site shows;
// files given ready-made are the same in starter/ and solution/; every lab folder has its whole shape.
const labs = discoverLabs();
const lessons = discoverLessons();
const lessonId = (file: string) => file.replace(/^lessons\//, '').replace(/\.md$/, '');

describe.each(labs.map((l) => [l.id, l] as const))('lab %s', (id, lab) => {
  test('its lesson exists and lists it (another lesson may list it too, as one that uses it)', () => {
    expect(lab.lesson, 'lab.json "lesson"').toBeTruthy();
    const lesson = lessons.find((l) => lessonId(l.file) === lab.lesson);
    expect(lesson, `lessons/${lab.lesson}.md`).toBeDefined();
    expect(lesson!.labs, `${lesson!.file} front matter "labs"`).toContain(id);
  });

  test('the README\'s heading, which the site shows, is "Lab NN — " and lab.json\'s title', () => {
    const heading = /^# (.+)$/m.exec(readFileSync(join(lab.dir, 'README.md'), 'utf8'))?.[1];
    expect(heading).toBe(`Lab ${id.slice(0, 2)} — ${lab.title}`);
    expect(siteLabs().get(id)?.title).toBe(heading);
  });

  test('has its whole shape: README, lab.json, runnable starter and solution, public and hidden tests, mutants', () => {
    for (const dir of ['starter', 'solution'])
      expect(existsSync(join(lab.dir, dir, lab.entry)), `${dir}/${lab.entry}`).toBe(true);
    const tests = (vis: string) =>
      existsSync(join(lab.dir, 'tests', vis))
        ? readdirSync(join(lab.dir, 'tests', vis)).filter((f) => f.endsWith('.test.ts'))
        : [];
    expect(tests('public').length, 'tests/public/*.test.ts').toBeGreaterThan(0);
    expect(tests('hidden').length, 'tests/hidden/*.test.ts').toBeGreaterThan(0);
    expect(loadMutants(lab).length, 'mutants/*.json').toBeGreaterThanOrEqual(3);
  });

  test("every mutant's edits apply to the solution as it is now (each text to replace occurs exactly once)", () => {
    for (const mutant of loadMutants(lab)) {
      for (const edit of mutant.edits) {
        const file = join(lab.dir, 'solution', edit.file);
        const count = existsSync(file) ? readFileSync(file, 'utf8').split(edit.find).length - 1 : 0;
        expect(count, `mutant ${mutant.slug}: occurrences of its text in solution/${edit.file}`).toBe(1);
      }
    }
  });

  test('files given ready-made are the same bytes in starter/, solution/ and any second solution', () => {
    const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    const solutions = readdirSync(lab.dir).filter((d) => d === 'solution' || d.startsWith('solution-'));
    for (const file of lab.given ?? []) {
      expect(existsSync(join(lab.dir, 'starter', file)), `starter/${file}`).toBe(true);
      for (const dir of solutions) {
        expect(digest(join(lab.dir, 'starter', file)), `${file} differs between starter/ and ${dir}/`).toBe(
          digest(join(lab.dir, dir, file)),
        );
      }
    }
  });
});

test('every lab a lesson lists exists, and the sidebar shows every lab under its lesson', () => {
  const ids = new Set(labs.map((l) => l.id));
  for (const lesson of lessons)
    for (const id of lesson.labs) expect(ids.has(id), `${lesson.file} lists ${id}`).toBe(true);
  const sidebar = JSON.stringify(buildSidebar());
  for (const lab of labs) expect(sidebar).toContain(`/labs/${lab.id}/`);
  expect(sidebar).not.toContain('More labs');
});
