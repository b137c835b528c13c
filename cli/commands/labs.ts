import { existsSync, mkdirSync, statSync, watch, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { LabConfigError, UnknownLabError, discoverLabs, findLab } from '../harness/labs.ts';
import { readProgress, saveProgress } from '../harness/progress.ts';
import {
  chooseLayers,
  describeIsolation,
  namespaceSupport,
  NAMESPACE_INSTALL_HINT,
  type IsolationMode,
} from '../harness/sandbox/index.ts';
import type { GradebookFormat } from '../harness/gradebook.ts';
import type { LabSpec, SubmissionResult } from '../harness/types.ts';
import { chooseLang, localHint, messages, hintTable, type Lang } from '../lang.ts';
import { repoRoot } from '../paths.ts';
import { bad, bold, dim, fail, ok } from '../ui.ts';

// Commands load what they run when they run it (await import): `lab --help` or `lab list` need no test runner, mock
// server or broker client.

/** The lab `ref` names; else the error, in `lang` (student commands) or English (instructor commands). */
export function lab(ref: string, lang: Lang = 'en'): LabSpec {
  const say = messages(lang);
  try {
    return findLab(ref);
  } catch (error) {
    if (error instanceof UnknownLabError) fail(say.unknownLab(error.ref, error.known), 1, say.error);
    if (error instanceof LabConfigError) fail(error.message, 1, say.error);
    throw error;
  }
}

/** Bring up the brokers a lab needs (the same rule as `lab services up`). */
export async function servicesFor(spec: LabSpec, lang: Lang = 'en'): Promise<void> {
  if (spec.services.length === 0) return;
  const { ServiceError, serviceUp } = await import('../services/index.ts');
  for (const name of spec.services) {
    try {
      const report = await serviceUp(name, { log: (line) => console.log(dim(`  ${line}`)) });
      if (report.via !== 'already-running') console.log(dim(`  ${report.detail}`));
    } catch (error) {
      const why = error instanceof ServiceError ? error.message : String(error);
      fail(messages(lang).needsService(spec.id, name, why), 1, messages(lang).error);
    }
  }
}

/**
 * The folder `lab check` / `lab start` run: `--dir` (absolute, or relative to where the command runs), the solution,
 * or the lab's starter. A folder that does not exist, or has no entry file, stops here with what to fix.
 */
export function targetFolder(spec: LabSpec, opts: { dir?: string; solution?: boolean }, lang: Lang = 'en'): string {
  const say = messages(lang);
  const dir = opts.dir ? resolve(opts.dir) : join(spec.dir, opts.solution ? 'solution' : 'starter');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) fail(say.noFolder(dir, opts.dir), 1, say.error);
  if (!existsSync(join(dir, spec.entry))) fail(say.noEntry(dir, spec.entry, spec.id), 1, say.error);
  return dir;
}

/** Progress (`lab list`, `lab hint`) follows the student's own work: the starter folder, not --dir or --solution runs. */
function isStarter(spec: LabSpec, targetDir: string): boolean {
  return resolve(targetDir) === resolve(spec.dir, 'starter');
}

async function printResult(
  result: SubmissionResult,
  { showHidden, verbose = false, lang }: { showHidden: boolean; verbose?: boolean; lang: Lang },
): Promise<void> {
  const { failureLines } = await import('../harness/summary.ts');
  const say = messages(lang);
  const width = Math.min(78, Math.max(...result.tests.map((t) => t.name.length), 20));
  for (const t of result.tests) {
    const mark = t.status === 'passed' ? ok() : bad();
    const tag = showHidden && t.visibility === 'hidden' ? dim(' [hidden]') : '';
    console.log(`  ${mark} ${t.name.padEnd(width)}  ${t.score}/${t.points}${tag}`);
    if (t.status === 'failed') {
      for (const line of failureLines(t, { verbose, width: (process.stdout.columns || 160) - 6, lang }))
        console.log(dim(`      ${line}`));
      if (t.hint) console.log(`      ${bold(say.hint)} ${t.hint}`);
    }
  }
  for (const p of result.problems) console.log(`  ${bad('!')} ${verbose ? p : p.split('\n')[0]}`);
}

