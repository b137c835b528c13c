import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { AppProcess } from '../../cli/harness/target.ts';
import {
  IsolationError,
  chooseLayers,
  courseNodeModules,
  namespaceSupport,
  prepareSandbox,
  removeSandbox,
  sandboxedCommand,
  type IsolationLayer,
  type SandboxSpec,
} from '../../cli/harness/sandbox/index.ts';
import { repoRoot } from '../../cli/paths.ts';

// The sandbox's pieces, each started for real: what the copy holds, what the app may and may not do under each
// layer, and what a grant opens. The hostile submissions in tests/labs/hostile.test.ts go through the whole grader.
const work = mkdtempSync(join(tmpdir(), 'lab-sandbox-test-'));
const made: SandboxSpec[] = [];
afterAll(() => {
  for (const spec of made) removeSandbox(spec);
  rmSync(work, { recursive: true, force: true });
});

function sandboxWith(files: Record<string, string>, layers: IsolationLayer[], grants = {}): SandboxSpec {
  const dir = mkdtempSync(join(work, 'src-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const { spec } = prepareSandbox(dir, { layers, grants, memoryBytes: 1024 ** 3, scratchBytes: 8 * 1024 * 1024 });
  made.push(spec);
  return spec;
}

/** Run `probe.ts` in a sandbox and return the JSON it prints. */
function probe(layers: IsolationLayer[], code: string, grants = {}): Record<string, string> {
  const spec = sandboxWith({ 'probe.ts': code }, layers, grants);
  const { file, args } = sandboxedCommand(spec, join(spec.appDir, 'probe.ts'), []);
  const out = spawnSync(file, args, {
    cwd: spec.appDir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, TMPDIR: spec.scratchDir, HOME: spec.scratchDir },
    timeout: 20_000,
  });
  expect(out.status, out.stderr).toBe(0);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!);
}

const ATTEMPTS = `
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
const solution = ${JSON.stringify(join(repoRoot, 'labs/00-warmup/solution/main.ts'))};
const tries = {
  readOwn: () => fs.readFileSync('probe.ts', 'utf8').length > 0,
  writeScratch: () => (fs.writeFileSync(process.env.TMPDIR + '/x', 'x'), fs.readFileSync(process.env.TMPDIR + '/x', 'utf8')),
  fsyncScratch: () => { const fd = fs.openSync(process.env.TMPDIR + '/y', 'a'); fs.writeSync(fd, 'y'); fs.fsyncSync(fd); fs.closeSync(fd); return 'synced'; },
  loadPackage: async () => typeof (await import('hono')).Hono,
  readSolution: () => fs.readFileSync(solution, 'utf8').length,
  existsSolution: () => fs.existsSync(solution),
  writeCopy: () => fs.writeFileSync('probe.ts', ''),
  writeCourse: () => fs.writeFileSync(${JSON.stringify(join(repoRoot, 'sandbox-was-here'))}, 'x'),
  childProcess: () => execFileSync('/bin/true'),
  signalSelf: () => process.kill(process.pid, 0),
  signalParent: () => process.kill(process.ppid, 0),
  signalRaw: () => process._kill(process.ppid, 0),
  undoShim: () => { process.kill = () => true; return process.kill(1, 0); },
  sqliteScratch: () => { const db = new DatabaseSync(process.env.TMPDIR + '/shop.sqlite'); db.exec('CREATE TABLE t (a)'); return db.prepare('SELECT count(*) AS n FROM t').get().n; },
  sqliteCourse: () => new DatabaseSync(${JSON.stringify(join(repoRoot, 'sandbox-was-here.db'))}),
  sqliteAttach: () => new DatabaseSync(':memory:').exec("ATTACH DATABASE " + ${JSON.stringify(`'${join(repoRoot, 'sandbox-was-here.db')}'`)} + " AS elsewhere"),
  sqliteVacuumInto: () => { const db = new DatabaseSync(':memory:'); db.setAuthorizer(() => 0); db.exec("VACUUM INTO " + ${JSON.stringify(`'${join(repoRoot, 'sandbox-was-here.db')}'`)}); },
};
const result = {};
for (const [name, attempt] of Object.entries(tries)) {
  try { const v = await attempt(); result[name] = 'ok:' + String(v); } catch (e) { result[name] = 'denied:' + (e.code ?? e.message); }
}
console.log(JSON.stringify(result));
`;

