import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { mockAccessLines, recordMockAccess } from '../mock-access.ts';
import { bold, dim, fail, portOption } from '../ui.ts';

interface MockCliOptions {
  port?: number;
  host: string;
  timeScale: number;
  seed?: string;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

/** `lab mock <name>`: run one mock vendor server (Stripe, GitHub, OAuth2, carriers) until Ctrl-C. */
export function registerMock(program: Command): void {
  program
    .command('mock')
    .argument('<name>', 'stripe, github, oauth or carriers')
    .description('run one mock vendor server and print its URL, inspector, control token and secrets')
    .addOption(
      new Option(
        '--port <port>',
        "port to listen on (default: the mock's own, e.g. stripe 12111; 0 = any free port)",
      ).argParser(portOption(0)),
    )
    .addOption(new Option('--host <host>', 'address to bind').default('127.0.0.1'))
    .addOption(
      new Option(
        '--time-scale <factor>',
        'multiply real-world delays (0.001 turns a 3-day retry schedule into about 4 minutes)',
      )
        .default(1)
        .argParser(positiveNumber),
    )
    .addOption(new Option('--seed <text>', 'repeatable ids and secrets'))
    .action(async (name: string, opts: MockCliOptions) => {
      const { DEFAULT_PORTS, MOCK_NAMES, isMockName, startMock } = await import('../../mock-servers/index.ts');
      if (!isMockName(name)) {
        fail(`unknown mock "${name}". Known mocks: ${MOCK_NAMES.join(', ')}`, 2);
      }
      let started;
      try {
        started = await startMock(name, {
          port: opts.port ?? DEFAULT_PORTS[name],
          host: opts.host,
          timeScale: opts.timeScale,
          ...(opts.seed === undefined ? {} : { seed: opts.seed }),
        });
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        const hint =
          e.code === 'EADDRINUSE' ? ` (port taken: pick another with --port, or --port 0 for any free one)` : '';
        fail(`could not start the ${name} mock: ${e.message}${hint}`);
      }
      const forget = recordMockAccess(started);
      console.log(`${bold(`${name} mock`)} listening on ${started.url}`);
      for (const line of await mockAccessLines(started)) console.log(line);
      if (opts.timeScale !== 1) console.log(`  time scale   ${opts.timeScale}`);
      console.log('  secrets:');
      for (const [key, value] of Object.entries(started.secrets)) {
        console.log(`    ${key.padEnd(16)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      }
      console.log(dim('Press Ctrl-C to stop.'));
      const stop = async () => {
        forget();
        await started.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
