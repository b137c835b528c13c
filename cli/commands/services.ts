import Table from 'cli-table3';
import { ServiceError, resolveServiceNames, serviceDown, serviceStatus, serviceUp } from '../services/index.ts';
import { bad, dim, ok } from '../ui.ts';

function parseNames(args: string[]) {
  try {
    return resolveServiceNames(args);
  } catch (error) {
    process.stderr.write(`${bad('error:')} ${(error as Error).message}\n`);
    process.exit(2);
  }
}

export async function servicesUpCommand(args: string[], opts: { timeout: number }): Promise<void> {
  const names = parseNames(args);
  let failed = 0;
  for (const name of names) {
    try {
      const report = await serviceUp(name, {
        timeoutMs: opts.timeout * 1000,
        log: (line) => console.log(dim(`  ${line}`)),
      });
      console.log(`${ok()} ${report.detail} ${dim(`(${(report.ms / 1000).toFixed(1)} s)`)}`);
    } catch (error) {
      failed++;
      const message = error instanceof ServiceError ? error.message : String(error);
      console.error(`${bad()} ${name}: ${message}`);
    }
  }
  if (failed) process.exitCode = 1;
}

export async function servicesDownCommand(args: string[]): Promise<void> {
  for (const name of parseNames(args)) {
    const report = await serviceDown(name);
    console.log(`${report.result === 'stopped' ? ok() : dim('-')} ${report.detail}`);
  }
}

export async function servicesStatusCommand(args: string[]): Promise<void> {
  const names = parseNames(args);
  const table = new Table({ head: ['service', 'state', 'managed by', 'detail'], style: { head: [], border: [] } });
  let down = 0;
  for (const name of names) {
    const s = await serviceStatus(name);
    if (!s.ready) down++;
    table.push([name, s.ready ? ok('✓ up') : bad('✗ down'), s.managedBy, s.detail]);
  }
  console.log(table.toString());
  if (down) {
    console.log(`Start what is down with: npm run lab -- services up`);
    process.exitCode = 1;
  }
}
