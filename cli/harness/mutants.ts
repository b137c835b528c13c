import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateFolder } from './sandbox/index.ts';
import type { LabSpec } from './types.ts';

/**
 * A mutant is a small deliberate bug applied to a copy of the solution (`mutants/<slug>.json`): exact text edits,
 * each of which must match the solution exactly once (so mutants cannot silently drift from the solution). In a lab
 * with a rules table it names the ONE rule it breaks (`rule`): it must fail a test of that rule and no test of another,
 * except those its `collateral` lists with the reason. In a lab without one, it names the tests that must catch it.
 */
export interface Mutant {
  slug: string;
  description: string;
  /** The rule (lab.json `rules`) this bug breaks. */
  rule?: string;
  /** Labs without a rules table: the full names of the tests that must fail. */
  catches?: string[];
  /** Tests of other rules this mutant may also fail, each with the reason that cannot be avoided. */
  collateral?: { test: string; reason: string }[];
  edits: { file: string; find: string; replace: string }[];
}

/** Read and check a lab's mutants; errors name the file and what is wrong. */
export function loadMutants(lab: LabSpec): Mutant[] {
  const dir = join(lab.dir, 'mutants');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      let data: Omit<Mutant, 'slug'>;
      try {
        data = JSON.parse(readFileSync(file, 'utf8')) as Omit<Mutant, 'slug'>;
      } catch (error) {
        throw new Error(`${file}: ${(error as Error).message}`);
      }
      const problems = mutantProblems(data, Boolean(lab.rules));
      if (problems.length) throw new Error(`${file}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
      return { slug: f.replace(/\.json$/, ''), ...data };
    });
}

function mutantProblems(data: Partial<Omit<Mutant, 'slug'>>, hasRules: boolean): string[] {
  const problems: string[] = [];
  const known = ['$schema', 'description', 'rule', 'catches', 'collateral', 'edits'];
  for (const key of Object.keys(data))
    if (!known.includes(key)) problems.push(`unknown field "${key}" (known: ${known.slice(1).join(', ')})`);
  if (typeof data.description !== 'string' || data.description.trim() === '')
    problems.push('needs "description": the bug, in one sentence');
  if (!Array.isArray(data.edits) || data.edits.length === 0)
    problems.push('needs "edits": [{ "file", "find", "replace" }, …]');
  else if (
    data.edits.some(
      (e) =>
        typeof e?.file !== 'string' || typeof e.find !== 'string' || e.find === '' || typeof e.replace !== 'string',
    )
  ) {
    problems.push('each edit needs "file", a non-empty "find" and "replace" (strings)');
  }
  if (hasRules) {
    if (typeof data.rule !== 'string' || data.rule === '')
      problems.push('needs "rule": the id of the one rule (lab.json "rules") it breaks');
    if (data.catches !== undefined)
      problems.push('"catches" is not used in a lab with a rules table: the tests of the mutant\'s rule must catch it');
  } else {
    if (!Array.isArray(data.catches) || data.catches.length === 0)
      problems.push('needs "catches": the full names of the tests that must fail');
    if (data.rule !== undefined) problems.push('"rule" needs a rules table in lab.json');
  }
  if (data.collateral !== undefined) {
    if (!hasRules) problems.push('"collateral" needs a rules table in lab.json');
    else if (
      !Array.isArray(data.collateral) ||
      data.collateral.some(
        (c) => typeof c?.test !== 'string' || typeof c.reason !== 'string' || c.reason.trim().length < 20,
      )
    ) {
      problems.push(
        '"collateral" is a list of { "test": "full name", "reason": "why this cannot be avoided (a sentence)" }',
      );
    }
  }
  return problems;
}

/** Write solution + the mutant's edits into a fresh private folder and return it (graded like any submission). */
export function materializeMutant(lab: LabSpec, mutant: Mutant): string {
  const dir = privateFolder(`mutant-${mutant.slug}-`);
  cpSync(join(lab.dir, 'solution'), dir, { recursive: true });
  try {
    for (const edit of mutant.edits) {
      const file = join(dir, edit.file);
      const text = readFileSync(file, 'utf8');
      const count = text.split(edit.find).length - 1;
      if (count !== 1) {
        throw new Error(
          `mutant ${lab.id}/${mutant.slug}: the text to replace occurs ${count} times in solution/${edit.file} (must be exactly once)`,
        );
      }
      writeFileSync(
        file,
        text.replace(edit.find, () => edit.replace),
      );
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}
