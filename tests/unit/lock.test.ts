import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../cli/paths.ts';

// The lock must serve every platform: `npm ci` on macOS, Windows or an ARM laptop refuses a lock that lacks their
// optional packages (e.g. @rollup/rollup-darwin-arm64), and a student's first `npm install` would rewrite it.
interface LockEntry {
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
}
const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const work = mkdtempSync(join(tmpdir(), 'lock-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Where npm would look for `name` from the package at `from` (its own node_modules, then each parent's). */
function resolved(from: string, name: string): boolean {
  let base = from;
  for (;;) {
    if (lock.packages[`${base ? `${base}/` : ''}node_modules/${name}`]) return true;
    if (!base) return false;
    const at = base.lastIndexOf('node_modules/');
    base = at <= 0 ? '' : base.slice(0, at - 1);
  }
}

describe('package-lock.json', () => {
  test('lists every optional dependency of every package, for every platform', () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {}))
        if (!resolved(path, name)) missing.push(`${path || '(root)'} → ${name}`);
    }
    expect(missing).toEqual([]);
    // Not only this machine's: packages built for other systems are in it.
    const platforms = new Set(Object.values(lock.packages).flatMap((e) => e.os ?? []));
    for (const os of ['darwin', 'win32', 'linux']) expect(platforms, os).toContain(os);
  });

  test('npm install leaves it as it is (a fresh clone stays clean)', { timeout: 120_000 }, () => {
    for (const file of ['package.json', 'package-lock.json', '.npmrc'])
      copyFileSync(join(repoRoot, file), join(work, file));
    execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: work,
      stdio: 'pipe',
      timeout: 110_000,
    });
    expect(readFileSync(join(work, 'package-lock.json'), 'utf8')).toBe(
      readFileSync(join(repoRoot, 'package-lock.json'), 'utf8'),
    );
  });
});
