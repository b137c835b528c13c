import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import type { HintsFile } from '../lang.ts';
import { repoRoot } from '../paths.ts';
import { CLASSROOM_WORKFLOW, classroomWorkflow } from './classroom.ts';
import { discoverLabs } from './labs.ts';

/** What the student edition leaves out: everything that would give answers away or grade students. */
export const INSTRUCTOR_ONLY = [
  /^labs\/[^/]+\/solution[^/]*\//,
  /^labs\/[^/]+\/tests\/hidden\//,
  /^labs\/[^/]+\/mutants\//,
  /^tests\/labs\//,
  /^tests\/fixtures\/hostile\//,
];

export function isInstructorOnly(path: string): boolean {
  return INSTRUCTOR_ONLY.some((re) => re.test(path));
}

/** The project's files: what git tracks plus new files it does not ignore (or a plain walk without git). */
export function projectFiles(root = repoRoot): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
      cwd: root,
      encoding: 'utf8',
    });
    return out.split('\0').filter((f) => f && existsSync(join(root, f)));
  } catch {
    const files: string[] = [];
    const walk = (rel: string) => {
      for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
        if (['node_modules', '.git', '.cache'].includes(entry.name)) continue;
        const path = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk('');
    return files;
  }
}

const SNIPPET = /^<<<\s+@\/(\S+?)(?:#([\w-]+))?(?:\{([^}]*)\})?(?:\s+\[.*\])?\s*$/;

/** The lines of `// #region name` … `// #endregion name` (VitePress's convention), without nested markers. */
export function extractRegion(source: string, region: string | undefined): string {
  const lines = source.split('\n');
  if (!region) return source.trimEnd();
  const start = lines.findIndex((l) => new RegExp(`#region\\s+${region}\\b`).test(l));
  const end = lines.findIndex((l, i) => i > start && new RegExp(`#endregion\\s+${region}\\b`).test(l));
  if (start < 0 || end < 0) throw new Error(`region "${region}" not found`);
  return dedent(lines.slice(start + 1, end).filter((l) => !/#(end)?region\b/.test(l)))
    .join('\n')
    .trimEnd();
}

/** Remove the indentation all non-blank lines share (as VitePress does for included regions). */
function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const common = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(common, /^[ \t]*/.exec(l)![0].length)));
}

/**
 * Lessons include code from lab solutions (`<<< @/labs/…/solution/file.ts#region`). The student edition has no
 * solutions, so those includes become the code itself, as the published site shows it.
 */
export function inlineSolutionSnippets(markdown: string, root = repoRoot): string {
  return markdown
    .split('\n')
    .map((line) => {
      const m = SNIPPET.exec(line.trim());
      if (!m || !isInstructorOnly(m[1]!)) return line;
      const [, path, region, options] = m;
      const code = extractRegion(readFileSync(join(root, path!), 'utf8'), region);
      const lang = options?.split(/\s+/).find((o) => /^[a-z]+$/.test(o)) ?? extname(path!).slice(1);
      return `\`\`\`${lang}\n${code}\n\`\`\``;
    })
    .join('\n');
}

/** A lab's translated hints (cli/lang.ts): keyed by test file, then test name. */
const HINTS_FILE = /^labs\/[^/]+\/hints\.[a-z]{2}\.json$/;

/** A hints file without the entries of instructor-only test files: hidden tests' names and hints stay private. */
export function studentHints(path: string, text: string): string {
  const labDir = path.slice(0, path.lastIndexOf('/'));
  const byFile = JSON.parse(text) as HintsFile;
  const kept = Object.fromEntries(
    Object.entries(byFile).filter(([file]) => !isInstructorOnly(`${labDir}/tests/${file}`)),
  );
  return `${JSON.stringify(kept, null, 2)}\n`;
}

export interface ExportSummary {
  written: number;
  leftOut: number;
  inlined: number;
}

/** Write the student edition of the course into `out` (which must be empty or missing). */
export function exportStudentEdition(out: string, root = repoRoot): ExportSummary {
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out} is not empty; choose a new folder`);
  let written = 0;
  let leftOut = 0;
  let inlined = 0;
  for (const file of projectFiles(root)) {
    if (isInstructorOnly(file)) {
      leftOut++;
      continue;
    }
    const target = join(out, file);
    mkdirSync(dirname(target), { recursive: true });
    if (HINTS_FILE.test(file)) {
      writeFileSync(target, studentHints(file, readFileSync(join(root, file), 'utf8')));
    } else if (file.endsWith('.md')) {
      const text = readFileSync(join(root, file), 'utf8');
      const result = inlineSolutionSnippets(text, root);
      if (result !== text) inlined++;
      writeFileSync(target, result);
    } else {
      copyFileSync(join(root, file), target);
    }
    written++;
  }
  // GitHub Classroom: the workflow that runs each lab's public tests on push and reports the points.
  mkdirSync(join(out, dirname(CLASSROOM_WORKFLOW)), { recursive: true });
  writeFileSync(join(out, CLASSROOM_WORKFLOW), classroomWorkflow(discoverLabs(join(root, 'labs'))));
  written++;
  return { written, leftOut, inlined };
}