/**
 * One `lab check`: the public tests in a run whose sentences are in `lang`, printed with the hints in `lang`. The
 * progress keeps the English hints (`lab hint` says them in the language of the day); `--json` (GitHub Classroom)
 * carries what the student read.
 */
async function checkOnce(
  spec: LabSpec,
  targetDir: string,
  { verbose = false, json, lang = 'en' }: { verbose?: boolean; json?: string; lang?: Lang } = {},
): Promise<SubmissionResult> {
  const say = messages(lang);
  console.log(
    `${bold(`Lab ${spec.id} — ${spec.title}`)} ${dim(say.checkHeading(relative(process.cwd(), targetDir) || '.'))}\n`,
  );
  const { runLab } = await import('../harness/runner.ts');
  const { classroomResult } = await import('../harness/reports.ts');
  const { pct } = await import('../harness/summary.ts');
  const result = await runLab({ lab: spec, targetDir, visibility: ['public'], name: 'check', lang });
  const hints = hintTable(spec.dir, lang);
  const shown = { ...result, tests: result.tests.map((t) => ({ ...t, hint: localHint(spec.dir, t, lang, hints) })) };
  if (json) {
    mkdirSync(dirname(resolve(json)), { recursive: true });
    writeFileSync(resolve(json), `${JSON.stringify(classroomResult(shown))}\n`);
  }
  await printResult(shown, { showHidden: false, verbose, lang });
  if (isStarter(spec, targetDir)) saveProgress(result);
  const share = pct(result.score, result.maxScore);
  console.log(`\n${bold(say.scoreLabel)} ${say.score(result.score, result.maxScore, share)}`);
  const next = result.tests.find((t) => t.status === 'failed');
  if (next) {
    console.log(`${bold(say.nextLabel)} ${say.next(next.name, relative(process.cwd(), join(targetDir, spec.entry)))}`);
  } else if (result.maxScore > 0) {
    console.log(`${ok(say.allPass)} ${say.hiddenTests}`);
  }
  if (!isStarter(spec, targetDir)) console.log(dim(say.notRecorded(spec.id)));
  return result;
}

