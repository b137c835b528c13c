// Lab 08's bulk producer next to kcat: both produce the same number of order events (keyed, gzip, acks=all) to the
// same broker and topic layout (3 partitions); prints messages per second and the ratio. Prints figures; asserts
// nothing. The lab solution runs as the grader runs it: its own process, driven over HTTP (POST /load); its time is
// the one it reports for producing (start-up excluded), kcat's is the wall time of the process (start-up included).
// "in topic" counts what each run actually delivered.
//   Run: node bench/kafka-throughput.ts [--count 100000] [--runs 2]
// Needs a broker (npm run lab -- services up kafka) and kcat (Debian/Ubuntu: apt-get install kcat) for the comparison.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import '../cli/services/kafkajs-quirks.ts';
import { kafkaBrokers } from '../cli/services/config.ts';
import { freePort } from '../cli/harness/ports.ts';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '100000' }, runs: { type: 'string', default: '2' } },
});
const count = Math.max(1_000, Math.min(1_000_000, Number(values.count)));
const runs = Math.max(1, Math.min(5, Number(values.runs)));
const brokers = kafkaBrokers();
const kafka = new Kafka({ clientId: 'bench-kafka-throughput', brokers, logLevel: logLevel.NOTHING });
const work = mkdtempSync(join(tmpdir(), 'lab-kafka-throughput-'));
const topics: string[] = [];

async function createTopic(topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
    topics.push(topic);
  } finally {
    await admin.disconnect();
  }
}

/** How many messages a topic holds (sum of its partitions' end offsets): both producers must have delivered all. */
async function topicSize(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Start lab 08's solution, POST /load { count }, and return the time it reports (production only). */
async function solutionRun(): Promise<{ ms: number; topic: string }> {
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const port = await freePort();
  const entry = join(import.meta.dirname, '..', 'labs', '08-kafka-order-events', 'solution', 'main.ts');
  // kafkajs 2.2.4 trips Node's TimeoutNegativeWarning on every connection (harmless; see cli/services/kafkajs-quirks.ts).
  const app = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', entry], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PORT: String(port),
      NAME_PREFIX: prefix,
      KAFKA_BROKERS: brokers.join(','),
      PROJECTION_FILE: join(work, `${prefix}.jsonl`),
      // Park the app's own consumer on its first event, so that it does not compete with the producer for CPU.
      PROCESS_DELAY_MS: '600000',
    },
  });
  topics.push(`${prefix}.order-events`, `${prefix}.order-events.dlt`);
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || app.exitCode !== null)
        throw new Error('the lab 08 solution did not become ready within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const res = await fetch(`http://127.0.0.1:${port}/load`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count }),
      signal: AbortSignal.timeout(300_000),
    });
    const body = (await res.json()) as { ms?: number };
    if (!res.ok || typeof body.ms !== 'number')
      throw new Error(`POST /load answered ${res.status}: ${JSON.stringify(body)}`);
    return { ms: body.ms, topic: `${prefix}.order-events` };
  } finally {
    app.kill('SIGKILL');
  }
}

/** kcat producing the same events (key TAB value per line) with the same settings; wall time of the process. */
function kcatRun(file: string, topic: string): number {
  const t0 = performance.now();
  const result = spawnSync(
    'kcat',
    [
      '-P',
      '-b',
      brokers.join(','),
      '-t',
      topic,
      '-K',
      '\t',
      '-z',
      'gzip',
      '-X',
      'acks=all',
      '-X',
      'enable.idempotence=true',
      '-X',
      'partitioner=murmur2_random',
      '-l',
      file,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 },
  );
  const ms = performance.now() - t0;
  if (result.status !== 0)
    throw new Error(`kcat failed (${result.status}): ${result.stderr?.toString().slice(0, 500)}`);
  return ms;
}

function eventsFile(): string {
  const run = randomUUID().slice(0, 8);
  const types = ['order.created', 'order.paid', 'order.shipped'];
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const orderId = `bulk-${run}-${Math.floor(i / 3)}`;
    const type = types[i % 3]!;
    const event = {
      eventId: `${orderId}-${i % 3}`,
      orderId,
      type,
      amount: type === 'order.created' ? 10 : undefined,
      at: new Date().toISOString(),
    };
    lines.push(`${orderId}\t${JSON.stringify(event)}`);
  }
  const file = join(work, 'events.tsv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const hasKcat = spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
const rows: { producer: string; run: number; seconds: string; 'msgs/s': number; 'in topic': number }[] = [];
try {
  const file = hasKcat ? eventsFile() : '';
  for (let run = 1; run <= runs; run++) {
    const { ms, topic: solutionTopic } = await solutionRun();
    const delivered = await topicSize(solutionTopic);
    rows.push({
      producer: 'lab 08 solution (kafkajs)',
      run,
      seconds: (ms / 1000).toFixed(2),
      'msgs/s': Math.round((count / ms) * 1000),
      'in topic': delivered,
    });
    if (hasKcat) {
      const topic = `bench-kcat-${randomUUID().slice(0, 8)}`;
      await createTopic(topic);
      const kms = kcatRun(file, topic);
      rows.push({
        producer: 'kcat (librdkafka)',
        run,
        seconds: (kms / 1000).toFixed(2),
        'msgs/s': Math.round((count / kms) * 1000),
        'in topic': await topicSize(topic),
      });
    }
  }
} finally {
  const admin = kafka.admin();
  await admin
    .connect()
    .then(() => admin.deleteTopics({ topics, timeout: 10_000 }))
    .catch(() => {});
  await admin.disconnect().catch(() => {});
  rmSync(work, { recursive: true, force: true });
}

console.log(`${count} order events, keyed, gzip, acks=all, 3 partitions, broker ${brokers.join(',')}:`);
console.table(rows);
const best = (name: string) => Math.max(0, ...rows.filter((r) => r.producer.startsWith(name)).map((r) => r['msgs/s']));
if (hasKcat) {
  console.log(
    `best: solution ${best('lab 08')} msgs/s, kcat ${best('kcat')} msgs/s; solution/kcat = ${(best('lab 08') / best('kcat')).toFixed(2)}`,
  );
} else {
  console.log(
    `best: solution ${best('lab 08')} msgs/s. kcat is not installed (apt-get install kcat), so there is no ratio.`,
  );
}
