import { SERVICES, type ServiceName } from './config.ts';

/** What `lab services up` found out about one broker before acting. */
export interface Situation {
  service: ServiceName;
  /** The broker protocol answered where the environment points. */
  ready: boolean;
  /** Something else holds the broker's port. */
  portBusy: boolean;
  port: number;
  /** A Docker engine answers (`docker info`). */
  dockerEngine: boolean;
  /** The local fallback can run here (rabbitmq-server installed; java + mvn for Kafka). */
  localFallback: boolean;
  /** Why the local fallback cannot run, when it cannot. */
  localMissing?: string;
}

export type Plan =
  | { action: 'use-running' }
  | { action: 'docker' }
  | { action: 'local' }
  | { action: 'port-conflict'; message: string }
  | { action: 'unavailable'; message: string };

/**
 * The one rule of `lab services up`: use a broker that already answers; else Docker; else the local fallback;
 * else explain the three ways to get it. A port held by something that is not the broker is never "fixed"
 * by starting a second broker on top of it.
 */
export function planFor(s: Situation): Plan {
  const spec = SERVICES[s.service];
  if (s.ready) return { action: 'use-running' };
  if (s.portBusy) {
    return {
      action: 'port-conflict',
      message:
        `port ${s.port} is taken by a process that does not answer as ${spec.title}. ` +
        `Stop that process (find it with: lsof -i :${s.port}  or  ss -ltnp 'sport = :${s.port}'), ` +
        `or point the labs at your broker with ${spec.clientEnv.variable}=${spec.clientEnv.example}.`,
    };
  }
  if (s.dockerEngine) return { action: 'docker' };
  if (s.localFallback) return { action: 'local' };
  return {
    action: 'unavailable',
    message:
      `${spec.title} is not running and cannot be started here. Three ways to get it:\n` +
      `  1. start Docker, then: npm run lab -- services up ${s.service}   (uses docker-compose.yml)\n` +
      `  2. ${spec.localHint}, then run the same command again` +
      (s.localMissing ? ` (missing now: ${s.localMissing})` : '') +
      `\n  3. run ${spec.title} yourself and point the labs at it with ${spec.clientEnv.variable}=${spec.clientEnv.example}`,
  };
}
