import { createInterface } from 'node:readline';
import { portFree } from '../harness/ports.ts';
import { InvalidArgumentError, type Command } from 'commander';
import { labEnvironment } from '../harness/environment.ts';
import type { MockName } from '../harness/types.ts';
import { harnessSentence } from '../harness/explain.ts';
import { displayStream, quietExcerpt } from '../harness/noise.ts';
import { AppProcess, AppStartError } from '../harness/target.ts';
import { chooseLang, explainMessages, messages, type Lang, type Messages } from '../lang.ts';
import { mockAccessLines, readMockAccess, recordMockAccess } from '../mock-access.ts';
import { bold, dim, fail, ok, portOption } from '../ui.ts';
import { lab, servicesFor, targetFolder } from './labs.ts';

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
async function mockForLab(name: MockName, say: Messages): Promise<LabMock> {
  const { DEFAULT_PORTS, controlFetch } = await import('../../mock-servers/index.ts');
  const port = DEFAULT_PORTS[name];
  try {
    return await startRecordedMock(name, port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
  }
  const access = readMockAccess(name, port);
  const res =
    access &&
    (await controlFetch(access, '/_control/secrets', { signal: AbortSignal.timeout(2000) }).catch(() => undefined));
  if (access && res?.ok) {
    console.log(dim(`  ${say.mockReused(name, access.url)}`));
    return {
      url: access.url,
      controlToken: access.controlToken,
      secrets: (await res.json()) as Record<string, unknown>,
      close: async () => {},
    };
  }
  await res?.body?.cancel();
  console.log(dim(`  ${say.mockMoved(port, name)}`));
  return startRecordedMock(name, 0);
}

/** `--env KEY=VALUE` (repeatable) into an object; a value may contain `=`. */
function collectEnv(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value.slice(0, at)))
    throw new InvalidArgumentError(`write it as NAME=value, got "${value}"`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/**
 * Why the app did not start, for the terminal: the harness's sentence in `lang` (explain.ts), then the app's last
 * output (without library chatter unless `verbose`).
 */
function startFailure(error: Error, verbose: boolean, lang: Lang): string {
  const text = verbose ? error.message : quietExcerpt(error.message);
  if (lang === 'en') return text;
  const sentence = harnessSentence(error.message, explainMessages(lang));
  if (!sentence) return text;
  const output = text.split('\n').filter((line) => line.startsWith('  | '));
  return [sentence, ...(output.length ? [messages(lang).lastOutput, ...output] : [])].join('\n');
}

/** `lab start NN`: the brokers and mocks a lab needs, then the student's app (or the solution), with live output. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .argument('<lab>', 'lab number or id, e.g. 01')
    .option('--solution', "run the lab's reference solution instead of your starter/")
    .option('--dir <folder>', 'run another folder')
    .option('--port <port>', 'port for the app', portOption(), 3000)
    .option(
      '--env <KEY=VALUE>',
      "extra environment for the app, over the lab's; repeat it for more (e.g. --env SEND_DELAY_MS=1000)",
      collectEnv,
      {},
    )
    .option('--verbose', "show all of the app's output, including Kafka client messages that need no action")
    .description('start a lab: services, mock servers and your app, and print their URLs')
    .action(
      async (
        ref: string,
        opts: { solution?: boolean; dir?: string; port: number; env: Record<string, string>; verbose?: boolean },
      ) => {
        const { lang } = chooseLang();
        const say = messages(lang);
        const spec = lab(ref, lang);
        if (spec.kind === 'suite') fail(say.suiteNotStarted(spec.id, spec.entry), 1, say.error);
        const dir = targetFolder(spec, opts, lang);
        const port = opts.port;
        if (!(await portFree(port))) fail(say.portTaken(port), 1, say.error);
        await servicesFor(spec, lang);
        const mocks: Record<string, LabMock> = {};
        for (const name of spec.mocks) {
          try {
            mocks[name] = await mockForLab(name, say);
          } catch (error) {
            fail(say.mockFailed(name, (error as Error).message), 1, say.error);
          }
        }
        const closeMocks = async () => {
          for (const m of Object.values(mocks)) await m.close();
        };
        const screen = displayStream((text) => process.stdout.write(dim(text)), {
          onFirstHidden: () => console.log(dim(`  ${say.chatterHidden}`)),
        });
        let app: AppProcess;
        try {
          app = await AppProcess.start({
            dir,
            entry: spec.entry,
            port,
            env: { ...labEnvironment(spec, { port, prefix: `lab-${spec.id}-dev`, mocks }), ...opts.env },
            ready: spec.ready,
            startMs: spec.limits.startMs,
            outputBytes: 64 * 1024 * 1024,
            runId: `start-${spec.id}-${process.pid}`,
            onOutput: (chunk) => (opts.verbose ? process.stdout.write(dim(chunk.toString())) : screen.push(chunk)),
          });
        } catch (error) {
          await closeMocks();
          screen.flush();
          if (!(error instanceof AppStartError)) fail(String(error), 1, say.error);
          fail(startFailure(error, opts.verbose === true, lang), 1, say.error);
        }
        console.log(`\n${ok('✓')} ${bold(`Lab ${spec.id} — ${spec.title}`)}`);
        console.log(`  ${say.appLabel.padEnd(11)} http://localhost:${port}   ${dim(say.appLine(dir, app.pid))}`);
        for (const [name, m] of Object.entries(mocks)) {
          console.log(`  mock ${name.padEnd(8)} ${m.url}`);
          for (const line of await mockAccessLines({ name, ...m })) console.log(`  ${line}`);
        }
        console.log(dim(`\n  ${say.stopHint(spec.id.slice(0, 2))}`));
        const shutdown = async () => {
          await app.stop();
          await closeMocks();
          process.exit(0);
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
        // When the app stops (a crash, a kill -9 in a crash exercise), the mocks and brokers keep running with what
        // they hold — pending webhook retries, queued jobs — and Enter starts the app again on the same port.
        let restarting = false;
        const lines = createInterface({ input: process.stdin });
        lines.on('line', async () => {
          if (app.running || restarting) return;
          restarting = true;
          try {
            await app.restart();
            console.log(`${ok('✓')} ${say.runsAgain(`http://localhost:${port}`)} ${dim(`(pid ${app.pid})`)}`);
          } catch (error) {
            screen.flush();
            console.error(say.notAgain(startFailure(error as Error, opts.verbose === true, lang)));
            console.error(say.fixAndEnter);
          } finally {
            restarting = false;
            watchApp();
          }
        });
        let stdinOpen = true;
        lines.on('close', () => {
          stdinOpen = false;
        });
        let watcher: NodeJS.Timeout | undefined;
        const watchApp = () => {
          clearInterval(watcher);
          watcher = setInterval(() => {
            if (app.running || restarting) return;
            clearInterval(watcher);
            screen.flush();
            const exit = app.exitInfo;
            const how = exit?.signal ?? say.exitCode(exit?.code);
            if (!stdinOpen) {
              // No keyboard to press Enter on (started in the background): stop everything, as a crash would.
              console.error(`\n${say.stoppedNoKeyboard(how)}`);
              void closeMocks().then(() => process.exit(1));
              return;
            }
            console.error(`\n${say.stopped(how)}`);
            console.error(say.pressEnter);
          }, 250);
        };
        watchApp();
      },
    );
}