describe('the copy', () => {
  test('holds the submission without symbolic links, node_modules or .git, and links the course node_modules', () => {
    const src = mkdtempSync(join(work, 'sub-'));
    writeFileSync(join(src, 'main.ts'), 'console.log(1)');
    mkdirSync(join(src, 'lib'));
    writeFileSync(join(src, 'lib', 'util.ts'), 'export {}');
    mkdirSync(join(src, 'node_modules', 'evil'), { recursive: true });
    mkdirSync(join(src, '.git'));
    symlinkSync(join(repoRoot, 'labs/00-warmup/solution/main.ts'), join(src, 'solution.ts'));
    const { spec, skipped } = prepareSandbox(src, {
      layers: ['permission'],
      memoryBytes: 1024 ** 3,
      scratchBytes: 1024 ** 2,
    });
    made.push(spec);
    expect(existsSync(join(spec.appDir, 'main.ts'))).toBe(true);
    expect(existsSync(join(spec.appDir, 'lib', 'util.ts'))).toBe(true);
    expect(existsSync(join(spec.appDir, 'solution.ts'))).toBe(false);
    expect(existsSync(join(spec.appDir, '.git'))).toBe(false);
    expect(readlinkSync(join(spec.appDir, 'node_modules'))).toBe(courseNodeModules);
    expect(skipped).toEqual(['solution.ts is a symbolic link and was not copied']);
    expect(spec.root.startsWith(repoRoot)).toBe(false);
    expect(JSON.parse(readFileSync(join(spec.root, 'package.json'), 'utf8')).type).toBe('module');
  });
});

