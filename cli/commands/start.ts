import { join } from 'node:path';
import type { Command } from 'commander';
import { labEnvironment } from '../harness/environment.ts';
import type { MockName } from '../harness/types.ts';
import { displayStream, quietExcerpt } from '../harness/noise.ts';
import { AppProcess, AppStartError } from '../harness/target.ts';
import { mockAccessLines, readMockAccess, recordMockAccess } from '../mock-access.ts';
import { bold, dim, fail, ok } from '../ui.ts';
import { lab, servicesFor } from './labs.ts';

interface LabMock {
  url: string;
  controlToken: string;
  secrets: Record<string, unknown>;
  close(): Promise<void>;
}

/** Start a mock and keep its control token where the next `lab start` finds it. */
async function startRecordedMock(name: MockName, port: number): Promise<LabMock> {
  const { startMock } = await import('../../mock-servers/index.ts');
  const started = await startMock(name, { port });
  const forget = recordMockAccess(started);
  return {
    url: started.url,
    controlToken: started.controlToken,
    get secrets() {
      return started.secrets;
    },
    close: async () => {
      forget();
      await started.close();
    },
  };
}

/**
 * The mock on its usual port. When that port is taken by the same mock (a running `npm start` or `lab mock`), use
 * that one, with the control token it recorded and its secrets from its control API; when something else holds it,
 * start ours on a free port.
 */
async function mockForLab(name: MockName): Promise<LabMock> {
  const { DEFAULT_PORTS, controlFetch } = await import('../../mock-servers/index.ts');
  const port = DEFAULT_PORTS[name];
  try {
    return await startRecordedMock(name, port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
  }
  const access = readMockAccess(name, port);
  const res = access && (await controlFetch(access, '/_control/secrets', { signal: AbortSignal.timeout(2000) }).catch(() => undefined));
  if (access && res?.ok) {
    console.log(dim(`  using the ${name} mock that already runs at ${access.url}`));
    return { url: access.url, controlToken: access.controlToken, secrets: (await res.json()) as Record<string, unknown>, close: async () => {} };
  }
  await res?.body?.cancel();
  console.log(dim(`  port ${port} is taken by a program whose control token was not recorded here: the ${name} mock runs on a free port instead`));
  return startRecordedMock(name, 0);
}

/** `lab start NN`: the brokers and mocks a lab needs, then the student's app (or the solution), with live output. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .argument('<lab>', 'lab number or id, e.g. 01')
    .option('--solution', "run the lab's reference solution instead of your starter/")
    .option('--dir <folder>', 'run another folder')
    .option('--port <port>', 'port for the app', '3000')
    .option('--verbose', "show all of the app's output, including Kafka client messages that need no action")
    .description('start a lab: services, mock servers and your app, and print their URLs')
    .action(async (ref: string, opts: { solution?: boolean; dir?: string; port: string; verbose?: boolean }) => {
      const spec = lab(ref);
      await servicesFor(spec);
      const mocks: Record<string, LabMock> = {};
      for (const name of spec.mocks) {
        try {
          mocks[name] = await mockForLab(name);
        } catch (error) {
          fail(`could not start the ${name} mock: ${(error as Error).message}`);
        }
      }
      const port = Number(opts.port);
      const dir = opts.dir ? join(process.cwd(), opts.dir) : join(spec.dir, opts.solution ? 'solution' : 'starter');
      const screen = displayStream((text) => process.stdout.write(dim(text)), {
        onFirstHidden: () => console.log(dim('  (Kafka client chatter that needs no action is hidden: rebalances, retried broker answers; --verbose shows it)')),
      });
      let app: AppProcess;
      try {
        app = await AppProcess.start({
          dir,
          entry: spec.entry,
          port,
          env: labEnvironment(spec, { port, prefix: `lab-${spec.id}-dev`, mocks }),
          ready: spec.ready,
          startMs: spec.limits.startMs,
          outputBytes: 64 * 1024 * 1024,
          runId: `start-${spec.id}-${process.pid}`,
          onOutput: (chunk) => (opts.verbose ? process.stdout.write(dim(chunk.toString())) : screen.push(chunk)),
        });
      } catch (error) {
        for (const m of Object.values(mocks)) await m.close();
        screen.flush();
        if (!(error instanceof AppStartError)) fail(String(error));
        fail(opts.verbose ? error.message : quietExcerpt(error.message));
      }
      console.log(`\n${ok('✓')} ${bold(`Lab ${spec.id} — ${spec.title}`)}`);
      console.log(`  app:        http://localhost:${port}   ${dim(`(${dir})`)}`);
      for (const [name, m] of Object.entries(mocks)) {
        console.log(`  mock ${name.padEnd(8)} ${m.url}`);
        for (const line of await mockAccessLines({ name, ...m })) console.log(`  ${line}`);
      }
      console.log(dim('\n  Ctrl-C stops everything. In another terminal: npm run lab -- check ' + spec.id.slice(0, 2)));
      const shutdown = async () => {
        await app.stop();
        for (const m of Object.values(mocks)) await m.close();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      const watcher = setInterval(async () => {
        if (app.running) return;
        clearInterval(watcher);
        screen.flush();
        const exit = app.exitInfo;
        console.error(`\nThe app stopped (${exit?.signal ?? `exit code ${exit?.code}`}). Fix it and run lab start again.`);
        for (const m of Object.values(mocks)) await m.close();
        process.exit(1);
      }, 500);
    });
}
