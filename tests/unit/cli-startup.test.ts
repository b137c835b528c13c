import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from '../../cli/paths.ts';

// `lab --help` and `lab list` load only what they run: no broker client, mock server, test runner or report writer.
const HOOK =
  'data:text/javascript,const{registerHooks}=await import("node:module");registerHooks({load(u,c,n){if(u.startsWith("file:"))process.stderr.write("LOADED "+u+"\\n");return n(u,c)}})';

test.each([['--help'], ['list']])('lab %s loads no broker client, mock, test runner or grader', (command) => {
  const r = spawnSync(process.execPath, ['--import', HOOK, join(repoRoot, 'cli/main.ts'), command], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 30_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const loaded = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => l.slice('LOADED '.length));
  expect(loaded.length).toBeGreaterThan(5);
  // (The control token's helpers in mock-servers/shared and kafkajs's table of error codes are small and allowed.)
  const heavy = loaded.filter((u) =>
    /node_modules\/(amqplib|vitest|hono|fflate|fast-xml-parser|csv-stringify|cli-progress)\/|node_modules\/kafkajs\/(index|src\/index)\.js|\/mock-servers\/(?!shared\/)|\/harness\/(runner|grade|proof|reports|gradescope)\.ts/.test(
      u,
    ),
  );
  expect(heavy).toEqual([]);
});
