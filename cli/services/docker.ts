import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../paths.ts';
import { SERVICES, type ServiceName } from './config.ts';

export const composeFile = join(repoRoot, 'docker-compose.yml');

export async function composeUp(name: ServiceName, timeoutMs: number): Promise<void> {
  const svc = SERVICES[name].composeService;
  const result = await execa('docker', ['compose', '-f', composeFile, 'up', '-d', '--wait', svc], {
    reject: false,
    all: true,
    timeout: timeoutMs,
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `docker compose up ${svc} failed${result.timedOut ? ' (timed out)' : ''}:\n${String(result.all ?? '').trim()}`,
    );
  }
}

/** True when the compose project has this service's container running. */
export async function composeRunning(name: ServiceName): Promise<boolean> {
  const svc = SERVICES[name].composeService;
  const result = await execa('docker', ['compose', '-f', composeFile, 'ps', '-q', svc], {
    reject: false,
    timeout: 10_000,
  });
  return result.exitCode === 0 && String(result.stdout).trim() !== '';
}

export async function composeStop(name: ServiceName): Promise<void> {
  const svc = SERVICES[name].composeService;
  await execa('docker', ['compose', '-f', composeFile, 'stop', svc], { timeout: 60_000 });
}
