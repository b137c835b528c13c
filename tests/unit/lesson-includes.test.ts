import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { extractRegion } from '../../cli/harness/export.ts';
import { repoRoot } from '../../cli/paths.ts';

// Lessons show lab code through VitePress includes (`<<< @/labs/…#region`). VitePress shows the whole file when a
// region is missing, without failing the build; this test fails instead, naming the lesson line.
const lessonFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? lessonFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );

const includes = lessonFiles(join(repoRoot, 'lessons')).flatMap((file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => ({
      file: file.slice(repoRoot.length + 1),
      line: i + 1,
      m: /^<<<\s+@\/(\S+?)(?:#([\w-]+))?(?:\{[^}]*\})?(?:\s+\[.*\])?\s*$/.exec(line.trim()),
    }))
    .filter((x) => x.m),
);

describe('lesson code includes', () => {
  test.each(includes.map((x) => [`${x.file}:${x.line}`, x.m![1]!, x.m![2]] as const))(
    '%s → %s#%s resolves to code',
    (_where, path, region) => {
      const source = readFileSync(join(repoRoot, path), 'utf8');
      const code = extractRegion(source, region);
      expect(code.trim().length).toBeGreaterThan(0);
    },
  );
});
