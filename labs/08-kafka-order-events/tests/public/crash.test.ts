import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { graded, kafkaClient, startLab, waitFor, type LabRun } from '#testkit';
import {
  appliedEventIds,
  cleanup,
  createTopics,
  eventPerPartition,
  groupAssignment,
  names,
  orderEvent,
  partitionsOf,
  postLifecycles,
  produceRaw,
  scratch,
} from '../support.ts';

const files = scratch();
const short = () => randomUUID().slice(0, 8);
const prefixes: string[] = [];
const started: LabRun[] = [];

// The crash scenario runs from beforeAll on the app `run`, while the other tests of this file run on apps of their
// own; its test (last in the file) judges what it observed.
let run: LabRun;
let crash: Promise<{ eventIds: string[]; lost: string[]; error?: string }>;

beforeAll(async () => {
  // A slow database (150 ms per event), so that a crash lands in the middle of processing one. The app is the only
  // member of its group, so a short rebalance timeout lets its restart take over at once.
  run = await startLab({
    env: { PROCESS_DELAY_MS: '150', KAFKA_REBALANCE_TIMEOUT_MS: '1000', PROJECTION_FILE: files.file('a.jsonl') },
  });
  started.push(run);
  prefixes.push(run.prefix);
  // The topics as the app made them, before anything else happens.
  topicsAtStart = Promise.all([partitionsOf(names(run.prefix).topic), partitionsOf(names(run.prefix).deadLetters)]);
  topicsAtStart.catch(() => {});
  crash = (async () => {
    // One event per partition first, so that every partition has a committed offset before the crash: where the
    // restart begins is then the commit's business alone, not that of where a group without commits starts.
    const warmUp = await eventPerPartition(run.prefix);
    await waitFor(
      async () => {
        const have = new Set(await appliedEventIds([run.url]));
        return warmUp.every((id) => have.has(id));
      },
      { timeoutMs: 20_000, message: 'one event per partition applied before the crash' },
    );
    const orderIds = Array.from({ length: 4 }, (_, i) => `c${i}-${short()}`);
    const eventIds = await postLifecycles(run.url, orderIds);
    const ours = (ids: string[]) => ids.filter((id) => eventIds.includes(id));
    await waitFor(async () => ours(await appliedEventIds([run.url])).length >= 3, {
      timeoutMs: 20_000,
      message: '3 events applied',
    });
    // Land the crash inside the next (slow, 150 ms) processing step rather than between two of them.
    await new Promise((r) => setTimeout(r, 40));
    run.app.kill('SIGKILL');
    await run.app.restart();
    const error = await waitFor(async () => new Set(ours(await appliedEventIds([run.url]))).size === eventIds.length, {
      timeoutMs: 25_000,
      intervalMs: 100,
      message: `all ${eventIds.length} events in the projection after the restart`,
    }).then(
      () => undefined,
      (e: Error) => e.message,
    );
    const have = new Set(await appliedEventIds([run.url]).catch(() => []));
    return { eventIds, lost: eventIds.filter((id) => !have.has(id)), error };
  })();
  crash.catch(() => {});
});
let topicsAtStart: Promise<[number[], number[]]>;
afterAll(async () => {
  await Promise.allSettled([crash]);
  for (const r of started) await r.stop();
  for (const prefix of prefixes) await cleanup(prefix);
  files.remove();
});

graded(
  'the app creates the topic with 3 partitions and the dead-letter topic at start-up',
  {
    rule: 'topics',
    points: 1,
    hint: 'At start-up, admin.createTopics() both NAME_PREFIX + ".order-events" with numPartitions: 3 and NAME_PREFIX + ".order-events.dlt"; createTopics resolves false when they exist already.',
  },
  async () => {
    const { topic, deadLetters } = names(run.prefix);
    const [partitions, deadLetterPartitions] = await topicsAtStart;
    expect(partitions, `partitions of ${topic} once the app is ready`).toEqual([0, 1, 2]);
    expect(
      deadLetterPartitions.length,
      `partitions of ${deadLetters} once the app is ready (before any message was malformed)`,
    ).toBeGreaterThan(0);
  },
);

