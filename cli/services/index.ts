import { SERVICES, SERVICE_NAMES, endpointOf, isServiceName, type ServiceName } from './config.ts';
import { composeRunning, composeStop, composeUp } from './docker.ts';
import { DRIVERS, probeService } from './drivers.ts';
import { planFor, type Situation } from './strategy.ts';
import { dockerEngineRuns } from './tools.ts';

export type { ServiceName } from './config.ts';

export interface UpReport {
  service: ServiceName;
  /** How the broker is there now: it already answered, or we started it with Docker or locally. */
  via: 'already-running' | 'docker' | 'local';
  detail: string;
  ms: number;
}

export class ServiceError extends Error {
  readonly service: string;
  constructor(service: string, message: string) {
    super(message);
    this.service = service;
  }
}

/** Turns user input into service names; all services when none are given. */
export function resolveServiceNames(args: string[]): ServiceName[] {
  if (args.length === 0) return [...SERVICE_NAMES];
  return args.map((arg) => {
    const name = arg.toLowerCase();
    if (!isServiceName(name)) {
      throw new ServiceError(arg, `unknown service "${arg}". Known services: ${SERVICE_NAMES.join(', ')}.`);
    }
    return name;
  });
}

export async function situationOf(name: ServiceName, dockerEngine?: boolean): Promise<Situation> {
  const probe = await probeService(name);
  const missing = probe.ready ? '' : await DRIVERS[name].localMissing();
  return {
    service: name,
    ready: probe.ready,
    portBusy: probe.portBusy,
    port: endpointOf(name).port,
    dockerEngine: probe.ready ? false : (dockerEngine ?? (await dockerEngineRuns())),
    localFallback: missing === '',
    localMissing: missing || undefined,
  };
}

export interface UpOptions {
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** Make one broker reachable, by the rule in strategy.ts. Throws ServiceError with what to do. */
export async function serviceUp(
  name: ServiceName,
  { timeoutMs = 90_000, log = () => {} }: UpOptions = {},
): Promise<UpReport> {
  const started = Date.now();
  const situation = await situationOf(name);
  const plan = planFor(situation);
  const title = SERVICES[name].title;
  const { host, port } = endpointOf(name);
  switch (plan.action) {
    case 'use-running':
      return {
        service: name,
        via: 'already-running',
        detail: `${title} already answers at ${host}:${port}`,
        ms: Date.now() - started,
      };
    case 'port-conflict':
    case 'unavailable':
      throw new ServiceError(name, plan.message);
    case 'docker':
      log(`${title}: starting with docker compose`);
      try {
        await composeUp(name, timeoutMs);
      } catch (error) {
        throw new ServiceError(name, (error as Error).message);
      }
      return {
        service: name,
        via: 'docker',
        detail: `${title} started in Docker at ${host}:${port}`,
        ms: Date.now() - started,
      };
    case 'local':
      try {
        const how = await DRIVERS[name].startLocal({ timeoutMs, log });
        return { service: name, via: 'local', detail: `${title} ${how} at ${host}:${port}`, ms: Date.now() - started };
      } catch (error) {
        throw new ServiceError(name, (error as Error).message);
      }
  }
}

export interface DownReport {
  service: ServiceName;
  result: 'stopped' | 'not-started-by-lab' | 'not-running';
  detail: string;
}

/** Stop a broker that `lab services up` started (local process or compose service); leave others alone. */
export async function serviceDown(name: ServiceName): Promise<DownReport> {
  const title = SERVICES[name].title;
  if (DRIVERS[name].startedLocally()) {
    await DRIVERS[name].stopLocal();
    return { service: name, result: 'stopped', detail: `${title}: stopped the local broker` };
  }
  if ((await dockerEngineRuns()) && (await composeRunning(name))) {
    await composeStop(name);
    return { service: name, result: 'stopped', detail: `${title}: stopped the compose service` };
  }
  const probe = await probeService(name, 2000);
  if (probe.ready) {
    return {
      service: name,
      result: 'not-started-by-lab',
      detail: `${title} answers at ${endpointOf(name).host}:${endpointOf(name).port} but was not started by lab services; left running`,
    };
  }
  return { service: name, result: 'not-running', detail: `${title} is not running` };
}

export interface StatusReport {
  service: ServiceName;
  ready: boolean;
  managedBy: 'lab (local)' | 'docker' | 'outside lab' | '-';
  detail: string;
}

export async function serviceStatus(name: ServiceName, dockerEngine?: boolean): Promise<StatusReport> {
  const probe = await probeService(name, 2000);
  let managedBy: StatusReport['managedBy'] = '-';
  if (probe.ready) {
    if (DRIVERS[name].startedLocally()) managedBy = 'lab (local)';
    else if ((dockerEngine ?? (await dockerEngineRuns())) && (await composeRunning(name))) managedBy = 'docker';
    else managedBy = 'outside lab';
  }
  return { service: name, ready: probe.ready, managedBy, detail: probe.detail };
}
