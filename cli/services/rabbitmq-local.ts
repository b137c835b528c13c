import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { stateDir } from './config.ts';
import { probeRabbitMQ, waitUntil } from './probe.ts';
import { onPath } from './tools.ts';

/** Marks a RabbitMQ that `lab services up` started, so `down` stops only that one. */
function markerFile(): string {
  return join(stateDir(), 'rabbitmq.started-by-lab');
}

export async function rabbitLocalMissing(): Promise<string> {
  return (await onPath('rabbitmq-server')) ? '' : 'rabbitmq-server';
}

export async function startLocalRabbitMQ({ timeoutMs = 60_000, log = (_: string) => {} } = {}): Promise<void> {
  log('starting the installed rabbitmq-server (detached)');
  const started = await execa('rabbitmq-server', ['-detached'], { reject: false, all: true, timeout: 30_000 });
  if (started.exitCode !== 0) {
    throw new Error(`rabbitmq-server -detached failed (exit ${started.exitCode}): ${String(started.all ?? '').trim()}`);
  }
  mkdirSync(stateDir(), { recursive: true });
  writeFileSync(markerFile(), new Date().toISOString());
  try {
    await waitUntil(() => probeRabbitMQ(undefined, 2000), { timeoutMs, intervalMs: 1000 });
  } catch (error) {
    await stopLocalRabbitMQ();
    throw new Error(
      `RabbitMQ did not become ready: ${(error as Error).message}. It was stopped again; see its logs (rabbitmq-diagnostics log_location).`,
    );
  }
}

export function startedByLab(): boolean {
  return existsSync(markerFile());
}

export async function stopLocalRabbitMQ(): Promise<'stopped' | 'not-ours'> {
  if (!startedByLab()) return 'not-ours';
  await execa('rabbitmqctl', ['stop'], { reject: false, timeout: 60_000 });
  rmSync(markerFile(), { force: true });
  return 'stopped';
}
