import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { mockAccessLines, recordMockAccess } from '../mock-access.ts';
import { bold, dim, fail, portOption } from '../ui.ts';

/** The VitePress project (site/.vitepress/config.ts); its srcDir is the repo root, so lessons and labs live-reload. */
const siteRoot = fileURLToPath(new URL('../../site', import.meta.url));

type Closer = () => Promise<void>;

/** `lab serve` (what `npm start` runs): the course site, plus the mock servers once they exist. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the course site (and the mock servers) for students')
    .option('--port <port>', 'site port', portOption(), 5173)
    .action(async (opts: { port: number }) => {
      const port = opts.port;
      const closers: Closer[] = [];

      // The mock servers, on their usual ports, so students can open their inspectors while they read; each one's
      // control token is printed and kept for `lab start` (cli/mock-access.ts).
      const { DEFAULT_PORTS, MOCK_NAMES, startMock } = await import('../../mock-servers/index.ts');
      for (const name of MOCK_NAMES) {
        try {
          const mock = await startMock(name, { port: DEFAULT_PORTS[name] });
          const forget = recordMockAccess(mock);
          closers.push(async () => {
            forget();
            await mock.close();
          });
          console.log(`${bold(`mock ${name}`.padEnd(14))} ${mock.url}`);
          for (const line of await mockAccessLines(mock)) console.log(line);
        } catch (err) {
          // A busy port should not keep students from the lessons: say so and go on without that mock.
          console.log(dim(`mock ${name}: not started (${err instanceof Error ? err.message : String(err)})`));
        }
      }

      try {
        closers.push(await startSite(port));
      } catch (err) {
        // Most often a lesson's front matter or the site config is broken; the message names the file.
        fail(`the course site did not start: ${err instanceof Error ? err.message : String(err)}`);
      }
      console.log(dim('Press Ctrl-C to stop.'));

      let stopping = false;
      const stop = async (signal: NodeJS.Signals) => {
        if (stopping) return; // a second Ctrl-C while closing: let the first one finish
        stopping = true;
        console.log(dim(`\n${signal}: stopping…`));
        const results = await Promise.allSettled(closers.reverse().map((close) => close()));
        const failed = results.filter((r) => r.status === 'rejected');
        for (const r of failed) console.error(r.reason);
        process.exit(failed.length > 0 ? 1 : 0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

/** Start the VitePress dev server; returns how to stop whichever instance is current. */
async function startSite(port: number): Promise<Closer> {
  // Imported here, not at the top: the other `lab` commands should not pay for loading Vite.
  const { createServer } = await import('vitepress');
  type DevServer = Awaited<ReturnType<typeof createServer>>;
  let current: DevServer | undefined;
  let restarting: Promise<void> | undefined;

  // Editing site/.vitepress/config.ts asks VitePress for a fresh server (what `vitepress dev` does too); the new one
  // takes the port the old one freed.
  const start = async (isRestart: boolean): Promise<void> => {
    // Loopback only, and an address rather than `localhost`, which may resolve to ::1 on one machine and 127.0.0.1
    // on the next; browsers asked for http://localhost:5173/ still find it.
    const server: DevServer = await createServer(siteRoot, { port, host: '127.0.0.1' }, () => {
      restarting ??= (async () => {
        await server.close();
        await start(true);
      })().finally(() => {
        restarting = undefined;
      });
      return restarting;
    });
    await server.listen(undefined, isRestart);
    current = server;
    // Vite takes the next free port when `port` is busy, so print the one it really got.
    const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
    console.log(`${bold('Integration Lab')} course site: ${url}${isRestart ? dim(' (restarted)') : ''}`);
  };

  await start(false);
  return async () => {
    await restarting;
    await current?.close();
  };
}
