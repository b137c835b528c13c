import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { explainMessages } from '../lang.ts';
import { isAlive, signalGroup } from '../services/processes.ts';
import { appPortsDir, folderBytes, registerAppPort, sandboxedCommand, type SandboxSpec } from './sandbox/index.ts';

/**
 * A lab app (starter, solution or a student's submission) run as its own process group, black-box: its only input
 * is the environment, its only outputs are the network and its (capped) console output.
 */
export interface AppStartOptions {
  /** Folder holding the entry file; also the app's working directory. */
  dir: string;
  entry: string;
  port: number;
  /** Environment given to the app (on top of a minimal base: PATH, HOME, TZ, NODE_ENV). */
  env: Record<string, string>;
  /** When the app is ready; required by start() (a suite lab has none: see runToEnd). */
  ready?: { http: string } | { log: string };
  startMs: number;
  outputBytes: number;
  /** Also hand every chunk of output here as it comes (`lab start` shows it live). */
  onOutput?: (chunk: Buffer) => void;
  /** The grading run this app belongs to; every process of the app is marked with it (env LAB_APP_RUN). */
  runId: string;
  /** Run inside this sandbox (grading); `dir` is then the sandbox's copy. Without it the app runs as is (lab start). */
  sandbox?: SandboxSpec;
}

/** What a target run to its end did (a `suite` lab's entry: a test suite). */
export interface RunToEndOutcome {
  /** Its exit code (null when a signal ended it). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It was still running at the time limit and was killed. */
  timedOut: boolean;
  /** Everything it printed (capped at outputBytes). */
  output: string;
}

export class AppStartError extends Error {
  /** The app could not listen because another program held its port (the harness may try another port). */
  portTaken = false;
  /** The app crashed on a broker's known transient answer, not on its own fault (see TRANSIENT_BROKER_ERRORS). */
  transient = false;
}

/**
 * Crashes at start-up that a busy broker causes in correct code, retried by the harness rather than charged to the
 * student. KRaft Kafka applies a new topic to its metadata a moment after CreateTopics has answered; on a loaded
 * machine kafkajs's `createTopics({ waitForLeaders: true })` (its default, and what lesson 08 teaches) then asks for
 * the topic's metadata too early, gets UNKNOWN_TOPIC_OR_PARTITION and gives up instead of retrying.
 */
const TRANSIENT_BROKER_ERRORS = [/This server does not host this topic-partition/];
const START_ATTEMPTS = 3;

const BASE_ENV_KEYS = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SYSTEMROOT'];

/** The harness's sentences are written once, in English (explain.ts says them again in the student's language). */
const say = explainMessages('en');

export class AppProcess {
  readonly port: number;
  readonly url: string;
  readonly options: AppStartOptions;
  #child: ChildProcess | undefined;
  #chunks: Buffer[] = [];
  #bytes = 0;
  #overLimit = false;
  #forgetPort: (() => void) | undefined;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  #exited: Promise<void> = Promise.resolve();
  /** Resolves when the app's stdout and stderr are closed: everything it printed has been read. */
  #drained: Promise<void> = Promise.resolve();

  /** This app's own mark: the run id plus a unique part, so one app's cleanup never hits another's processes. */
  readonly #mark: string;

  private constructor(options: AppStartOptions) {
    this.options = options;
    this.#mark = `${options.runId}:${randomUUID()}`;
    this.port = options.port;
    this.url = `http://127.0.0.1:${options.port}`;
  }

  /** Start the app and wait until it is ready; on failure it is stopped and the error says why, with its output. */
  static async start(options: AppStartOptions): Promise<AppProcess> {
    const app = new AppProcess(options);
    await app.launchRetryingTransient();
    return app;
  }

