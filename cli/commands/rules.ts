import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { discoverLabs } from '../harness/labs.ts';
import { loadMutants } from '../harness/mutants.ts';
import {
  checkRulesTable,
  collectGradedTests,
  readmeProblems,
  renderGradedSection,
  withGradedSection,
} from '../harness/rules.ts';
import type { LabSpec } from '../harness/types.ts';
import { bad, bold, dim, ok } from '../ui.ts';
import { lab } from './labs.ts';

/** One lab's rules table: each rule with its points, tests and mutants, then what is missing. Returns the problems. */
async function showRules(spec: LabSpec, write: boolean): Promise<string[]> {
  const tests = await collectGradedTests(spec);
  const mutants = loadMutants(spec);
  if (!spec.rules) {
    console.log(
      `${bold(spec.id)} ${dim(`no rules table yet: ${tests.length} graded tests, ${mutants.length} mutants naming their tests`)}`,
    );
    return checkRulesTable(spec, tests, mutants);
  }
  console.log(bold(spec.id));
  const table = new Table({
    head: ['rule', 'points', 'tests', 'mutants'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [28, 8, 8, 44],
  });
  for (const rule of spec.rules) {
    const mine = tests.filter((t) => t.rule === rule.id);
    const points = rule.notGraded ? dim('not graded') : String(mine.reduce((s, t) => s + t.points, 0));
    table.push([
      rule.id,
      points,
      String(mine.length),
      mutants
        .filter((m) => m.rule === rule.id)
        .map((m) => m.slug)
        .join(', '),
    ]);
  }
  console.log(table.toString());
  if (write) {
    const file = join(spec.dir, 'README.md');
    const readme = readFileSync(file, 'utf8');
    const updated = withGradedSection(readme, renderGradedSection({ id: spec.id, rules: spec.rules }, tests));
    if (updated !== undefined && updated !== readme) {
      writeFileSync(file, updated);
      console.log(`  ${ok('wrote')} the "What is graded" section of ${spec.id}/README.md`);
    }
  }
  return [...checkRulesTable(spec, tests, mutants), ...readmeProblems(spec, tests)];
}

export function registerRules(program: Command): void {
  program
    .command('rules')
    .argument('[lab]', 'lab number or id (default: every lab)')
    .option('--write', 'rewrite the README\'s generated "What is graded" section from the rules table')
    .description(
      'contributors: each rule of a lab with its points, tests and mutants; what the table still lacks (no lab runs)',
    )
    .action(async (ref: string | undefined, opts: { write?: boolean }) => {
      const labs = ref ? [lab(ref)] : discoverLabs();
      let failed = 0;
      for (const spec of labs) {
        const problems = await showRules(spec, opts.write === true).catch((error: Error) => {
          console.log(bold(spec.id));
          return [error.message];
        });
        for (const p of problems) console.log(`    ${bad('!')} ${p}`);
        if (problems.length) failed++;
      }
      if (failed) process.exitCode = 1;
    });
}