export function registerLabCommands(program: Command): void {
  program
    .command('list')
    .description('the labs in course order, with your progress from the last check')
    .action(async () => {
      const { default: Table } = await import('cli-table3');
      const { pct } = await import('../harness/summary.ts');
      const say = messages(chooseLang().lang);
      const progress = readProgress();
      const table = new Table({ head: say.listHead, style: { head: [], border: [] } });
      for (const spec of discoverLabs()) {
        const p = progress[spec.id];
        const needs = [...spec.services, ...spec.mocks.map((m) => `mock ${m}`)].join(', ') || '-';
        const last = p
          ? `${p.score === p.maxScore ? ok('✓') : bad('✗')} ${p.score}/${p.maxScore} (${pct(p.score, p.maxScore)} %)`
          : dim(say.notChecked);
        table.push([spec.id, spec.title, needs, last]);
      }
      console.log(table.toString());
      console.log(dim(say.listFooter));
    });

  program
    .command('check')
    .argument('<lab>', 'lab number or id, e.g. 00 or 00-warmup')
    .description("run the lab's public tests against your starter/ code")
    .option('--dir <folder>', "check another folder instead of the lab's starter/")
    .option('--solution', "check the lab's reference solution (instructors)")
    .option('-w, --watch', 'check again whenever a file in the folder changes')
    .option('--verbose', "show each failure's whole message and all of the app's output it quotes")
    .option(
      '--json <file>',
      "also write the result for GitHub Classroom's autograding reporter (its runner result JSON)",
    )
    .action(
      async (
        ref: string,
        opts: { dir?: string; solution?: boolean; watch?: boolean; verbose?: boolean; json?: string },
      ) => {
        const { lang } = chooseLang();
        const say = messages(lang);
        const spec = lab(ref, lang);
        const targetDir = targetFolder(spec, opts, lang);
        await servicesFor(spec, lang);
        const verbose = opts.verbose === true;
        const first = await checkOnce(spec, targetDir, { verbose, json: opts.json, lang });
        if (!opts.watch) {
          if (first.score < first.maxScore || first.maxScore === 0) process.exitCode = 1;
          return;
        }
        console.log(dim(`\n${say.watching(relative(repoRoot, targetDir))}`));
        let timer: NodeJS.Timeout | undefined;
        let running = false;
        watch(targetDir, { recursive: true }, () => {
          clearTimeout(timer);
          timer = setTimeout(async () => {
            if (running) return;
            running = true;
            console.log(`\n${'─'.repeat(60)}\n`);
            await checkOnce(spec, targetDir, { verbose, lang }).catch((e: unknown) => console.error(e));
            running = false;
            console.log(dim(`\n${say.watchingAgain}`));
          }, 300);
        });
      },
    );

  program
    .command('hint')
    .argument('<lab>', 'lab number or id')
    .description('the hints for the tests that failed in your last check')
    .action((ref: string) => {
      const { lang } = chooseLang();
      const say = messages(lang);
      const spec = lab(ref, lang);
      const p = readProgress()[spec.id];
      if (!p) {
        console.log(say.noCheckYet(spec.id, `npm run lab -- check ${spec.id.slice(0, 2)}`));
        console.log(say.taskIn(relative(process.cwd(), join(spec.dir, 'README.md'))));
        return;
      }
      if (p.failing.length === 0) {
        const [head, tail] = say.allPassedLast(p.score, p.maxScore);
        console.log(`${ok(head)}${tail}`);
        return;
      }
      const hints = hintTable(spec.dir, lang);
      for (const [i, f] of p.failing.entries()) {
        console.log(`${bold(`${i + 1}. ${f.name}`)}\n   ${localHint(spec.dir, f, lang, hints) ?? say.noHint}\n`);
      }
    });

  program
    .command('lang')
    .argument(
      '[lang]',
      'uk or en: the language of lab check, start, list and hint from now on; auto: as the locale says',
    )
    .description('the language the lab commands speak to you (LAB_LANG=uk|en overrides it for one command)')
    .action(async (value: string | undefined) => {
      const { parseLang, saveLang } = await import('../lang.ts');
      const wanted = value === undefined || value === 'auto' ? undefined : parseLang(value);
      if (value !== undefined && value !== 'auto' && !wanted) {
        const say = messages(chooseLang().lang);
        fail(say.badLang(value), 2, say.error);
      }
      if (value !== undefined) saveLang(wanted);
      const choice = chooseLang();
      const say = messages(wanted ?? choice.lang);
      if (value !== undefined) console.log(wanted ? say.langSaved(wanted) : say.langForgotten);
      if (wanted && choice.from === 'LAB_LANG') console.log(say.langOverride);
      console.log(messages(choice.lang).langIs(choice.lang, choice.from));
    });

  program
    .command('prove')
    .argument('[lab]', 'lab number or id (default: every lab)')
    .option('--jobs <n>', 'runs graded at the same time (default: LAB_PROOF_JOBS or 2)', (v) =>
      Math.max(1, Math.min(8, Number(v) || 1)),
    )
    .option('--mutant <slug...>', 'only these mutants (the solution and the starter are always graded)')
    .description(
      'instructors: the solution scores 100 %, the starter ≤ 30 %, every mutant is caught (by its rule only, when the lab has a rules table)',
    )
    .action(async (ref: string | undefined, opts: { jobs?: number; mutant?: string[] }) => {
      if (opts.mutant && !ref) fail('--mutant needs a lab: npm run lab -- prove NN --mutant SLUG');
      const labs = ref ? [lab(ref)] : discoverLabs();
      const { proofJobs, proveLab } = await import('../harness/proof.ts');
      let failed = 0;
      for (const spec of labs) {
        await servicesFor(spec);
        let proof;
        try {
          proof = await proveLab(spec, {
            jobs: opts.jobs ?? proofJobs(),
            only: opts.mutant,
            onStep: (s) => process.stdout.write(dim(`  ${spec.id}: ${s}…\n`)),
          });
        } catch (error) {
          // A lab.json, a mutant file or a test file that cannot be read: say which, and go on with the next lab.
          console.log(`${bad()} ${spec.id}: ${(error as Error).message}`);
          failed++;
          continue;
        }
        const m = proof.mutants;
        console.log(
          `${proof.ok ? ok() : bad()} ${spec.id}: solution ${proof.solution.score}/${proof.solution.maxScore}, ` +
            `starter ${proof.starter.score}/${proof.starter.maxScore}, ` +
            proof.alternatives.map((x) => `${x.submission} ${x.score}/${x.maxScore}, `).join('') +
            `mutants caught ${m.filter((v) => v.caught).length}/${m.length}` +
            `${spec.rules ? `, ${spec.rules.length} rules` : ''}; the solution graded in ${(proof.solution.durationMs / 1000).toFixed(1)} s`,
        );
        for (const p of proof.problems) console.log(`    ${bad('!')} ${p}`);
        for (const v of m.filter((x) => x.regraded))
          console.log(
            `    ${dim(`mutant ${v.mutant.slug} was graded twice: its first run also failed ${v.regraded!.join(' | ')}`)}`,
          );
        if (!proof.ok) failed++;
      }
      if (failed) process.exitCode = 1;
    });
}

