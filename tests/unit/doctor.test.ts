import { describe, expect, test } from 'vitest';
import { javaMajor, nodeVersionOk } from '../../cli/commands/doctor.ts';
import { newClusterId, serverProperties } from '../../cli/services/kafka-local.ts';

describe('doctor version checks', () => {
  test('Node 22.18 and newer pass; older fail', () => {
    expect(nodeVersionOk('v24.0.0')).toBe(true);
    expect(nodeVersionOk('v22.18.0')).toBe(true);
    expect(nodeVersionOk('v22.17.1')).toBe(false);
    expect(nodeVersionOk('v20.20.2')).toBe(false);
  });
  test('Java versions in both the old and the new format', () => {
    expect(javaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajor('java version "1.8.0_402"')).toBe(8);
    expect(javaMajor(undefined)).toBeUndefined();
  });
});

describe('local Kafka config', () => {
  test('a single-node KRaft config on loopback', () => {
    const props = serverProperties({ dataDir: '/tmp/k' } as never, 9092, 9093);
    expect(props).toContain('process.roles=broker,controller');
    expect(props).toContain('controller.quorum.voters=1@127.0.0.1:9093');
    expect(props).toContain('listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
    expect(props).toContain('offsets.topic.replication.factor=1');
  });
  test('cluster ids are 22 URL-safe base64 characters (16 bytes)', () => {
    const id = newClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });
});