describe.each([[['permission']], [['permission', 'namespace']]] as [IsolationLayer[]][])('layers %j', (layers) => {
  test('the app reads its own files and packages, writes and fsyncs its scratch folder, and nothing else', () => {
    const r = probe(layers, ATTEMPTS);
    expect(r).toMatchObject({
      readOwn: 'ok:true',
      writeScratch: 'ok:x',
      fsyncScratch: 'ok:synced',
      loadPackage: 'ok:function',
    });
    expect(r.readSolution).toMatch(/^denied:/);
    // A path the app may not read does not exist for it (libraries probe with existsSync; Node 24 would throw).
    expect(r.existsSolution).toBe('ok:false');
    expect(r.writeCopy).toMatch(/^denied:/);
    expect(r.writeCourse).toMatch(/^denied:/);
    expect(r.childProcess).toMatch(/^denied:/);
    // Signals: only to itself (the permission model has no rule for them; the sandbox's preload adds one).
    expect(r.signalSelf).toBe('ok:true');
    expect(r.signalParent).toBe('denied:ERR_ACCESS_DENIED');
    expect(r.signalRaw).toBe('ok:-1');
    expect(r.undoShim).toMatch(/^denied:/);
    expect(existsSync(join(repoRoot, 'sandbox-was-here'))).toBe(false);
    // node:sqlite's own file I/O escapes the permission model; the preload keeps databases in the scratch folder.
    expect(r.sqliteScratch).toBe('ok:0');
    expect(r.sqliteCourse).toBe('denied:ERR_ACCESS_DENIED');
    expect(r.sqliteAttach).toBe('denied:ERR_SQLITE_ERROR');
    expect(r.sqliteVacuumInto).toBe('denied:ERR_SQLITE_ERROR');
    expect(existsSync(join(repoRoot, 'sandbox-was-here.db'))).toBe(false);
  });

  test('a suite runs to its end: its exit code, its output, and a stop at its time limit', async () => {
    const spec = sandboxWith(
      {
        'suite.ts': `import { writeFileSync } from 'node:fs';
writeFileSync(process.env.OUTPUT_DIR + '/result.txt', 'written');
console.log('1 passed, 1 failed');
process.exitCode = Number(process.env.EXIT_CODE);
if (process.env.HANG) setInterval(() => {}, 1000);`,
      },
      layers,
    );
    const run = (env: Record<string, string>, timeoutMs = 15_000) =>
      AppProcess.runToEnd({
        dir: spec.appDir,
        entry: 'suite.ts',
        env: { OUTPUT_DIR: spec.scratchDir, ...env },
        timeoutMs,
        outputBytes: 65536,
        runId: `sbx-suite-${layers.length}-${process.pid}`,
        sandbox: spec,
      });
    const failed = await run({ EXIT_CODE: '1' });
    expect(failed).toMatchObject({ code: 1, timedOut: false });
    expect(failed.output).toContain('1 passed, 1 failed');
    expect(readFileSync(join(spec.scratchDir, 'result.txt'), 'utf8')).toBe('written');
    expect(await run({ EXIT_CODE: '0' })).toMatchObject({ code: 0, timedOut: false });
    const hung = await run({ EXIT_CODE: '0', HANG: '1' }, 1500);
    expect(hung).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
  });

  test("an addon grant loads the course's installed addons, never one the app wrote into its scratch folder", () => {
    // Pact's core, as npm installed it for this platform (@pact-foundation/pact-core-<os>-<arch>…).
    const scope = join(courseNodeModules, '@pact-foundation');
    const platform = readdirSync(scope).find((d) => d.startsWith('pact-core-'))!;
    const prebuilds = join(scope, platform, 'prebuilds');
    const addon = join(prebuilds, readdirSync(prebuilds)[0]!, 'node.napi.node');
    const tries = `
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const result = {};
const attempt = (name, fn) => { try { result[name] = 'ok:' + typeof fn(); } catch (e) { result[name] = 'denied:' + (e.code ?? e.message); } };
attempt('course', () => require(${JSON.stringify(addon)}));
fs.copyFileSync(${JSON.stringify(addon)}, process.env.TMPDIR + '/own.node');
attempt('scratch', () => require(process.env.TMPDIR + '/own.node'));
attempt('dlopen', () => process.dlopen({ exports: {} }, process.env.TMPDIR + '/own.node'));
attempt('undo', () => { process.dlopen = () => 1; return process.dlopen(); });
console.log(JSON.stringify(result));
`;
    const r = probe(layers, tries, { addons: 'the test loads a native addon' });
    expect(r.course).toBe('ok:object');
    expect(r.scratch).toBe('denied:ERR_ACCESS_DENIED');
    expect(r.dlopen).toBe('denied:ERR_ACCESS_DENIED');
    expect(r.undo).toMatch(/^denied:/);
  });

  test('a lab grant opens child processes, with nothing else opened', () => {
    const r = probe(layers, ATTEMPTS, { childProcess: 'this lab runs a helper program' });
    expect(r.childProcess).toBe('ok:');
    expect(r.readSolution).toMatch(/^denied:/);
  });

  test('children a granted app leaves behind, even in their own session, are gone when it stops', async () => {
    const spec = sandboxWith(
      {
        'main.ts': `import { spawn } from 'node:child_process';
const forever = ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'];
spawn(process.execPath, forever, { stdio: 'ignore' });
spawn(process.execPath, forever, { stdio: 'ignore', detached: true }).unref();
setInterval(() => {}, 1000);
setTimeout(() => console.log('ready'), 300);`,
      },
      layers,
      { childProcess: 'the test needs children to clean up' },
    );
    const runId = `sbx-test-${layers.length}-${process.pid}`;
    const app = await AppProcess.start({
      dir: spec.appDir,
      entry: 'main.ts',
      port: 1,
      env: {},
      ready: { log: 'ready' },
      startMs: 15_000,
      outputBytes: 65536,
      runId,
      sandbox: spec,
    });
    expect(countMarked(runId)).toBeGreaterThanOrEqual(3);
    await app.stop(500);
    await new Promise((r) => setTimeout(r, 300));
    expect(countMarked(runId)).toBe(0);
  });
});

