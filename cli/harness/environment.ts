import { amqpUrl, kafkaBrokers } from '../services/config.ts';
import type { LabSpec } from './types.ts';

/** Fill ${port}, ${prefix}, ${amqpUrl}, ${kafkaBrokers}, ${mocks.NAME.url} (any field of a started mock). */
export function fillTemplate(template: string, values: Record<string, unknown>): string {
  return template.replace(/\$\{([a-zA-Z0-9_.]+)\}/g, (whole, path: string) => {
    const value = path.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], values);
    if (value === undefined || value === null || typeof value === 'object') {
      throw new Error(`lab.json env: nothing to fill in for ${whole}`);
    }
    return String(value);
  });
}

/**
 * The whole environment a lab app receives (besides PORT): the name prefix, the brokers it needs, each mock's URL
 * as <NAME>_MOCK_URL, then the lab's own `env` templates. One definition for tests, `lab start` and grading.
 */
export function labEnvironment(
  lab: LabSpec,
  { port, prefix, mocks }: { port: number; prefix: string; mocks: Record<string, { url: string } | undefined> },
): Record<string, string> {
  const env: Record<string, string> = { NAME_PREFIX: prefix };
  if (lab.services.includes('rabbitmq')) env.AMQP_URL = amqpUrl();
  if (lab.services.includes('kafka')) env.KAFKA_BROKERS = kafkaBrokers().join(',');
  for (const [name, mock] of Object.entries(mocks)) if (mock) env[`${name.toUpperCase()}_MOCK_URL`] = mock.url;
  const values = { port, prefix, amqpUrl: amqpUrl(), kafkaBrokers: kafkaBrokers().join(','), mocks };
  for (const [key, template] of Object.entries(lab.env)) env[key] = fillTemplate(template, values);
  return env;
}
