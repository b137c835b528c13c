// Parcel scans on Kafka, for the Kafka lesson: topics created at start-up, a keyed idempotent producer, a consumer
// that commits by hand after processing and sets poison messages aside, and a batched bulk producer. Lab 08 asks for
// the same techniques on order events. Run the demo against the course's broker:
//   node lessons/examples/08-kafka/parcel-scans.ts
import {
  CompressionTypes,
  Kafka,
  Partitioners,
  logLevel,
  type Consumer,
  type EachMessagePayload,
  type Producer,
} from 'kafkajs';

export const SCAN_TYPES = ['picked-up', 'in-transit', 'delivered'] as const;
export interface Scan {
  scanId: string;
  parcelId: string;
  type: (typeof SCAN_TYPES)[number];
  depot: string;
  at: string;
}

export const scanTopics = (prefix: string) => ({ scans: `${prefix}.parcel-scans`, dead: `${prefix}.parcel-scans.dlt` });

// #region topic
/** Creates the topics that do not exist yet; several instances may start at once, and that is fine. */
export async function ensureTopics(kafka: Kafka, topics: ReturnType<typeof scanTopics>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [
      { topic: topics.scans, numPartitions: 6, replicationFactor: 1 }, // 6 partitions: up to 6 consumers share the work
      { topic: topics.dead, numPartitions: 1, replicationFactor: 1 }, // poison messages: order does not matter
    ].filter((t) => !existing.has(t.topic));
    // waitForLeaders: return only when every partition has a leader, so the first send does not fail.
    // Another instance may create a topic between listTopics and here: createTopics then resolves false, no error.
    // A busy broker may answer "does not host this topic-partition" to kafkajs's leader check right after creating
    // them: they exist, so a second call a moment later resolves false.
    for (let attempt = 1; missing.length; attempt++) {
      try {
        await admin.createTopics({ topics: missing, waitForLeaders: true });
        break;
      } catch (error) {
        if (attempt === 5 || !/does not host this topic-partition/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}
// #endregion topic

// #region producer
export async function scanProducer(kafka: Kafka, topic: string) {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    producer,
    /** Keyed by parcel: one parcel's scans share a partition, so they are read in the order they were sent. */
    async send(scan: Scan) {
      const [written] = await producer.send({
        topic,
        acks: -1, // every in-sync replica has it
        messages: [{ key: scan.parcelId, value: JSON.stringify(scan), headers: { 'scan-type': scan.type } }],
      });
      return { partition: written!.partition, offset: written!.baseOffset };
    },
  };
}
// #endregion producer

/** The scan, or why it cannot be one. */
export function parseScan(value: Buffer | null): Scan | string {
  if (value === null) return 'empty value';
  try {
    const s = JSON.parse(value.toString()) as Partial<Scan>;
    if (typeof s.scanId !== 'string' || typeof s.parcelId !== 'string') return 'scanId or parcelId missing';
    if (!SCAN_TYPES.includes(s.type as Scan['type'])) return `unknown type ${JSON.stringify(s.type)}`;
    return s as Scan;
  } catch {
    return 'not JSON';
  }
}

/** Where each parcel was last seen. `applied` remembers scan ids; in production both live in one database. */
export function createLocations() {
  const applied = new Set<string>();
  const last = new Map<string, Scan>();
  return {
    has: (scanId: string) => applied.has(scanId),
    apply(scan: Scan) {
      applied.add(scan.scanId);
      last.set(scan.parcelId, scan);
    },
    get: (parcelId: string) => last.get(parcelId),
  };
}

// #region consumer
/**
 * One message: parse, apply once, or set it aside in the dead-letter topic; then commit the NEXT offset. Every path
 * ends in the commit, and nothing throws for a bad message, so one poison message cannot stall its partition.
 */
export function scanHandler(deps: {
  locations: ReturnType<typeof createLocations>;
  deadLetter: (message: {
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, string>;
  }) => Promise<unknown>;
  commit: (offsets: { topic: string; partition: number; offset: string }[]) => Promise<void>;
}) {
  return async ({ topic, partition, message }: Pick<EachMessagePayload, 'topic' | 'partition' | 'message'>) => {
    const scan = parseScan(message.value);
    if (typeof scan === 'string') {
      await deps.deadLetter({
        key: message.key,
        value: message.value,
        headers: { 'x-error': scan, 'x-source': `${topic}/${partition}/${message.offset}` },
      });
    } else if (!deps.locations.has(scan.scanId)) {
      deps.locations.apply(scan); // a redelivered or twice-produced scan is skipped
    }
    await deps.commit([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
  };
}

export async function startScanConsumer(
  kafka: Kafka,
  groupId: string,
  topics: ReturnType<typeof scanTopics>,
  producer: Producer,
  locations: ReturnType<typeof createLocations>,
): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 2_000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.scans], fromBeginning: true }); // a new group reads the whole history
  const handle = scanHandler({
    locations,
    deadLetter: (m) => producer.send({ topic: topics.dead, messages: [m] }),
    commit: (offsets) => consumer.commitOffsets(offsets),
  });
  await consumer.run({ autoCommit: false, eachMessage: handle });
  return consumer;
}
// #endregion consumer

// #region bulk
/** Many scans, few requests: one sendBatch per 2 000 scans, gzip-compressed, keys kept so each parcel stays ordered. */
export async function sendScansInBulk(producer: Producer, topic: string, scans: Scan[]): Promise<void> {
  for (let i = 0; i < scans.length; i += 2_000) {
    const chunk = scans.slice(i, i + 2_000);
    await producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.GZIP,
      topicMessages: [{ topic, messages: chunk.map((s) => ({ key: s.parcelId, value: JSON.stringify(s) })) }],
    });
  }
}
// #endregion bulk

if (import.meta.main) {
  const prefix = process.env.NAME_PREFIX ?? 'lesson08';
  const kafka = new Kafka({
    clientId: `parcel-scans-${process.pid}`,
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.WARN,
  });
  const topics = scanTopics(prefix);
  await ensureTopics(kafka, topics);
  const { producer, send } = await scanProducer(kafka, topics.scans);
  const locations = createLocations();
  const consumer = await startScanConsumer(kafka, `${prefix}.locations`, topics, producer, locations);
  const at = new Date().toISOString();
  console.log(await send({ scanId: 's1', parcelId: 'p1', type: 'picked-up', depot: 'north', at }));
  await sendScansInBulk(
    producer,
    topics.scans,
    Array.from({ length: 5_000 }, (_, i) => ({
      scanId: `b${i}`,
      parcelId: `p${i % 50}`,
      type: 'in-transit' as const,
      depot: 'south',
      at,
    })),
  );
  await producer.send({ topic: topics.scans, messages: [{ key: 'p1', value: 'not json' }] });
  while (!locations.has('b4999')) await new Promise((r) => setTimeout(r, 200));
  console.log('p1 last seen', locations.get('p1'));
  await consumer.disconnect();
  await producer.disconnect();
}
