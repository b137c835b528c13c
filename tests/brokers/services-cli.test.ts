import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { isAlive } from '../../cli/services/processes.ts';
import { repoRoot } from '../../cli/paths.ts';

// The `lab services` and `lab doctor` commands as a user runs them, against a second Kafka on its own port and
// folders, so the broker the other tests use is not touched.
const state = mkdtempSync(join(tmpdir(), 'lab-services-test-'));
const env = {
  INTEGRATION_LAB_STATE: state,
  KAFKA_BROKERS: '127.0.0.1:29092',
  NO_COLOR: '1',
};
const lab = (...args: string[]) =>
  execa(process.execPath, [join(repoRoot, 'cli/main.ts'), ...args], {
    env,
    reject: false,
    all: true,
    timeout: 120_000,
  });

afterAll(async () => {
  await lab('services', 'down', 'kafka');
  rmSync(state, { recursive: true, force: true });
});

describe('lab services / lab doctor', () => {
  test('an unknown service name is refused with the list of known ones (exit 2)', async () => {
    const result = await lab('services', 'up', 'redis');
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/unknown service "redis".*rabbitmq, kafka/);
  });

  test('up kafka starts a local broker, doctor and status see it, down stops exactly that process', async () => {
    const up = await lab('services', 'up', 'kafka');
    expect(up.exitCode, up.all).toBe(0);
    expect(up.all).toMatch(/Apache Kafka started with java \(pid \d+\) at 127\.0\.0\.1:29092/);
    const pid = Number(readFileSync(join(state, 'kafka', 'kafka.pid'), 'utf8'));
    expect(isAlive(pid)).toBe(true);

    const status = await lab('services', 'status', 'kafka');
    expect(status.all).toMatch(/kafka\s*│\s*✓ up\s*│\s*lab \(local\)/);
    const doctorUp = await lab('doctor');
    expect(doctorUp.all).toMatch(/✓\s*│\s*Apache Kafka\s*│\s*metadata ok at 127\.0\.0\.1:29092/);

    const again = await lab('services', 'up', 'kafka');
    expect(again.all).toContain('already answers');

    const down = await lab('services', 'down', 'kafka');
    expect(down.exitCode).toBe(0);
    expect(down.all).toContain('stopped the local broker');
    expect(isAlive(pid)).toBe(false);

    const doctorDown = await lab('doctor');
    expect(doctorDown.exitCode).toBe(1);
    expect(doctorDown.all).toMatch(/✗\s*│\s*Apache Kafka\s*│\s*nothing listens on 127\.0\.0\.1:29092/);
    expect(doctorDown.all).toContain('npm run lab -- services up kafka');
  });

  test('a port held by something that is not Kafka: clear message, exit 1, nothing started', async () => {
    const squatter = net.createServer((socket) => {
      socket.on('error', () => {}); // the probe hangs up abruptly; that is expected here
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((resolve) => squatter.listen(29092, '127.0.0.1', resolve));
    try {
      const result = await lab('services', 'up', 'kafka');
      expect(result.exitCode).toBe(1);
      expect(result.all).toMatch(/port 29092 is taken by a process that does not answer as Apache Kafka/);
      expect(result.all).toContain('KAFKA_BROKERS=');
    } finally {
      squatter.close();
    }
    const stray = await execa('pgrep', ['-f', state], { reject: false });
    expect(stray.stdout.trim()).toBe('');
  });

  test('a Kafka that does not become ready in time is stopped again, with the log tail and exit 1', async () => {
    const result = await lab('services', 'up', 'kafka', '--timeout', '1');
    expect(result.exitCode).toBe(1);
    expect(result.all).toMatch(/Kafka did not become ready: not ready after 1 s/);
    expect(result.all).toContain('The broker process was stopped');
    const stray = await execa('pgrep', ['-f', state], { reject: false });
    expect(stray.stdout.trim()).toBe('');
  });
});
