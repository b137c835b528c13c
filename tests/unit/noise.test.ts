// Library chatter in a lab app's output is left off the screen (lab start, lab check excerpts), never off what the
// harness grades. The lines below are what lab 08's solution printed on this machine (Node 24, kafkajs 2.2.4).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { displayStream, quietExcerpt, withoutNoise } from '../../cli/harness/noise.ts';
import { AppProcess, AppStartError, type AppStartOptions } from '../../cli/harness/target.ts';

const kafkajs = (level: string, message: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ level, timestamp: '2026-11-30T05:58:30.863Z', logger: 'kafkajs', message, ...extra });

const chatter = [
  '(node:10231) TimeoutNegativeWarning: -1796018310518 is a negative number.',
  'Timeout duration was set to 1.',
  '(Use `node --trace-warnings ...` to show where the warning was created)',
  kafkajs('ERROR', '[Connection] Response InitProducerId(key: 22, version: 1)', {
    broker: '127.0.0.1:9092',
    clientId: 'order-service-10231',
    error: "The coordinator is loading and hence can't process requests for this group",
    correlationId: 2,
    size: 20,
  }),
  kafkajs('ERROR', '[Connection] Response GroupCoordinator(key: 10, version: 2)', {
    broker: '127.0.0.1:9092',
    error: 'The group coordinator is not available',
  }),
  kafkajs('ERROR', '[Connection] Response CreateTopics(key: 19, version: 3)', {
    error: 'Topic creation errors',
    correlationId: 2,
    size: 192,
  }),
  kafkajs('ERROR', '[Connection] Response Heartbeat(key: 12, version: 3)', {
    error: 'The group is rebalancing, so a rejoin is needed',
    correlationId: 20,
    size: 10,
  }),
  kafkajs('WARN', '[Runner] The group is rebalancing, re-joining', {
    groupId: 'lab-08.orders',
    error: 'The group is rebalancing, so a rejoin is needed',
  }),
  kafkajs(
    'ERROR',
    '[Consumer] Crash: KafkaJSNumberOfRetriesExceeded: This is not the correct coordinator for this group',
    {
      groupId: 'lab-08.orders',
      retryCount: 5,
      stack:
        'KafkaJSNonRetriableError\n  Caused by: KafkaJSError: This is not the correct coordinator for this group\n    at /work/node_modules/kafkajs/src/consumer/consumerGroup.js:361:17',
    },
  ),
  kafkajs('ERROR', '[Consumer] Restarting the consumer in 393ms', {
    retryCount: 5,
    retryTime: 393,
    groupId: 'lab-08.orders',
  }),
];

const actionable = [
  'order service listening on http://localhost:3000, topic dev.order-events, group dev.orders',
  'the group is rebalancing, says my own log line',
  kafkajs(
    'ERROR',
    "[Consumer] Crash: KafkaJSNumberOfRetriesExceeded: Cannot read properties of undefined (reading 'orderId')",
    { groupId: 'dev.orders', retryCount: 5 },
  ),
  kafkajs('ERROR', '[Consumer] Restarting the consumer in 300ms', {
    retryCount: 5,
    retryTime: 300,
    groupId: 'dev.orders',
  }),
  kafkajs(
    'ERROR',
    '[BrokerPool] Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    { retryCount: 0, retryTime: 300 },
  ),
  kafkajs(
    'WARN',
    'KafkaJS v2.0.0 switched default partitioner. To retain the same partitioning behavior as in previous versions, create the producer with the option "createPartitioner: Partitioners.LegacyPartitioner".',
  ),
  '(node:4242) DeprecationWarning: The `punycode` module is deprecated.',
  '(Use `node --trace-deprecation ...` to show where the warning was created)',
  JSON.stringify({
    level: 'ERROR',
    logger: 'order-service',
    message: '[Connection] Response from the payment API: 502',
  }),
];

