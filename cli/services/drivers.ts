// What each broker does, behind one interface: how `lab services` and `lab doctor` probe it and run it without
// Docker. The facts about it (ports, compose service, client variable) are its record in config.ts.
import type { ServiceName } from './config.ts';
import { SERVICES, amqpUrl, kafkaBrokers } from './config.ts';
import { kafkaLocalMissing, runningLocalKafka, startLocalKafka, stopLocalKafka } from './kafka-local.ts';
import { portInUse, probeKafka, probeRabbitMQ } from './probe.ts';
import { rabbitLocalMissing, startedByLab, startLocalRabbitMQ, stopLocalRabbitMQ } from './rabbitmq-local.ts';

export interface BrokerDriver {
  /** A real protocol exchange with the broker where the environment points; what it saw, or it throws. */
  probe(timeoutMs: number): Promise<string>;
  /** What the local fallback lacks on this machine ('' when it can run). */
  localMissing(): Promise<string>;
  /** Start the local fallback; what was started. */
  startLocal(options: { timeoutMs: number; log: (line: string) => void }): Promise<string>;
  /** Is a local broker that `lab services up` started running now? */
  startedLocally(): boolean;
  stopLocal(): Promise<void>;
}

export const DRIVERS: Record<ServiceName, BrokerDriver> = {
  rabbitmq: {
    async probe(timeoutMs) {
      await probeRabbitMQ(amqpUrl(), timeoutMs);
      const { host, port } = SERVICES.rabbitmq.endpoint();
      return `AMQP handshake ok at ${host}:${port}`;
    },
    localMissing: rabbitLocalMissing,
    async startLocal(options) {
      await startLocalRabbitMQ(options);
      return 'started with rabbitmq-server';
    },
    startedLocally: startedByLab,
    async stopLocal() {
      await stopLocalRabbitMQ();
    },
  },
  kafka: {
    async probe(timeoutMs) {
      const meta = await probeKafka(kafkaBrokers(), timeoutMs);
      const { host, port } = SERVICES.kafka.endpoint();
      return `metadata ok at ${host}:${port} (${meta.brokers} broker${meta.brokers === 1 ? '' : 's'})`;
    },
    localMissing: kafkaLocalMissing,
    async startLocal(options) {
      const { pid } = await startLocalKafka(options);
      return `started with java (pid ${pid})`;
    },
    startedLocally: () => runningLocalKafka() !== undefined,
    async stopLocal() {
      await stopLocalKafka();
    },
  },
};

export interface ProbeResult {
  /** The broker protocol answered. */
  ready: boolean;
  /** Something listens on the client port (the broker, or a stranger if not ready). */
  portBusy: boolean;
  detail: string;
}

/** Is this service reachable where the environment says it is? */
export async function probeService(name: ServiceName, timeoutMs = 3000): Promise<ProbeResult> {
  const { host, port } = SERVICES[name].endpoint();
  try {
    return { ready: true, portBusy: true, detail: await DRIVERS[name].probe(timeoutMs) };
  } catch (error) {
    const portBusy = await portInUse(port, host);
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ready: false,
      portBusy,
      detail: portBusy
        ? `port ${port} is open but did not answer as ${name}: ${reason}`
        : `nothing listens on ${host}:${port}`,
    };
  }
}