  /**
   * Run a target to its end instead of waiting for it to be ready: a `suite` lab's entry is a test suite, graded by
   * what it wrote. Same process group, sandbox, output and scratch limits as an app; no port. Killed at `timeoutMs`.
   */
  static async runToEnd(
    options: Omit<AppStartOptions, 'port' | 'ready' | 'startMs'> & { timeoutMs: number },
  ): Promise<RunToEndOutcome> {
    const run = new AppProcess({ ...options, port: 0, ready: { log: '' }, startMs: options.timeoutMs });
    await run.launch(false);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      run.#exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), options.timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) run.kill('SIGKILL');
    await Promise.race([run.#drained, new Promise((r) => setTimeout(r, 1000))]);
    await run.stop();
    return { code: run.#exit?.code ?? null, signal: run.#exit?.signal ?? null, timedOut, output: run.output() };
  }

  /** Start again after stop() or kill() (same port and environment): a restart after a crash. */
  async restart(): Promise<void> {
    await this.stop();
    this.#chunks = [];
    this.#bytes = 0;
    this.#overLimit = false;
    await this.launchRetryingTransient();
  }

  private async launchRetryingTransient(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.launch();
      } catch (error) {
        if (!(error instanceof AppStartError && error.transient && attempt < START_ATTEMPTS)) throw error;
        this.#chunks.push(
          Buffer.from(`\n[harness] the broker was not ready for the app (see above): starting it again\n`),
        );
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
  }

  private async launch(waitReady = true): Promise<void> {
    const { dir, entry, port, env } = this.options;
    const entryPath = join(dir, entry);
    if (!existsSync(entryPath)) throw new AppStartError(say.entryMissing(entry, entryPath));
    const base = Object.fromEntries(BASE_ENV_KEYS.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));
    const { sandbox } = this.options;
    const nodeArgs = ['--max-old-space-size=512'];
    const command = sandbox
      ? sandboxedCommand(sandbox, entryPath, nodeArgs)
      : { file: process.execPath, args: [...nodeArgs, entryPath] };
    // In a sandbox, HOME and TMPDIR are its scratch folder: the only place it may write. Its port is registered as a
    // graded app's, so that no other sandboxed app may connect to it (see appPortsDir).
    const own = sandbox ? { HOME: sandbox.scratchDir, TMPDIR: sandbox.scratchDir, LAB_APP_PORTS: appPortsDir() } : {};
    if (sandbox && port) {
      this.#forgetPort?.();
      this.#forgetPort = registerAppPort(port);
    }
    const child = spawn(command.file, command.args, {
      cwd: dir,
      detached: true, // its own process group, so its children are stopped with it
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...base,
        TZ: 'UTC',
        NODE_ENV: 'test',
        ...env,
        ...own,
        ...(port ? { PORT: String(port) } : {}),
        [APP_MARKER]: this.#mark,
      },
    });
    this.#child = child;
    this.#exit = undefined;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        // The port stays registered until stop(): a test that killed the app restarts it on the same port, and no
        // other run may be handed that port meanwhile (freePort skips registered ports).
        this.#exit = { code, signal };
        resolve();
      });
      child.once('error', (error) => {
        this.#chunks.push(Buffer.from(`[harness] could not start: ${error.message}\n`));
        this.#exit = { code: -1, signal: null };
        resolve();
      });
    });
    // 'exit' can come before the last output of a crash has been read from the pipes: a crash's message is read
    // up to 'close' (bounded: a grandchild that escaped could hold the pipes open).
    this.#drained = new Promise((resolve) => child.once('close', () => resolve()));
    const collect = (chunk: Buffer) => {
      this.options.onOutput?.(chunk);
      if (this.#overLimit) return;
      this.#bytes += chunk.length;
      if (this.#bytes > this.options.outputBytes) {
        this.#overLimit = true;
        this.#chunks.push(chunk.subarray(0, Math.max(0, this.options.outputBytes - (this.#bytes - chunk.length))));
        this.#chunks.push(
          Buffer.from(`\n[harness] output limit of ${this.options.outputBytes} bytes exceeded: the app was stopped\n`),
        );
        this.kill('SIGKILL');
        return;
      }
      this.#chunks.push(chunk);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    this.#watchScratch();
    if (!waitReady) return;
    try {
      await this.waitReady();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stop the app when its scratch folder grows past the lab's limit (a full disk would hurt every other run). */
  #watchScratch(): void {
    const sandbox = this.options.sandbox;
    if (!sandbox) return;
    const timer = setInterval(() => {
      if (this.#exit) return clearInterval(timer);
      if (folderBytes(sandbox.scratchDir, sandbox.scratchBytes) > sandbox.scratchBytes) {
        clearInterval(timer);
        this.#chunks.push(
          Buffer.from(
            `\n[harness] the app wrote more than ${sandbox.scratchBytes} bytes into its scratch folder: it was stopped\n`,
          ),
        );
        this.kill('SIGKILL');
      }
    }, 250);
    timer.unref();
  }

  /** Everything the app printed so far (capped). */
  output(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }

  outputTail(lines = 12): string {
    return excerptOutput(this.output(), lines);
  }

  get running(): boolean {
    return this.#child !== undefined && this.#exit === undefined;
  }

  get exitInfo() {
    return this.#exit;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  private async waitReady(): Promise<void> {
    const { ready, startMs, port } = this.options;
    if (!ready)
      throw new AppStartError('this lab has no ready check: its entry is a test suite, run it with runSuite()');
    const deadline = Date.now() + startMs;
    const firstChunk = this.#chunks.length;
    while (Date.now() < deadline) {
      if (this.#overLimit) throw new AppStartError(say.outputLimit(this.options.outputBytes));
      if (this.#exit) {
        await Promise.race([this.#drained, new Promise((r) => setTimeout(r, 1000))]);
        const how = this.#exit.signal ? say.killed(this.#exit.signal) : say.exited(String(this.#exit.code));
        const error = new AppStartError(
          `${say.beforeReady(how)}${sandboxRefusal(this.output())} Its last output:\n${this.outputTail()}`,
        );
        error.portTaken = this.output().includes('EADDRINUSE') && this.output().includes(`:${port}`);
        error.transient = TRANSIENT_BROKER_ERRORS.some((pattern) => pattern.test(this.output()));
        throw error;
      }
      if ('log' in ready) {
        // Only what this start printed counts (an earlier start's output, or a harness note, might hold the words).
        if (Buffer.concat(this.#chunks.slice(firstChunk)).toString('utf8').includes(ready.log)) return;
      } else {
        try {
          const res = await fetch(`${this.url}${ready.http}`, { signal: AbortSignal.timeout(1000) });
          await res.body?.cancel();
          // The answer must be this app's: if another program took the port between choosing it and this app
          // listening (the app of a submission graded beside this one, say), that program answers, and this app
          // will stop with EADDRINUSE (a fresh port, then) — its tests must not talk to the other one meanwhile.
          if (res.ok && this.listensOnItsPort() !== false) return;
        } catch {
          /* not listening yet */
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const listening = this.#child?.pid ? listeningPorts(this.#child.pid).filter((p) => p !== port) : [];
    const seconds = Math.round(startMs / 1000);
    const what = 'log' in ready ? say.notPrinted(ready.log, seconds) : say.notAnswered(ready.http, port, seconds);
    const wrongPort = listening.length ? say.wrongPort(listening.join(', ')) : '';
    throw new AppStartError(`${what}${wrongPort} Its last output:\n${this.outputTail()}`);
  }

  /** Whether this app (its process group) holds the listening socket of its port; undefined where /proc cannot say. */
  private listensOnItsPort(): boolean | undefined {
    const pid = this.#child?.pid;
    if (!pid || !this.options.port || !existsSync('/proc/net/tcp')) return undefined;
    return listeningPorts(pid).includes(this.options.port);
  }

  /** Signal the whole process group at once (SIGKILL = a crash, for tests that check recovery). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.#child?.pid && this.#exit === undefined) signalGroup(this.#child.pid, signal);
  }

  /** SIGTERM, a short grace period, then SIGKILL for the group and any process of this run that escaped it. */
  async stop(graceMs = 2000): Promise<void> {
    const pid = this.#child?.pid;
    if (pid && this.#exit === undefined) {
      signalGroup(pid, 'SIGTERM');
      await Promise.race([this.#exited, new Promise((r) => setTimeout(r, graceMs))]);
      signalGroup(pid, 'SIGKILL');
      await Promise.race([this.#exited, new Promise((r) => setTimeout(r, 2000))]);
    }
    // Children stay in the group after their parent dies; stop them too.
    if (pid) signalGroup(pid, 'SIGKILL');
    killMarked(this.#mark);
    this.#forgetPort?.();
    this.#forgetPort = undefined;
  }
}

/** When the grading sandbox refused the app something, one sentence that says what and what is allowed. */
export function sandboxRefusal(output: string): string {
  if (!output.includes('ERR_ACCESS_DENIED')) return '';
  const permission = /permission: '(\w+)'/.exec(output)?.[1];
  const resource = /resource: '([^']*)'/.exec(output)?.[1];
  return say.sandbox(say.sandboxAccess(permission, resource));
}

/** Only app processes carry this variable (never the test runner), so sweeping by it cannot hit the tests. */
const APP_MARKER = 'LAB_APP_RUN';

/**
 * Kill every app process marked with `mark` (one app: "<runId>:<uuid>") or with any mark of a run ("<runId>"),
 * found through /proc/<pid>/environ (Linux; a no-op elsewhere). This finds children that left the process group.
 */
export function killMarked(mark: string): number {
  if (!existsSync('/proc/self/environ')) return 0;
  const exact = `${APP_MARKER}=${mark}`;
  const ofRun = `${APP_MARKER}=${mark}:`;
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (env.some((v) => v === exact || v.startsWith(ofRun)) && isAlive(pid)) {
        process.kill(pid, 'SIGKILL');
        killed++;
      }
    } catch {
      /* gone, or not ours to read */
    }
  }
  return killed;
}

/** TCP ports the process group of `pid` listens on (Linux /proc), to tell a student which port they used. */
export function listeningPorts(pid: number): number[] {
  try {
    const inodes = new Set<string>();
    for (const p of readdirSync('/proc')) {
      if (!/^\d+$/.test(p)) continue;
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
        if (pgid !== pid) continue;
        for (const fd of readdirSync(`/proc/${p}/fd`)) {
          const link = readlinkSync(`/proc/${p}/fd/${fd}`);
          const m = /^socket:\[(\d+)\]$/.exec(link);
          if (m) inodes.add(m[1]!);
        }
      } catch {
        /* raced with exit */
      }
    }
    const ports = new Set<number>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      if (!existsSync(table)) continue;
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[3] === '0A' && inodes.has(cols[9] ?? '')) ports.add(parseInt(cols[1]!.split(':')[1]!, 16));
      }
    }
    return [...ports];
  } catch {
    return [];
  }
}

/** The line Node prints for an uncaught error: `TypeError: …`, `Error [ERR_MODULE_NOT_FOUND]: Cannot find package …`. */
const ERROR_LINE = /^\s*(?:[A-Z][A-Za-z]*)?Error(?: \[[A-Z_]+\])?: /;

/**
 * The last `lines` lines of app output, quoted ("  | "). When the app crashed, Node prints the error line and then
 * many stack frames: the error line is kept at the top even when the frames push it out of the last lines.
 */
export function excerptOutput(output: string, lines = 12): string {
  const all = output.trimEnd().split('\n');
  if (!output.trim()) return '  | (no output)';
  const start = Math.max(0, all.length - lines);
  const quote = (l: string) => `  | ${l.slice(0, 300)}`;
  const errorAt = all.findLastIndex((l) => ERROR_LINE.test(l));
  const head = errorAt >= 0 && errorAt < start ? [quote(all[errorAt]!), errorAt + 1 < start ? '  | …' : undefined] : [];
  return [...head.filter((l) => l !== undefined), ...all.slice(start).map(quote)].join('\n');
}
