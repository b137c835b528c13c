import type { ServiceName } from '../services/config.ts';
import type { Grants } from './sandbox/index.ts';

// One list of mock names: the registry's (a type-only import: nothing of the mocks loads with it).
export type { MockName } from '../../mock-servers/index.ts';
import type { MockName } from '../../mock-servers/index.ts';

export interface LabLimits {
  /** From spawn to ready. */
  startMs: number;
  /** One test. */
  testMs: number;
  /** A whole grading run of one submission. */
  totalMs: number;
  /** Output kept from the app; past it the app is stopped. */
  outputBytes: number;
  /** Memory the app may allocate (data segment, Linux); past it allocations fail. */
  memoryBytes: number;
  /** What the app may keep in its scratch folder (and the largest file it may write); past it the app is stopped. */
  scratchBytes: number;
}

/**
 * One rule a lab's README states (lab.json `rules`). Graded tests name their rule (`graded(name, { rule, … })`), each
 * mutant names the one rule it breaks; a rule that cannot be observed from outside says why in `notGraded`.
 */
export interface LabRule {
  /** kebab-case, unique in the lab */
  id: string;
  /** The rule in one sentence, as the README's "What is graded" table shows it (Markdown). */
  says: string;
  /** Why no black-box test can check it (the README lists it as not graded). */
  notGraded?: string;
}

export interface LabSpec {
  id: string;
  title: string;
  lesson?: string;
  order: number;
  /** `app`: a program the tests start (`ready` says when); `suite`: a test suite the tests run to its end. */
  kind: 'app' | 'suite';
  services: ServiceName[];
  mocks: MockName[];
  entry: string;
  env: Record<string, string>;
  /** How the harness knows an app is ready (every `app` lab has it; a `suite` lab has none). */
  ready?: { http: string } | { log: string };
  limits: LabLimits;
  /** What the app may do beyond the sandbox's default (child processes, workers, addons, WASI), with the reason. */
  grants: Grants;
  /** Files given ready-made: identical in starter/ and solution/. */
  given?: string[];
  /** The rules table, when the lab has one (then every graded test and every mutant names a rule). */
  rules?: LabRule[];
  /** Absolute path of the lab folder. */
  dir: string;
}

export type Visibility = 'public' | 'hidden';

/** One graded test's outcome; the unit every report is made of. */
export interface TestOutcome {
  name: string;
  file: string;
  visibility: Visibility;
  points: number;
  score: number;
  status: 'passed' | 'failed';
  hint?: string;
  /** Why it failed (assertion message, or what the harness saw: time limit, crash…). */
  message?: string;
  /** The failure in plain words ("POST /v1/orders answered 200, expected 201"), when its shape is known. */
  summary?: string;
  durationMs: number;
}

export interface SubmissionResult {
  submission: string;
  lab: string;
  score: number;
  maxScore: number;
  tests: TestOutcome[];
  /** Problems outside single tests (no entry file, run killed at the time limit…). */
  problems: string[];
  durationMs: number;
  /** The sandbox layers that held the submission, in words (recorded in every report). */
  isolation: string;
}
