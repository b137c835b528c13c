import { amqpUrl, kafkaBrokers, SERVICES } from '../services/config.ts';
import type { LabSpec } from './types.ts';

const TEMPLATE = /\$\{([a-zA-Z0-9_.]+)\}/g;
const TOP_LEVEL = ['port', 'prefix', 'amqpUrl', 'kafkaBrokers', 'mocks'];
/**
 * What lab.json may fill in from a started mock: its URL, its port and its secrets (the vendor credentials an app
 * legitimately holds). Never its control token: whoever holds it steers the mock that grades the app.
 */
const MOCK_FIELDS = ['url', 'port', 'secrets'];

/** Fill ${port}, ${prefix}, ${amqpUrl}, ${kafkaBrokers}, ${mocks.NAME.url|port|secrets.FIELD} from `values`. */
export function fillTemplate(template: string, values: Record<string, unknown>): string {
  return template.replace(TEMPLATE, (whole, path: string) => {
    const value = path
      .split('.')
      .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], values);
    if (value === undefined || value === null || typeof value === 'object') {
      throw new Error(`lab.json env: nothing to fill in for ${whole}`);
    }
    return String(value);
  });
}

/** What is wrong with a lab's `env` templates (empty: nothing); `loadLab` refuses a lab.json with problems. */
export function templateProblems(lab: Pick<LabSpec, 'env' | 'mocks'>): string[] {
  const problems: string[] = [];
  for (const [key, template] of Object.entries(lab.env)) {
    for (const [whole, path] of template.matchAll(TEMPLATE)) {
      const [root, name, field, ...rest] = path!.split('.');
      const where = `env.${key}: ${whole}`;
      if (!TOP_LEVEL.includes(root!)) {
        problems.push(
          `${where} is not a template; use ${TOP_LEVEL.filter((t) => t !== 'mocks')
            .map((t) => `\${${t}}`)
            .join(', ')} or \${mocks.NAME.…}`,
        );
      } else if (root !== 'mocks') {
        if (name !== undefined) problems.push(`${where}: \${${root}} has no fields`);
      } else if (!(lab.mocks as string[]).includes(name ?? '')) {
        problems.push(`${where} names a mock the lab does not list in "mocks" (${lab.mocks.join(', ') || 'none'})`);
      } else if (field !== undefined && /^control[_-]?token$/i.test(field)) {
        problems.push(
          `${where} would hand the app the ${name} mock's control token. Only the harness holds it: an app that had it could clear the faults and reset the counters its grade depends on`,
        );
      } else if (!MOCK_FIELDS.includes(field ?? '') || (field === 'secrets') !== rest.length > 0) {
        problems.push(
          `${where}: a lab app can be given \${mocks.${name}.url}, \${mocks.${name}.port} or \${mocks.${name}.secrets.FIELD} only`,
        );
      }
    }
  }
  return problems;
}

/** The fields of each started mock that templates may read (see MOCK_FIELDS); nothing else of it is reachable. */
function templateView(mocks: Record<string, { url: string; secrets?: Record<string, unknown> } | undefined>) {
  const view: Record<string, { url: string; port: number; secrets: Record<string, unknown> }> = {};
  for (const [name, mock] of Object.entries(mocks)) {
    if (mock) view[name] = { url: mock.url, port: Number(new URL(mock.url).port), secrets: { ...mock.secrets } };
  }
  return view;
}

/**
 * The whole environment a lab app receives (besides PORT): the name prefix, the brokers it needs, each mock's URL
 * as <NAME>_MOCK_URL, then the lab's own `env` templates. One definition for tests, `lab start` and grading.
 */
export function labEnvironment(
  lab: LabSpec,
  {
    port,
    prefix,
    mocks,
  }: {
    port: number;
    prefix: string;
    mocks: Record<string, { url: string; secrets?: Record<string, unknown> } | undefined>;
  },
): Record<string, string> {
  const env: Record<string, string> = { NAME_PREFIX: prefix };
  for (const name of lab.services) env[SERVICES[name].clientEnv.variable] = SERVICES[name].clientValue();
  for (const [name, mock] of Object.entries(mocks)) if (mock) env[`${name.toUpperCase()}_MOCK_URL`] = mock.url;
  const values = {
    port,
    prefix,
    amqpUrl: amqpUrl(),
    kafkaBrokers: kafkaBrokers().join(','),
    mocks: templateView(mocks),
  };
  for (const [key, template] of Object.entries(lab.env)) env[key] = fillTemplate(template, values);
  return env;
}