/** Live processes carrying the harness's mark for one run. */
function countMarked(runId: string): number {
  let n = 0;
  for (const file of listEnvirons()) {
    try {
      if (
        readFileSync(file, 'latin1')
          .split('\0')
          .some((v) => v.startsWith(`LAB_APP_RUN=${runId}:`))
      )
        n++;
    } catch {
      /* gone */
    }
  }
  return n;
}
function listEnvirons(): string[] {
  return spawnSync('sh', ['-c', 'ls -d /proc/[0-9]*/environ'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
}

describe('the network between submissions', () => {
  test("an app may not connect to another graded app's port, under either layer; without the guard it could", async () => {
    const { createServer } = await import('node:http');
    const { registerAppPort, appPortsDir } = await import('../../cli/harness/sandbox/index.ts');
    const neighbour = createServer((_req, res) => res.end('neighbour'));
    const other = createServer((_req, res) => res.end('mock'));
    await new Promise<void>((r) => neighbour.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (s: typeof neighbour) => (s.address() as { port: number }).port;
    const forget = registerAppPort(port(neighbour));
    try {
      const code = `
        const tryFetch = async (p) => { try { return 'ok:' + (await (await fetch('http://127.0.0.1:' + p + '/')).text()); } catch (e) { return 'denied:' + (e.cause?.code ?? e.code); } };
        const viaHttp = (p, host) => new Promise((resolve) => {
          import('node:http').then(({ get }) => get({ host, port: p, path: '/' }, (res) => { res.resume(); resolve('ok'); }).on('error', (e) => resolve('denied:' + e.code)));
        });
        console.log(JSON.stringify({
          neighbour: await tryFetch(${port(neighbour)}),
          neighbourByName: await viaHttp(${port(neighbour)}, 'localhost'),
          other: await tryFetch(${port(other)}),
        }));`;
      for (const layers of [['permission'], ['permission', 'namespace']] as IsolationLayer[][]) {
        const spec = sandboxWith({ 'probe.mjs': code }, layers);
        const { file, args } = sandboxedCommand(spec, join(spec.appDir, 'probe.mjs'), []);
        const env = {
          PATH: process.env.PATH,
          TMPDIR: spec.scratchDir,
          HOME: spec.scratchDir,
          PORT: '1',
          LAB_APP_PORTS: appPortsDir(),
        };
        // Run asynchronously: the servers in this process must be able to answer meanwhile.
        const { execa } = await import('execa');
        const go = async (e: Record<string, string | undefined>) => {
          const out = await execa(file, args, {
            cwd: spec.appDir,
            env: e,
            extendEnv: false,
            reject: false,
            timeout: 20_000,
          });
          expect(out.exitCode, out.stderr).toBe(0);
          return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as Record<string, string>;
        };
        const guarded = await go(env);
        expect(guarded, layers.join('+')).toEqual({
          neighbour: 'denied:ECONNREFUSED',
          neighbourByName: 'denied:ECONNREFUSED',
          other: 'ok:mock',
        });
        // The same app without the grader's list: the connection goes through (the guard is what stops it).
        const unguarded = await go({ ...env, LAB_APP_PORTS: undefined });
        expect(unguarded.neighbour).toBe('ok:neighbour');
      }
    } finally {
      forget();
      neighbour.close();
      other.close();
    }
  });
});

describe('choosing layers', () => {
  test('auto uses namespaces where bubblewrap runs; permission never does; strict refuses without them', () => {
    expect(chooseLayers('permission')).toEqual(['permission']);
    const ns = namespaceSupport();
    expect(chooseLayers('auto')).toEqual(ns.ok ? ['permission', 'namespace'] : ['permission']);
    if (ns.ok) expect(chooseLayers('strict')).toEqual(['permission', 'namespace']);
    else expect(() => chooseLayers('strict')).toThrow(IsolationError);
    // A lab whose app loads native code: auto without namespaces refuses (the permission model does not hold native
    // code) and says how to go on; with namespaces, or with --isolation permission chosen on purpose, it grades.
    const none = { ok: false, why: 'bubblewrap (bwrap) is not installed' };
    expect(() => chooseLayers('auto', { nativeCode: true }, none)).toThrow(/grants\.addons.*--isolation permission/);
    expect(chooseLayers('auto', { nativeCode: false }, none)).toEqual(['permission']);
    expect(chooseLayers('auto', { nativeCode: true }, { ok: true, why: '' })).toEqual(['permission', 'namespace']);
    expect(chooseLayers('permission', { nativeCode: true })).toEqual(['permission']);
  });

  test('this machine has the namespace layer (CI installs bubblewrap; both layers are proven here)', () => {
    expect(namespaceSupport()).toEqual({ ok: true, why: 'bubblewrap namespaces' });
  });
});

describe('without bubblewrap on the PATH', () => {
  const nodeOnly = { PATH: join(process.execPath, '..'), NO_COLOR: '1', HOME: process.env.HOME ?? '/root' };

  test('lab grade --isolation strict refuses to grade, naming the command that gets namespaces', () => {
    const klass = mkdtempSync(join(work, 'class-'));
    mkdirSync(join(klass, 'ada'));
    writeFileSync(join(klass, 'ada', 'main.ts'), '');
    const out = spawnSync(
      process.execPath,
      [join(repoRoot, 'cli/main.ts'), 'grade', '00', '--submissions', klass, '--isolation', 'strict'],
      { encoding: 'utf8', env: nodeOnly, timeout: 30_000 },
    );
    expect(out.status).not.toBe(0);
    expect(out.stdout + out.stderr).toContain(
      '--isolation strict needs the namespace layer, but bubblewrap (bwrap) is not installed',
    );
    expect(out.stdout + out.stderr).toContain('apt-get install bubblewrap');
  });
});
