import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { templateProblems } from './environment.ts';
import type { MockName, LabSpec } from './types.ts';
import { messages } from '../lang.ts';
import { repoRoot } from '../paths.ts';

export const labsDir = join(repoRoot, 'labs');
const schema = JSON.parse(readFileSync(join(labsDir, 'lab.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

export const DEFAULT_LIMITS = {
  startMs: 15_000,
  testMs: 20_000,
  totalMs: 240_000,
  outputBytes: 1024 * 1024,
  memoryBytes: 1024 * 1024 * 1024,
  scratchBytes: 64 * 1024 * 1024,
};

export class LabConfigError extends Error {}

/** No lab answers to what was asked for; `known` lists the labs, one "  id  title" a line. */
export class UnknownLabError extends LabConfigError {
  readonly ref: string;
  readonly known: string;
  constructor(ref: string, known: string) {
    super(messages('en').unknownLab(ref, known));
    this.ref = ref;
    this.known = known;
  }
}

/** Read and validate one lab.json; errors name the file and the field. */
export function loadLab(dir: string): LabSpec {
  const file = join(dir, 'lab.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LabConfigError(`${file}: ${(error as Error).message}`);
  }
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map((e) => {
      const field = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : '(top level)';
      const extra =
        e.keyword === 'additionalProperties'
          ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"`
          : '';
      const allowed =
        e.keyword === 'enum' ? ` (${(e.params as { allowedValues: string[] }).allowedValues.join(', ')})` : '';
      return `  ${field}: ${e.message}${extra}${allowed}`;
    });
    throw new LabConfigError(`${file} is not a valid lab.json:\n${problems.join('\n')}`);
  }
  const spec = raw as Omit<LabSpec, 'dir' | 'limits' | 'grants' | 'kind'> & {
    kind?: LabSpec['kind'];
    limits?: Partial<LabSpec['limits']>;
    grants?: LabSpec['grants'];
  };
  const folder = dir.split('/').filter(Boolean).at(-1);
  if (spec.id !== folder) throw new LabConfigError(`${file}: id "${spec.id}" must equal the folder name "${folder}"`);
  const seen = new Set<string>();
  for (const rule of spec.rules ?? []) {
    if (seen.has(rule.id)) throw new LabConfigError(`${file}: rules: the id "${rule.id}" appears more than once`);
    seen.add(rule.id);
  }
  const lab: LabSpec = {
    ...spec,
    kind: spec.kind ?? 'app',
    services: spec.services ?? [],
    mocks: (spec.mocks ?? []) as MockName[],
    env: spec.env ?? {},
    grants: spec.grants ?? {},
    limits: { ...DEFAULT_LIMITS, ...spec.limits },
    dir,
  };
  const problems = templateProblems(lab);
  if (problems.length > 0)
    throw new LabConfigError(`${file} is not a valid lab.json:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return lab;
}

/** Every lab in course order. */
export function discoverLabs(root = labsDir): LabSpec[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'lab.json')))
    .map((d) => loadLab(join(root, d.name)))
    .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

/** A lab by its number ("3", "03") or full id ("03-stripe-webhooks"). */
export function findLab(ref: string, root = labsDir): LabSpec {
  const labs = discoverLabs(root);
  const wanted = ref.trim().toLowerCase();
  const match = labs.find((l) => l.id === wanted || l.id.split('-')[0] === wanted.padStart(2, '0'));
  if (!match) {
    throw new UnknownLabError(ref, labs.map((l) => `  ${l.id}  ${l.title}`).join('\n'));
  }
  return match;
}
