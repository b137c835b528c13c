// Build the site into a given folder with a private scratch folder:
//   node site/.vitepress/build.ts <outDir>
// `vitepress build` always bundles through site/.vitepress/.temp and deletes it at the end, so two builds at once in
// one working tree (a test run next to `npm run site:build`, or the benchmark) break each other. The tests and the
// benchmark build through this script instead. SITE_BASE works as with `npm run site:build`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vitepress';

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node site/.vitepress/build.ts <outDir>');
  process.exit(2);
}
const siteRoot = fileURLToPath(new URL('..', import.meta.url));
// Inside node_modules/ (ignored by git) rather than /tmp: the server bundle written there imports `vue` and friends,
// which Node finds by walking up to the repo's node_modules.
const scratchParent = fileURLToPath(new URL('../../node_modules/.cache/vitepress-build/', import.meta.url));
mkdirSync(scratchParent, { recursive: true });
const scratch = mkdtempSync(join(scratchParent, 'temp-'));
try {
  await build(siteRoot, {
    outDir: resolve(outDir),
    onAfterConfigResolve(config) {
      config.tempDir = scratch;
    },
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
// Vite can leave handles open after a build; the CLI exits explicitly too.
process.exit(0);