graded(
  'GET /health answers 503 until the consumer has joined its group',
  {
    rule: 'health-after-join',
    points: 2,
    hint: 'Listen for consumer.events.GROUP_JOIN and answer /health with 503 until it has fired: before that the app consumes nothing.',
    timeout: 40_000,
  },
  async () => {
    // A member of the test's own holds up the group's next rebalance: it is busy with a message until released. The
    // app cannot finish joining before that, so it must not say it is ready before that either.
    const prefix = `${process.env.LAB_PREFIX}-${short()}`;
    prefixes.push(prefix);
    const { topic } = names(prefix);
    const group = `${prefix}.health`;
    await createTopics([prefix]);
    const holder = kafkaClient('lab08-test-holder').consumer({
      groupId: group,
      sessionTimeout: 30_000,
      rebalanceTimeout: 30_000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 100,
    });
    let release: () => void = () => {};
    const released = new Promise<void>((r) => (release = r));
    let busy = false;
    try {
      await holder.connect();
      await holder.subscribe({ topics: [topic], fromBeginning: true });
      await holder.run({
        eachMessage: async () => {
          busy = true;
          await released;
        },
      });
      await produceRaw(
        topic,
        [0, 1, 2].map((partition) => ({
          partition,
          key: `h${partition}`,
          value: JSON.stringify(orderEvent(`h${partition}-${short()}`, 'order.created')),
        })),
      );
      await waitFor(() => busy, { timeoutMs: 15_000, message: "the test's group member to be busy with a message" });
      // Whether the app was seen ready while the group was held: by order of events, not by clock (an early answer
      // and the group's state often arrive in the same millisecond).
      let letGo = false;
      let readyAt = 0;
      let readyWhileHeld = false;
      const app = startLab({
        env: { NAME_PREFIX: prefix, GROUP_ID: group, PROJECTION_FILE: files.file('health.jsonl') },
      }).then((instance) => {
        readyAt = Date.now();
        readyWhileHeld = !letGo;
        started.push(instance);
        return instance;
      });
      app.catch(() => {});
      // Wait until the app asks to join (the group starts rebalancing), then hold the rebalance up for a while before
      // releasing it. The join cannot complete while the member is busy, so a correct app is not ready during the hold;
      // an app that says it is ready early is seen doing so however slow the machine is to pass its answer on, because
      // the hold lasts until then (at most 5 s; it was a fixed 700 ms).
      await waitFor(async () => readyAt || (await groupAssignment(group, topic)).state === 'PreparingRebalance', {
        timeoutMs: 20_000,
        intervalMs: 50,
        message: `the app to ask to join ${group}`,
      });
      if (!readyAt) await waitFor(() => readyAt, { timeoutMs: 5_000, intervalMs: 50 }).catch(() => {});
      const releasedAt = Date.now();
      letGo = true;
      release();
      await app;
      expect(
        readyWhileHeld,
        `GET /health answered 2xx while the group ${group} was held (${releasedAt - readyAt} ms before it was let go): the app's consumer could not have joined it yet`,
      ).toBe(false);
    } finally {
      release();
      await holder.disconnect().catch(() => {});
    }
  },
);

graded(
  'after a crash, the restarted consumer goes on from its last commit: no event is lost',
  {
    rule: 'at-least-once',
    points: 4,
    hint: 'Commit an offset only after projection.apply() has run for that message (autoCommit: false, commitOffsets after the work): a crash between committing and applying loses the event for good.',
    timeout: 40_000,
  },
  async () => {
    const { eventIds, lost, error } = await crash;
    expect(
      lost,
      `events that never reached the projection after the crash, of ${eventIds.length} (committed before they were processed?)${error ? `: ${error}` : ''}`,
    ).toEqual([]);
  },
);