describe('what the student sees of an app with a Kafka client', () => {
  test('rebalances, retried broker answers and the TimeoutNegativeWarning are left off; everything actionable stays', () => {
    const { lines, hidden } = withoutNoise([...chatter, ...actionable]);
    expect(lines).toEqual(actionable);
    expect(hidden).toBe(chatter.length);
  });

  test('chatter interleaved with the app own lines leaves those lines in order', () => {
    const mixed = [
      chatter[0]!,
      chatter[1]!,
      actionable[0]!,
      chatter[7]!,
      actionable[2]!,
      actionable[3]!,
      chatter[8]!,
      chatter[9]!,
    ];
    expect(withoutNoise(mixed).lines).toEqual([actionable[0], actionable[2], actionable[3]]);
  });

  test('a line cut short in a failure excerpt (300 characters, see AppProcess.outputTail) is still recognised', () => {
    const cut = chatter[8]!.slice(0, 300);
    expect(chatter[8]!.length).toBeGreaterThan(300);
    expect(withoutNoise([cut]).hidden).toBe(1);
  });

  test('an excerpt in a harness message loses its chatter and says how much; the rest of the message stays whole', () => {
    const message = [
      'the app did not answer GET /health with 2xx on port 41234 within 40 s. Its last output:',
      ...[chatter[0]!, chatter[1]!, actionable[0]!, chatter[6]!, chatter[7]!].map((l) => `  | ${l.slice(0, 300)}`),
    ].join('\n');
    expect(quietExcerpt(message).split('\n')).toEqual([
      'the app did not answer GET /health with 2xx on port 41234 within 40 s. Its last output:',
      `  | ${actionable[0]}`,
      '  | (4 line(s) of Kafka client chatter left out; --verbose shows them)',
    ]);
    expect(quietExcerpt('expected 404 to be 200 // Object.is equality')).toBe(
      'expected 404 to be 200 // Object.is equality',
    );
  });

  test('the screen stream gets whole lines across chunk borders, says once that it hides chatter, and shows a prompt without newline', async () => {
    let screen = '';
    let notices = 0;
    const stream = displayStream((text) => (screen += text), { onFirstHidden: () => notices++, holdMs: 20 });
    const text = [chatter[0], chatter[1], actionable[0], chatter[7], ''].join('\n');
    for (let i = 0; i < text.length; i += 37) stream.push(Buffer.from(text.slice(i, i + 37)));
    stream.push(chatter[3]! + '\n');
    stream.push('password: ');
    await new Promise((r) => setTimeout(r, 60));
    expect(screen).toBe(`${actionable[0]}\npassword: `);
    expect(notices).toBe(1);
  });
});

describe('what the harness grades', () => {
  const app = (script: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-noise-'));
    writeFileSync(join(dir, 'main.mjs'), script);
    return dir;
  };
  const printsChatter = `process.stderr.write(${JSON.stringify(`${chatter.join('\n')}\n`)}); setInterval(() => {}, 1000);`;
  /** An app that prints the chatter above and then nothing, started as `lab start` does (output to the screen too). */
  const startChatty = (options: Pick<AppStartOptions, 'ready' | 'outputBytes' | 'onOutput'>) =>
    AppProcess.start({
      dir: app(printsChatter),
      entry: 'main.mjs',
      port: 1,
      env: {},
      startMs: 10_000,
      runId: `noise-test-${process.pid}`,
      ...options,
    });

  test('the app output is kept as printed, and a ready log line counts even when the screen hides it', async () => {
    let screen = '';
    const stream = displayStream((text) => (screen += text));
    const started = await startChatty({
      ready: { log: '[Runner] The group is rebalancing, re-joining' },
      outputBytes: 1024 * 1024,
      onOutput: (chunk) => stream.push(chunk),
    });
    try {
      expect(started.output()).toBe(`${chatter.join('\n')}\n`);
      expect(screen).toBe('');
    } finally {
      await started.stop();
    }
  });

  test('hidden chatter still counts against the output limit', async () => {
    const error = await startChatty({
      ready: { log: 'never printed' },
      outputBytes: 500,
      onOutput: displayStream(() => {}).push,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppStartError);
    expect((error as Error).message).toMatch(/printed more than 500 bytes/);
  });
});