export function registerGradeCommands(program: Command): void {
  program
    .command('grade')
    .argument(
      '<lab>',
      'lab number or id; or "merge" to join the --out folders of shards: lab grade merge DIR… --out OUT',
    )
    .argument('[shards...]', 'with merge: the --out folders of the shards')
    .option('--submissions <dir>', 'a folder with one sub-folder per student')
    .option('--jobs <n>', 'submissions graded at the same time', (v) => Math.max(1, Math.min(8, Number(v) || 1)), 1)
    .option(
      '--shard <i/n>',
      'grade only shard i of n: a stable slice of the class (by a hash of each folder name); join them with lab grade merge',
    )
    .option('--out <dir>', 'where the reports go', 'lab-results')
    .addOption(
      new Option(
        '--isolation <mode>',
        'sandbox: auto (namespaces where bubblewrap runs), strict (refuse without them), permission (Node permission model only)',
      )
        .choices(['auto', 'strict', 'permission'])
        .default('auto'),
    )
    .option(
      '--shared-brokers',
      'grade broker labs in parallel (--jobs) even where runs cannot be kept apart on the broker',
    )
    .description(
      'instructors: grade a class with public + hidden tests; writes results.json, junit.xml, gradebook.csv, report.html',
    )
    .action(
      async (
        ref: string,
        shards: string[],
        opts: {
          submissions?: string;
          jobs: number;
          shard?: string;
          out: string;
          isolation: IsolationMode;
          sharedBrokers?: boolean;
        },
      ) => {
        if (ref === 'merge') return mergeShards(shards, opts.out);
        const { gradeSubmissions, listSubmissions, parseShard, shardOf } = await import('../harness/grade.ts');
        const { brokersParallelSafe } = await import('../harness/broker-scope.ts');
        const { writeReports } = await import('../harness/reports.ts');
        const { gradeTable } = await import('../harness/summary.ts');
        const { Presets, SingleBar } = await import('cli-progress');
        if (shards.length)
          fail(
            `unexpected ${shards.join(' ')}: lab grade NN --submissions DIR (or lab grade merge DIR… to join shards)`,
          );
        if (!opts.submissions) fail('say where the class is: lab grade NN --submissions DIR (one folder per student)');
        const spec = lab(ref);
        let layers;
        try {
          layers = chooseLayers(opts.isolation, { nativeCode: Boolean(spec.grants.addons) });
        } catch (error) {
          fail((error as Error).message);
        }
        let submissions;
        let shard: [number, number] | undefined;
        try {
          submissions = listSubmissions(resolve(opts.submissions));
          if (opts.shard) {
            shard = parseShard(opts.shard);
            const [i, n] = shard;
            submissions = submissions.filter((s) => shardOf(s.name, n) === i);
          }
        } catch (error) {
          fail((error as Error).message);
        }
        if (submissions.length === 0 && !shard)
          fail(`no submissions in ${opts.submissions} (expected one folder per student)`);
        await servicesFor(spec);
        if (opts.jobs > 1 && !opts.sharedBrokers) {
          const brokers = await brokersParallelSafe(spec);
          if (!brokers.safe) {
            console.log(
              dim(`One submission at a time: ${brokers.why}. --shared-brokers grades ${opts.jobs} at a time anyway.`),
            );
            opts.jobs = 1;
          }
        }
        const slice = shard ? ` (shard ${shard[0]}/${shard[1]})` : '';
        console.log(`Grading ${bold(spec.id)}${slice}: ${submissions.length} submission(s), ${opts.jobs} at a time`);
        console.log(dim(`Isolation: ${describeIsolation(layers)}`));
        if (!layers.includes('namespace'))
          console.log(dim(`  for the stronger layer: ${NAMESPACE_INSTALL_HINT} (${namespaceSupport().why})`));
        console.log('');
        const bar =
          process.stdout.isTTY && submissions.length
            ? new SingleBar(
                { format: ' {bar} {value}/{total} graded | {last}', hideCursor: true },
                Presets.shades_classic,
              )
            : undefined;
        bar?.start(submissions.length, 0, { last: '' });
        const started = Date.now();
        const results = await gradeSubmissions({
          lab: spec,
          submissions,
          jobs: opts.jobs,
          isolation: opts.isolation,
          onDone: (r, done, total) => {
            const line = `${r.submission}: ${r.score}/${r.maxScore}`;
            if (bar) bar.update(done, { last: line });
            else console.log(`  [${done}/${total}] ${line}`);
          },
        });
        bar?.stop();
        if (results.length) console.log(gradeTable(results));
        const out = resolve(opts.out);
        const written = writeReports(out, spec, results, { shard: shard && `${shard[0]}/${shard[1]}` });
        console.log(`\nGraded in ${((Date.now() - started) / 1000).toFixed(1)} s. Reports:`);
        for (const file of written) console.log(`  ${relative(process.cwd(), file)}`);
        if (shard) console.log(dim(`Join the shards with: npm run lab -- grade merge DIR1 DIR2 … --out DIR`));
      },
    );

  program
    .command('gradebook')
    .argument('<dirs...>', 'the --out folders of lab grade runs (any labs; shards of a lab are joined)')
    .addOption(
      new Option('--format <shape>', 'plain, or the CSV shape a platform imports')
        .choices(['plain', 'moodle', 'canvas'])
        .default('plain'),
    )
    .option(
      '--roster <csv>',
      "GitHub Classroom's roster CSV (identifier, github_username, github_id, name): rows are its students",
    )
    .requiredOption('--out <file>', 'the CSV to write')
    .description(
      'instructors: one gradebook for a class across labs — one row per student, one column per lab (percent), for Moodle or Canvas',
    )
    .action(async (dirs: string[], opts: { format: GradebookFormat; roster?: string; out: string }) => {
      const { classGradebook, readRoster } = await import('../harness/gradebook.ts');
      const { readGrading } = await import('../harness/reports.ts');
      let book;
      try {
        const roster = opts.roster ? readRoster(resolve(opts.roster)) : undefined;
        book = classGradebook(
          dirs.map((d) => readGrading(resolve(d))),
          { format: opts.format, roster },
        );
      } catch (error) {
        fail((error as Error).message);
      }
      writeFileSync(resolve(opts.out), book.csv);
      console.log(`${ok()} ${opts.format} gradebook written to ${opts.out}`);
      if (book.unmatched.length)
        console.log(
          `${bad('!')} no student in the roster for: ${book.unmatched.join(', ')} (their grades are not in the file)`,
        );
      if (book.missing.length)
        console.log(
          dim(
            `  ${book.missing.length} roster grade(s) left empty: no submission (${book.missing.slice(0, 5).join('; ')}${book.missing.length > 5 ? '; …' : ''})`,
          ),
        );
    });
}

