// The test kit lab tests import as `#testkit`. Tests are black-box: they start the target (starter, solution or a
// student's submission) as its own process through startLab() and talk to it over HTTP, AMQP or Kafka only.
import '../../services/kafkajs-quirks.ts';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import { TestRunner, test, type TestContext } from 'vitest';
import { amqpUrl, kafkaBrokers } from '../../services/config.ts';
import { explainMessages } from '../../lang.ts';
import { labEnvironment } from '../environment.ts';
import { EXCHANGE_BODY_CHARS, type HttpExchange } from '../explain.ts';
import { loadLab } from '../labs.ts';
import { freePort } from '../ports.ts';
import type { SandboxSpec } from '../sandbox/index.ts';
import { AppProcess, AppStartError, sandboxRefusal, type RunToEndOutcome } from '../target.ts';
import type { ControlOf, StartedMock } from '../../../mock-servers/index.ts';
import type { LabSpec, MockName } from '../types.ts';

export { AppProcess, AppStartError, freePort };
export { expectEnvelopeOnRefusals, expectErrorEnvelope } from './envelope.ts';
export { OpenApiContract, openApiProblems, type SeenReply } from './openapi.ts';

declare module 'vitest' {
  interface TaskMeta {
    /** Points this test is worth. */
    points?: number;
    /** What to look at when it fails; shown to students by `lab check`. */
    hint?: string;
    /** The test's last requests through http(), newest last: a failure is worded with them (../explain.ts). */
    exchanges?: HttpExchange[];
    /** The id of the rule (lab.json `rules`) this test checks. */
    rule?: string;
  }
}

export interface GradedOptions {
  /** The rule of the lab's rules table this test checks (required when lab.json has `rules`). */
  rule?: string;
  points: number;
  hint: string;
  timeout?: number;
}

