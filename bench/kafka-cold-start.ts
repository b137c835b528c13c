// Times a cold start of the local Kafka fallback (`lab services up kafka` without Docker), first with an empty jar
// cache (Maven fetches Kafka 3.9.1; from ~/.m2 when Maven has it already, else from Maven Central), then with the jars
// cached. Uses its own port (19092/19093) and temporary folders, so a running broker is not touched.
// Prints figures; asserts nothing.   Run: npm run bench:kafka-start [-- --runs 2]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalKafka, stopLocalKafka } from '../cli/services/kafka-local.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '2' }, port: { type: 'string', default: '19092' } },
});
const runs = Math.max(1, Math.min(5, Number(values.runs)));
const work = mkdtempSync(join(tmpdir(), 'lab-kafka-bench-'));
process.env.INTEGRATION_LAB_CACHE = join(work, 'cache');
process.env.INTEGRATION_LAB_STATE = join(work, 'state');
process.env.KAFKA_BROKERS = `127.0.0.1:${values.port}`;

async function timedStart(): Promise<{ ms: number; fetched: boolean }> {
  const t0 = performance.now();
  const { fetched } = await startLocalKafka({ timeoutMs: 120_000 });
  const ms = performance.now() - t0;
  await stopLocalKafka();
  // A fresh data folder each time, so every start formats storage like a first start does.
  rmSync(join(work, 'state'), { recursive: true, force: true });
  return { ms, fetched };
}

const rows: { case: string; run: number; seconds: string }[] = [];
try {
  for (let run = 1; run <= runs; run++) {
    rmSync(join(work, 'cache'), { recursive: true, force: true });
    const cold = await timedStart();
    rows.push({
      case: `jars not cached${cold.fetched ? ' (Maven fetch)' : ''}`,
      run,
      seconds: (cold.ms / 1000).toFixed(1),
    });
    const warm = await timedStart();
    rows.push({ case: 'jars cached', run, seconds: (warm.ms / 1000).toFixed(1) });
  }
} finally {
  await stopLocalKafka().catch(() => {});
  rmSync(work, { recursive: true, force: true });
}
console.log(`Kafka 3.9.1 cold start to first metadata answer (KRaft, single node, ${process.env.KAFKA_BROKERS}):`);
console.table(rows);
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const of = (prefix: string) => median(rows.filter((r) => r.case.startsWith(prefix)).map((r) => Number(r.seconds)));
console.log(`median: not cached ${of('jars not').toFixed(1)} s, cached ${of('jars cached').toFixed(1)} s`);
