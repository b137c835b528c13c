// Part 2: the order API the student's provider verification runs against, in place of the given order-api.ts of
// the graded copy (never the student's own folder). Each is the given file with exact text edits, like a mutant:
// every one logs the requests it served into OUTPUT_DIR (so a test sees that the pact was really replayed), and a
// breaking one also changes what the warehouse's pact relies on.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentLab, runSuite, type SuiteRun } from '#testkit';

process.env.PACT_DO_NOT_TRACK = 'true';

const LOG = `const server = createServer(async (req, res) => {
    (await import('node:fs')).appendFileSync(\`\${process.env.OUTPUT_DIR}/requests.log\`, \`\${req.method} \${req.url}\\n\`);`;

export const PROVIDER_VARIANTS = {
  reference: [],
  'patch-ignores-status': [
    { find: "if (body.status !== undefined) order.status = body.status as Order['status'];", replace: '' },
  ],
} as const;

/** Put a variant of the order API into the graded copy (LAB_TARGET_DIR, a private copy made for this run). */
export function installOrderApi(variant: keyof typeof PROVIDER_VARIANTS): void {
  const target = process.env.LAB_TARGET_DIR;
  if (!target || !process.env.LAB_SANDBOX) throw new Error('the order API is replaced only in a graded copy');
  let source = readFileSync(join(currentLab().dir, 'starter', 'order-api.ts'), 'utf8');
  for (const { find, replace } of [
    { find: 'const server = createServer(async (req, res) => {', replace: LOG },
    ...PROVIDER_VARIANTS[variant],
  ]) {
    if (source.split(find).length !== 2) throw new Error(`order-api.ts changed: "${find}" is not in it exactly once`);
    source = source.replace(find, replace);
  }
  writeFileSync(join(target, 'order-api.ts'), source);
}

/** The requests the order API served during a run ("GET /v1/orders/ord_7"), from its log. */
export function servedRequests(outputDir: string): string[] {
  try {
    return readFileSync(join(outputDir, 'requests.log'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

export interface ProviderRuns {
  /** The student's provider verification against the given order API (it must pass). */
  good: SuiteRun;
  /** The same against the order API whose PATCH no longer changes the status (it must fail). */
  broken: SuiteRun;
  /** Requests of the warehouse's pact ("PATCH /v1/orders/ord_7") the order API never got during a run. */
  missing(run: SuiteRun): string[];
}

/**
 * Run the student's provider.test.ts twice, against the given order API and a broken one. Both runs must really
 * replay the warehouse's pact: the order API logs what it served.
 */
export async function runProviderVerification(): Promise<ProviderRuns> {
  const lab = currentLab();
  const pact = JSON.parse(readFileSync(join(lab.dir, 'starter', 'warehouse-order-api.json'), 'utf8')) as {
    interactions: { request: { method: string; path: string } }[];
  };
  const wanted = [...new Set(pact.interactions.map((i) => `${i.request.method} ${i.request.path}`))];
  installOrderApi('reference');
  const good = await runSuite({ entry: 'provider.test.ts' });
  installOrderApi('patch-ignores-status');
  const broken = await runSuite({ entry: 'provider.test.ts' });
  return {
    good,
    broken,
    missing: (run) => {
      const served = servedRequests(run.outputDir);
      return wanted.filter((w) => !served.includes(w));
    },
  };
}
