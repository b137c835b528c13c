import { homedir } from 'node:os';
import { join } from 'node:path';

/** The brokers `lab services` knows how to bring up. */
export const SERVICE_NAMES = ['rabbitmq', 'kafka'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * One record per broker: what the rest of the CLI knows about it without loading its client. What it does (probe,
 * start and stop locally) is its driver in drivers.ts. A third service is one entry here and one there.
 */
export interface ServiceSpec {
  name: ServiceName;
  title: string;
  /** Service name in docker-compose.yml. */
  composeService: string;
  /** Ports the broker publishes on the host, by role. The first one is the one clients use. */
  ports: Record<string, number>;
  /** How a student gets this broker without Docker. */
  localHint: string;
  /** The variable that points clients (lab apps, tests, `lab services`) at the broker, and an example value. */
  clientEnv: { variable: string; example: string };
  /** The variable's value from the environment, with the local default. */
  clientValue(env?: NodeJS.ProcessEnv): string;
  /** host/port clients connect to (the first broker of a list). */
  endpoint(env?: NodeJS.ProcessEnv): { host: string; port: number };
}

export const KAFKA_VERSION = '3.9.1';

export const SERVICES: Record<ServiceName, ServiceSpec> = {
  rabbitmq: {
    name: 'rabbitmq',
    title: 'RabbitMQ',
    composeService: 'rabbitmq',
    ports: { amqp: 5672, management: 15672 },
    localHint: 'install RabbitMQ (Debian/Ubuntu: apt-get install rabbitmq-server; macOS: brew install rabbitmq)',
    clientEnv: { variable: 'AMQP_URL', example: 'amqp://user:pass@host:port' },
    clientValue: (env = process.env) => amqpUrl(env),
    endpoint(env = process.env) {
      const url = new URL(amqpUrl(env));
      return { host: url.hostname, port: Number(url.port || 5672) };
    },
  },
  kafka: {
    name: 'kafka',
    title: 'Apache Kafka',
    composeService: 'kafka',
    ports: { broker: 9092 },
    localHint: 'install Java 17+ and Maven (Debian/Ubuntu: apt-get install openjdk-17-jre-headless maven)',
    clientEnv: { variable: 'KAFKA_BROKERS', example: 'host:port' },
    clientValue: (env = process.env) => kafkaBrokers(env).join(','),
    endpoint(env = process.env) {
      const [first = '127.0.0.1:9092'] = kafkaBrokers(env);
      const at = first.lastIndexOf(':');
      return { host: first.slice(0, at), port: Number(first.slice(at + 1)) };
    },
  },
};

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

/** Where a broker is expected, from the environment with local defaults. */
export function amqpUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
}

export function kafkaBrokers(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/** host/port a service's clients connect to (from the same env as its URL). */
export function endpointOf(name: ServiceName, env: NodeJS.ProcessEnv = process.env): { host: string; port: number } {
  return SERVICES[name].endpoint(env);
}

/** Downloaded things that can be fetched again (Kafka jars). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.INTEGRATION_LAB_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'integration-lab');
}

/** Things that belong to a running broker we started: data, pid file, log. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.INTEGRATION_LAB_STATE ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'integration-lab');
}
