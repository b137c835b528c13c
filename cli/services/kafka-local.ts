import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { KAFKA_VERSION, cacheDir, endpointOf, stateDir } from './config.ts';
import { portInUse, probeKafka, waitUntil } from './probe.ts';
import { commandLineOf, isAlive, stopGroup } from './processes.ts';
import { onPath } from './tools.ts';

const here = import.meta.dirname;

export interface KafkaLocalLayout {
  /** Cached broker jars (shared by every start). */
  libs: string;
  home: string;
  config: string;
  dataDir: string;
  pidFile: string;
  logFile: string;
  clusterIdFile: string;
}

export function kafkaLayout(env: NodeJS.ProcessEnv = process.env): KafkaLocalLayout {
  const home = join(stateDir(env), 'kafka');
  return {
    libs: join(cacheDir(env), `kafka-${KAFKA_VERSION}`, 'libs'),
    home,
    config: join(home, 'server.properties'),
    dataDir: join(home, 'data'),
    pidFile: join(home, 'kafka.pid'),
    logFile: join(home, 'kafka.log'),
    clusterIdFile: join(home, 'cluster.id'),
  };
}

/** What the local fallback needs that is missing on this machine ('' when nothing). */
export async function kafkaLocalMissing(layout = kafkaLayout()): Promise<string> {
  const missing: string[] = [];
  if (!(await onPath('java'))) missing.push('java');
  if (!jarsCached(layout) && !(await onPath('mvn'))) missing.push('mvn');
  return missing.join(', ');
}

export function jarsCached(layout = kafkaLayout()): boolean {
  return existsSync(join(layout.libs, '.complete'));
}

/** Fetch Kafka and its dependencies from Maven Central once; later calls reuse the cache. */
export async function ensureKafkaJars(
  layout = kafkaLayout(),
  log: (line: string) => void = () => {},
): Promise<{ fetched: boolean }> {
  if (jarsCached(layout)) return { fetched: false };
  const work = `${layout.libs}.partial`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const pom = join(work, 'pom.xml');
  copyFileSync(join(here, 'kafka', 'pom.xml'), pom);
  log(`fetching Apache Kafka ${KAFKA_VERSION} jars with Maven into ${layout.libs} (once; about 50 MB)`);
  const result = await execa(
    'mvn',
    ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${work}`, '-DincludeScope=runtime'],
    { reject: false, all: true, timeout: 10 * 60_000 },
  );
  if (result.exitCode !== 0) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(
      `Maven could not fetch the Kafka jars (exit ${result.exitCode}):\n${tail(String(result.all ?? ''), 15)}`,
    );
  }
  rmSync(pom);
  writeFileSync(join(work, '.complete'), new Date().toISOString());
  rmSync(layout.libs, { recursive: true, force: true });
  renameSync(work, layout.libs);
  return { fetched: true };
}

export function serverProperties(layout: KafkaLocalLayout, port: number, controllerPort: number): string {
  return [
    '# Written by `lab services up kafka`: a single-node KRaft broker for the labs.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${layout.dataDir}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    '',
  ].join('\n');
}

/** Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

/** The pid of the broker this tool started, if it still runs. */
export function runningLocalKafka(layout = kafkaLayout()): number | undefined {
  if (!existsSync(layout.pidFile)) return undefined;
  const pid = Number(readFileSync(layout.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const cmd = commandLineOf(pid);
  // A recycled pid that now belongs to another program is not ours to stop.
  if (cmd !== undefined && !cmd.includes('kafka.Kafka')) return undefined;
  return pid;
}

export interface StartOptions {
  timeoutMs?: number;
  log?: (line: string) => void;
  /** JVM heap; small by default so the broker fits beside the labs. */
  heap?: string;
}

/** Start a single-node KRaft broker with `java`, wait for a real metadata answer, keep pid + log. */
export async function startLocalKafka({
  timeoutMs = 60_000,
  log = () => {},
  heap = '512m',
}: StartOptions = {}): Promise<{ pid: number; fetched: boolean }> {
  const layout = kafkaLayout();
  const { port } = endpointOf('kafka');
  const controllerPort = port + 1;
  const missing = await kafkaLocalMissing(layout);
  if (missing) throw new Error(`cannot start Kafka locally: ${missing} not found on PATH`);
  if (await portInUse(controllerPort)) {
    throw new Error(
      `port ${controllerPort} (the Kafka controller port) is taken by another process; free it and try again`,
    );
  }
  const { fetched } = await ensureKafkaJars(layout, log);

  mkdirSync(layout.home, { recursive: true });
  writeFileSync(layout.config, serverProperties(layout, port, controllerPort));
  if (!existsSync(layout.clusterIdFile)) writeFileSync(layout.clusterIdFile, newClusterId());
  const clusterId = readFileSync(layout.clusterIdFile, 'utf8').trim();
  const classpath = `${layout.libs}/*`;
  const log4j = `-Dlog4j.configuration=file:${join(here, 'kafka', 'log4j.properties')}`;
  const format = await execa(
    'java',
    [
      log4j,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      layout.config,
      '--ignore-formatted',
    ],
    { reject: false, all: true, timeout: 60_000 },
  );
  if (format.exitCode !== 0) {
    throw new Error(
      `formatting Kafka storage failed (exit ${format.exitCode}):\n${tail(String(format.all ?? ''), 15)}`,
    );
  }

  log(`starting Kafka ${KAFKA_VERSION} (KRaft, 127.0.0.1:${port}); log: ${layout.logFile}`);
  const out = openSync(layout.logFile, 'a');
  // Detached: its own process group that outlives this command; `services down` stops it by pid.
  const child = spawn(
    'java',
    [
      `-Xms128m`,
      `-Xmx${heap}`,
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      log4j,
      '-cp',
      classpath,
      'kafka.Kafka',
      layout.config,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error('java did not start');
  child.unref();
  writeFileSync(layout.pidFile, String(pid));

  try {
    await waitUntil(() => probeKafka(undefined, 2000), {
      timeoutMs,
      intervalMs: 500,
      giveUp: () =>
        isAlive(pid) ? undefined : `Kafka exited during start-up. Last lines of ${layout.logFile}:\n${logTail(layout)}`,
    });
  } catch (error) {
    await stopGroup(pid, 5000);
    rmSync(layout.pidFile, { force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Kafka did not become ready: ${reason}\nThe broker process was stopped. Full log: ${layout.logFile}`,
    );
  }
  return { pid, fetched };
}

/** Stop the broker this tool started (never another one). */
export async function stopLocalKafka(): Promise<'stopped' | 'not-running'> {
  const layout = kafkaLayout();
  const pid = runningLocalKafka(layout);
  rmSync(layout.pidFile, { force: true });
  if (pid === undefined) return 'not-running';
  await stopGroup(pid, 30_000);
  return 'stopped';
}

export function logTail(layout = kafkaLayout(), lines = 15): string {
  try {
    return tail(readFileSync(layout.logFile, 'utf8'), lines);
  } catch {
    return '(no log)';
  }
}

function tail(text: string, lines: number): string {
  return text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((l) => `    ${l}`)
    .join('\n');
}