/** A graded test: its rule, points and hint live here, next to the assertions (one source for every report). */
export function graded(
  name: string,
  { rule, points, hint, timeout }: GradedOptions,
  fn: (ctx: TestContext) => Promise<void> | void,
): void {
  test(name, { meta: { points, hint, rule }, timeout }, fn);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run lab tests through the harness (npm run lab -- check NN)`);
  return value;
}

/** The lab under test (from the harness's environment). */
export function currentLab(): LabSpec {
  return loadLab(required('LAB_DIR'));
}

/**
 * The time limit for a hook that starts apps in `rounds` steps one after another (the apps of one step side by side).
 * The config's hookTimeout allows one start (startMs + 15 s); a hook of two rounds on a busy machine needs more, and a
 * hook that runs out fails every test of its file, which is the harness's fault, not the student's.
 */
export function hookTimeout(rounds: number): number {
  return rounds * currentLab().limits.startMs + 15_000;
}

export interface LabRun {
  app: AppProcess;
  /** Base URL of the app, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Unique prefix for this run's queues, exchanges, topics and groups. */
  prefix: string;
  /** The lab's mocks by name, each with its own control type (`run.mocks.stripe?.mock.control` is a StripeControl). */
  mocks: { [N in MockName]?: StartedMock<ControlOf<N>> };
  /** The environment the app was given. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface StartLabOptions {
  /** Extra or overriding environment for the app. */
  env?: Record<string, string>;
  /** Options per mock factory (e.g. a fast time scale). */
  mockOptions?: Partial<Record<MockName, Record<string, unknown>>>;
}

/** Start the lab's mocks, then the target app with its environment; wait until it is ready. */
export async function startLab(options: StartLabOptions = {}): Promise<LabRun> {
  const lab = currentLab();
  if (lab.kind === 'suite') throw new Error(`lab ${lab.id} is a test suite, not an app: run it with runSuite()`);
  const prefix = `${required('LAB_PREFIX')}-${randomUUID().slice(0, 8)}`;
  const mocks: LabRun['mocks'] = {};
  let app: AppProcess | undefined;
  let env: Record<string, string> = {};
  const stopMocks = async () => {
    for (const m of Object.values(mocks)) await m?.close().catch(() => {});
  };
  try {
    if (lab.mocks.length) {
      // Loaded only by labs that use mocks.
      const registry = await import('../../../mock-servers/index.ts');
      const start = async <N extends MockName>(name: N) => {
        const started = await registry.startMock(name, { port: 0, ...options.mockOptions?.[name] });
        Object.assign(mocks, { [name]: started });
      };
      for (const name of lab.mocks) await start(name);
    }
    // Under grading the app runs in the sandbox the harness prepared (LAB_SANDBOX); its copy is the target folder.
    const sandbox = process.env.LAB_SANDBOX ? (JSON.parse(process.env.LAB_SANDBOX) as SandboxSpec) : undefined;
    // A port can be taken between choosing it and the app listening (another submission may even try): a start
    // that failed only because of that gets a fresh port, a few times.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      env = { ...labEnvironment(lab, { port, prefix, mocks }), ...options.env };
      try {
        app = await AppProcess.start({
          dir: required('LAB_TARGET_DIR'),
          entry: lab.entry,
          port,
          env,
          ready: lab.ready,
          startMs: lab.limits.startMs,
          outputBytes: lab.limits.outputBytes,
          runId: required('LAB_RUN_ID'),
          sandbox,
        });
        break;
      } catch (error) {
        if (!(error instanceof AppStartError && error.portTaken && attempt < 3)) throw error;
      }
    }
    const started = app!;
    appsByPort.set(started.port, started);
    return {
      app: started,
      url: started.url,
      prefix,
      mocks,
      env,
      stop: async () => {
        await started.stop();
        await stopMocks();
      },
    };
  } catch (error) {
    await app?.stop();
    await stopMocks();
    throw error;
  }
}

export interface SuiteRun extends RunToEndOutcome {
  /** The suite exited with 0: every test of it passed. */
  passed: boolean;
  /** A fresh folder the suite was told about (env `OUTPUT_DIR`) and may write: where it leaves what is graded. */
  outputDir: string;
}

/**
 * Run a `suite` lab's entry (the student's test suite; `options.entry` for another file of it) to its end, in the
 * sandbox when grading: `node <entry>`, so `node:test` tests run in that one process. It gets `OUTPUT_DIR`, a fresh
 * folder in its scratch folder, plus the lab's `env` and `options.env`; the graded tests then judge what it wrote.
 */
export async function runSuite(
  options: { entry?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<SuiteRun> {
  const lab = currentLab();
  const sandbox = process.env.LAB_SANDBOX ? (JSON.parse(process.env.LAB_SANDBOX) as SandboxSpec) : undefined;
  // Under grading, tests share the app's TMPDIR (its scratch folder): a folder made here is writable for the suite.
  const outputDir = mkdtempSync(join(sandbox?.scratchDir ?? tmpdir(), 'output-'));
  const outcome = await AppProcess.runToEnd({
    dir: required('LAB_TARGET_DIR'),
    entry: options.entry ?? lab.entry,
    env: { ...lab.env, ...options.env, OUTPUT_DIR: outputDir },
    timeoutMs: options.timeoutMs ?? lab.limits.startMs,
    outputBytes: lab.limits.outputBytes,
    runId: required('LAB_RUN_ID'),
    sandbox,
  });
  return { ...outcome, passed: outcome.code === 0 && !outcome.timedOut, outputDir };
}

/** Poll until `check` returns a truthy value (or stops throwing); bounded by time. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  {
    timeoutMs = 5000,
    intervalMs = 50,
    message = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message} (last: ${detail})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Apps started in this test process, by port: a failed request can then say whether the app died, and why. */
const appsByPort = new Map<number, AppProcess>();

async function whyUnreachable(url: string, error: unknown): Promise<Error> {
  const reason =
    error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  const app = appsByPort.get(Number(new URL(url).port));
  // A connection cut by a dying app arrives a moment before its exit: give the exit a chance to be seen.
  for (let i = 0; i < 10 && app?.running; i++) await new Promise((r) => setTimeout(r, 30));
  if (!app || app.running) return new Error(`request to ${url} failed: ${reason}`);
  const exit = app.exitInfo;
  const say = explainMessages('en');
  const how = exit?.signal ? say.stoppedBy(exit.signal) : say.exitedWith(String(exit?.code));
  return new Error(
    `request to ${url} failed: ${say.notRunning(how)}${sandboxRefusal(app.output())} Its last output:\n${app.outputTail()}`,
  );
}

/** Keep a request in the current test's meta (its last five), so that a failure can say what was sent and what came back. */
function remember(url: string, method: string): HttpExchange {
  const { pathname, search } = new URL(url);
  const exchange: HttpExchange = { method: method.toUpperCase(), path: pathname + search };
  const current = TestRunner.getCurrentTest();
  if (current) current.meta.exchanges = [...(current.meta.exchanges ?? []).slice(-4), exchange];
  return exchange;
}

/** A small HTTP helper for black-box tests: status, headers and parsed JSON in one call. */
export async function http(
  url: string,
  init: RequestInit & { json?: unknown } = {},
  // biome-ignore lint/suspicious/noExplicitAny: a test reads any field of a reply; its assertions check it
): Promise<{ status: number; headers: Headers; text: string; json: any; said: string }> {
  const { json, ...rest } = init;
  const exchange = remember(url, rest.method ?? 'GET');
  const headers = new Headers(rest.headers);
  if (json !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const res = await fetch(url, {
    ...rest,
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
    signal: rest.signal ?? AbortSignal.timeout(5000),
  }).catch(async (error: unknown) => {
    exchange.error =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw await whyUnreachable(url, error);
  });
  const text = await res.text();
  Object.assign(exchange, {
    status: res.status,
    headers: Object.fromEntries(res.headers),
    body: text.slice(0, EXCHANGE_BODY_CHARS),
  });
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: parsed,
    said: describeExchange(url, init, res.status, text),
  };
}

const excerpt = (s: string, max: number) => (s.length > max ? `${s.slice(0, max)}…` : s);

/**
 * "POST /v1/orders answered 200: {…} (sent {"total_cents":1})": what was sent and what came back, for failure
 * messages. The status comes first, so it survives when a report shortens the line.
 */
function describeExchange(url: string, init: RequestInit & { json?: unknown }, status: number, text: string): string {
  const { pathname, search } = new URL(url);
  const body = init.json !== undefined ? JSON.stringify(init.json) : typeof init.body === 'string' ? init.body : '';
  const sent = body ? ` (sent ${excerpt(body, 80)})` : '';
  return `${(init.method ?? 'GET').toUpperCase()} ${pathname}${search} answered ${status}: ${excerpt(text.replace(/\s+/g, ' '), 120) || '(no body)'}${sent}`;
}

/** An AMQP connection to the broker the harness uses. */
export function connectAmqp(): Promise<amqp.ChannelModel> {
  return amqp.connect(amqpUrl());
}

/** A kafkajs client for the broker the harness uses (quiet logs). */
export function kafkaClient(clientId = 'lab-test'): Kafka {
  return new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
}
