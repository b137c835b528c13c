// Vitest global setup for tests that need real brokers: bring them up through the same code as
// `lab services up`, and stop afterwards only what this run started.
import { serviceDown, serviceUp, type ServiceName, type UpReport } from '../../cli/services/index.ts';

const NEEDED: ServiceName[] = ['rabbitmq', 'kafka'];

export default async function setup(): Promise<() => Promise<void>> {
  const started: UpReport[] = [];
  for (const name of NEEDED) {
    const report = await serviceUp(name, { timeoutMs: 120_000, log: (line) => console.log(`[services] ${line}`) });
    console.log(`[services] ${report.detail} (${(report.ms / 1000).toFixed(1)} s)`);
    if (report.via !== 'already-running') started.push(report);
  }
  return async () => {
    for (const report of started) {
      const down = await serviceDown(report.service);
      console.log(`[services] ${down.detail}`);
    }
  };
}