export function registerAutograde(program: Command): void {
  program
    .command('autograde')
    .argument('<lab>', 'lab number or id')
    .requiredOption('--submission <dir>', 'the submission (Gradescope: /autograder/submission)')
    .requiredOption('--results <file>', 'where results.json goes (Gradescope: /autograder/results/results.json)')
    .description(
      "platforms: grade one submission with public + hidden tests into Gradescope's results.json (run_autograder calls it)",
    )
    .action(async (ref: string, opts: { submission: string; results: string }) => {
      const spec = lab(ref);
      await servicesFor(spec);
      const { autograde } = await import('../harness/gradescope.ts');
      const result = await autograde(spec, resolve(opts.submission), resolve(opts.results));
      console.log(`${spec.id}: ${result.score}/${result.maxScore} (${result.isolation}) → ${opts.results}`);
    });
}

/** `lab grade merge DIR… --out OUT`: the shards' results as one class, with the reports one run would write. */
async function mergeShards(dirs: string[], outDir: string): Promise<void> {
  const { mergeRecords } = await import('../harness/gradebook.ts');
  const { readGrading, writeReports } = await import('../harness/reports.ts');
  if (dirs.length === 0)
    fail('lab grade merge needs the --out folders of the shards: lab grade merge DIR1 DIR2 … --out DIR');
  let merged;
  try {
    const records = dirs.map((d) => readGrading(resolve(d)));
    merged = mergeRecords(records);
    const shards = records.map((r) => r.shard).filter(Boolean) as string[];
    const counts = new Set(shards.map((s) => s.split('/')[1]));
    if (shards.length === records.length && counts.size === 1) {
      const n = Number([...counts][0]);
      const have = new Set(shards.map((s) => Number(s.split('/')[0])));
      const lacking = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !have.has(i));
      if (lacking.length)
        console.log(
          `${bad('!')} shard(s) ${lacking.map((i) => `${i}/${n}`).join(', ')} missing: their students are not in the merged reports`,
        );
    }
  } catch (error) {
    fail((error as Error).message);
  }
  const spec = lab(merged.lab);
  const out = resolve(outDir);
  const written = writeReports(out, spec, merged.results);
  console.log(`${ok()} ${merged.results.length} submission(s) of ${spec.id} from ${dirs.length} run(s). Reports:`);
  for (const file of written) console.log(`  ${relative(process.cwd(), file)}`);
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .option('--student <dir>', 'where to write the student edition (a new folder)')
    .option('--gradescope <lab>', "write lab NN's Gradescope autograder (autograder.zip) into --out")
    .option('--out <dir>', 'with --gradescope: where autograder.zip goes', '.')
    .description(
      "instructors: write the student edition (no solutions, hidden tests or mutants), or a lab's Gradescope autograder",
    )
    .action(async (opts: { student?: string; gradescope?: string; out: string }) => {
      if (opts.gradescope) {
        const spec = lab(opts.gradescope);
        const { writeAutograderZip } = await import('../harness/gradescope.ts');
        const { zip, files } = writeAutograderZip(spec, resolve(opts.out));
        console.log(
          `${ok()} ${relative(process.cwd(), zip) || zip}: setup.sh, run_autograder and ${files} course files (lab ${spec.id}'s public and hidden tests, no solution)`,
        );
        console.log(
          dim(
            `  Upload it on Gradescope's Configure Autograder page (base image Ubuntu 22.04). Students upload their ${spec.entry} and its files, or their repository.`,
          ),
        );
        return;
      }
      if (!opts.student) fail('say what to export: lab export --student DIR, or lab export --gradescope NN --out DIR');
      const out = resolve(opts.student);
      const { exportStudentEdition } = await import('../harness/export.ts');
      try {
        const summary = exportStudentEdition(out);
        console.log(`${ok()} student edition written to ${out}`);
        console.log(
          `  ${summary.written} files; ${summary.leftOut} instructor-only files left out (solutions, hidden tests, mutants, proofs);`,
        );
        console.log(`  ${summary.inlined} lesson(s) had solution snippets inlined.`);
        console.log(dim(`  Next: cd ${relative(process.cwd(), out) || '.'} && git init && npm install && npm test`));
      } catch (error) {
        fail((error as Error).message);
      }
    });
}
