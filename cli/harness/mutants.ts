import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateFolder } from './sandbox/index.ts';
import type { LabSpec } from './types.ts';

/**
 * A mutant is a small deliberate bug applied to a copy of the solution (`mutants/<slug>.json`): exact text edits,
 * each of which must match the solution exactly once (so mutants cannot silently drift from the solution), and the
 * names of the tests that must catch it.
 */
export interface Mutant {
  slug: string;
  description: string;
  catches: string[];
  edits: { file: string; find: string; replace: string }[];
}

export function loadMutants(lab: LabSpec): Mutant[] {
  const dir = join(lab.dir, 'mutants');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const data = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<Mutant, 'slug'>;
      if (!data.catches?.length || !data.edits?.length) throw new Error(`${join(dir, f)}: needs "catches" and "edits"`);
      return { slug: f.replace(/\.json$/, ''), ...data };
    });
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
        throw new Error(`mutant ${lab.id}/${mutant.slug}: the text to replace occurs ${count} times in solution/${edit.file} (must be exactly once)`);
      }
      writeFileSync(file, text.replace(edit.find, () => edit.replace));
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}
