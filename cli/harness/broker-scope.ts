// Each grading run's own corner of the shared brokers. RabbitMQ: a virtual host and a user of its own, made through
// the management API, so a submission cannot see, purge or delete what another run declared; everything goes with
// the vhost afterwards. Kafka has no such boundary without ACLs: runs keep apart by name prefix, and the run's
// topics and groups are deleted afterwards.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { amqpUrl, kafkaBrokers, SERVICES } from '../services/config.ts';
import type { LabSpec } from './types.ts';

export interface BrokerScope {
  /** Environment for the tests and the app (AMQP_URL pointing at the run's vhost). */
  env: Record<string, string>;
  /** How the run is kept apart from others on each broker, in words (for reports). */
  isolation: string[];
  /** Whether another run may safely use the same brokers at the same time. */
  parallelSafe: boolean;
  dispose(): Promise<void>;
}

/** The management API beside the AMQP URL (RABBITMQ_MANAGEMENT_URL overrides), with the same credentials. */
function management(): { base: string; auth: string; amqp: URL } {
  const amqp = new URL(amqpUrl());
  const base = process.env.RABBITMQ_MANAGEMENT_URL ?? `http://${amqp.hostname}:${SERVICES.rabbitmq.ports.management}`;
  const user = decodeURIComponent(amqp.username || 'guest');
  const pass = decodeURIComponent(amqp.password || 'guest');
  return { base: base.replace(/\/$/, ''), auth: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`, amqp };
}

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  const { base, auth } = management();
  return fetch(`${base}/api${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
}

/** Whether RabbitMQ's management API answers with our credentials (then each run gets a vhost). */
export async function rabbitVhostsAvailable(): Promise<boolean> {
  try {
    const res = await api('GET', '/whoami');
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** A vhost and user for one run; undefined when the management API is not there. */
async function rabbitScope(runId: string): Promise<{ url: string; dispose(): Promise<void> } | undefined> {
  if (!(await rabbitVhostsAvailable())) return undefined;
  const vhost = `lab-${runId}`;
  const user = `lab-${runId}`;
  const password = randomBytes(18).toString('base64url');
  const v = encodeURIComponent(vhost);
  const u = encodeURIComponent(user);
  const dispose = async () => {
    await api('DELETE', `/vhosts/${v}`)
      .then((r) => r.body?.cancel())
      .catch(() => {});
    await api('DELETE', `/users/${u}`)
      .then((r) => r.body?.cancel())
      .catch(() => {});
  };
  try {
    for (const [path, body] of [
      [`/vhosts/${v}`, {}],
      [`/users/${u}`, { password, tags: '' }],
      [`/permissions/${v}/${u}`, { configure: '.*', write: '.*', read: '.*' }],
    ] as const) {
      const res = await api('PUT', path, body);
      await res.body?.cancel();
      if (!res.ok) throw new Error(`RabbitMQ management API: PUT ${path} answered ${res.status}`);
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  const { amqp } = management();
  const url = `amqp://${u}:${encodeURIComponent(password)}@${amqp.host}/${v}`;
  return { url, dispose };
}

/** Delete the Kafka topics and consumer groups whose names start with the run's prefix. */
async function deleteKafkaObjects(prefix: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'lab-grader-cleanup',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (groups.length) await admin.deleteGroups(groups).catch(() => {});
  } catch {
    /* best effort: the broker may be gone; names are unique per run anyway */
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Whether runs of this lab can share the brokers at the same time and stay apart (why not, otherwise). */
export async function brokersParallelSafe(lab: LabSpec): Promise<{ safe: boolean; why?: string }> {
  if (lab.services.includes('kafka'))
    return { safe: false, why: 'Kafka has no per-run boundary here (topics are only prefixed)' };
  if (lab.services.includes('rabbitmq') && !(await rabbitVhostsAvailable())) {
    return {
      safe: false,
      why: `RabbitMQ's management API (port ${SERVICES.rabbitmq.ports.management}) does not answer, so runs cannot get a vhost each`,
    };
  }
  return { safe: true };
}

/** Set up the brokers a lab needs for one run (named by `runId`, which is also its name prefix). */
export async function openBrokerScope(lab: LabSpec, runId: string): Promise<BrokerScope> {
  const env: Record<string, string> = {};
  const isolation: string[] = [];
  const disposers: (() => Promise<void>)[] = [];
  let parallelSafe = true;
  if (lab.services.includes('rabbitmq')) {
    const scope = await rabbitScope(runId);
    if (scope) {
      env.AMQP_URL = scope.url;
      disposers.push(scope.dispose);
      isolation.push('RabbitMQ: a vhost and user of its own');
    } else {
      parallelSafe = false;
      isolation.push('RabbitMQ: shared vhost, names prefixed (no management API for a vhost per run)');
    }
  }
  if (lab.services.includes('kafka')) {
    parallelSafe = false;
    isolation.push('Kafka: shared broker, names prefixed');
    disposers.push(() => deleteKafkaObjects(runId));
  }
  return {
    env,
    isolation,
    parallelSafe,
    dispose: async () => {
      for (const d of disposers) await d();
    },
  };
}
