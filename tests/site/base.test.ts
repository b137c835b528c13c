// SITE_BASE: a malformed value is refused clearly, before anything is built. (That the site works under a base is
// proven by site.test.ts, which builds it under /integration-lab/.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { repoRoot } from './harness.ts';

test('a SITE_BASE that is not a URL path is refused with a message naming it', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'lab-site-base-'));
  try {
    const result = await execa(process.execPath, [join(repoRoot, 'site/.vitepress/build.ts'), join(outDir, 'never')], {
      cwd: repoRoot,
      env: { SITE_BASE: 'my site?' },
      reject: false,
      all: true,
      timeout: 120_000,
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toContain('SITE_BASE="my site?" is not a URL path');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
