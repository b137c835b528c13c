import Table from 'cli-table3';
import { DEFAULT_PORTS } from '../../mock-servers/index.ts';
import { SERVICES, SERVICE_NAMES, endpointOf } from '../services/config.ts';
import { jarsCached } from '../services/kafka-local.ts';
import { probeService } from '../services/drivers.ts';
import { portInUse } from '../services/probe.ts';
import { dockerEngineRuns, firstLine } from '../services/tools.ts';
import { rabbitVhostsAvailable } from '../harness/broker-scope.ts';
import { NAMESPACE_INSTALL_HINT, describeIsolation, namespaceSupport } from '../harness/sandbox/index.ts';
import { bad, bold, dim, ok } from '../ui.ts';

export interface Check {
  name: string;
  ok: boolean;
  /** Needed for labs to run; the others only matter for some ways of getting a broker. */
  required: boolean;
  found: string;
  fix: string;
}

export const MIN_NODE = [22, 18] as const;

export function nodeVersionOk(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

export function javaMajor(line: string | undefined): number | undefined {
  const match = line?.match(/version "(\d+)(?:\.(\d+))?/);
  if (!match) return undefined;
  // Java 8 and older report "1.8.0_…"
  return match[1] === '1' ? Number(match[2]) : Number(match[1]);
}

/** Ports that `npm start` and `lab start` listen on, besides the brokers'. */
export const LAB_PORTS: Record<string, number> = {
  'course site': 5173,
  'lab app': 3000,
  ...Object.fromEntries(Object.entries(DEFAULT_PORTS).map(([name, port]) => [`mock ${name}`, port])),
};

export async function runChecks(): Promise<Check[]> {
  const checks: Check[] = [];
  const nodeOk = nodeVersionOk(process.version);
  checks.push({
    name: 'Node.js ≥ 22.18',
    ok: nodeOk,
    required: true,
    found: process.version,
    fix: nodeOk ? '' : 'install Node 24 LTS: nvm install 24 && nvm use 24',
  });

  const docker = await dockerEngineRuns();
  checks.push({
    name: 'Docker engine',
    ok: docker,
    required: false,
    found: docker ? 'running' : 'not running (fine if the brokers run another way)',
    fix: docker ? '' : 'start Docker Desktop, or: sudo systemctl start docker',
  });

  for (const name of SERVICE_NAMES) {
    const probe = await probeService(name, 2000);
    checks.push({
      name: SERVICES[name].title,
      ok: probe.ready,
      required: true,
      found: probe.detail,
      fix: probe.ready
        ? ''
        : probe.portBusy
          ? `free port ${endpointOf(name).port}, then: npm run lab -- services up ${name}`
          : `npm run lab -- services up ${name}`,
    });
  }

  const javaLine = await firstLine('java', ['-version']);
  const major = javaMajor(javaLine);
  const javaOk = major !== undefined && major >= 17;
  checks.push({
    name: 'Java ≥ 17 (local Kafka)',
    ok: javaOk,
    required: false,
    found: javaLine ?? 'not found',
    fix: javaOk ? '' : 'apt-get install openjdk-17-jre-headless   (macOS: brew install openjdk@17)',
  });

  const mvnLine = await firstLine('mvn', ['-v']);
  const cached = jarsCached();
  checks.push({
    name: 'Maven (fetches Kafka once)',
    ok: mvnLine !== undefined || cached,
    required: false,
    found: [mvnLine ?? 'not found', cached ? 'Kafka jars cached' : 'Kafka jars not cached yet'].join('; '),
    fix: mvnLine || cached ? '' : 'apt-get install maven   (macOS: brew install maven)',
  });

  const ns = namespaceSupport();
  checks.push({
    name: 'Grading sandbox',
    ok: ns.ok,
    required: false,
    found: ns.ok ? describeIsolation(['permission', 'namespace']) : `${describeIsolation(['permission'])}: ${ns.why}`,
    fix: ns.ok ? '' : NAMESPACE_INSTALL_HINT,
  });
  const vhosts = await rabbitVhostsAvailable();
  checks.push({
    name: 'RabbitMQ vhost per grading run',
    ok: vhosts,
    required: false,
    found: vhosts ? 'management API answers' : 'no management API: RabbitMQ labs grade one submission at a time',
    fix: vhosts ? '' : 'rabbitmq-plugins enable rabbitmq_management   (the Docker image has it)',
  });

  const busy: string[] = [];
  for (const [what, port] of Object.entries(LAB_PORTS)) {
    if (await portInUse(port)) busy.push(`${port} (${what})`);
  }
  checks.push({
    name: 'Free ports',
    ok: busy.length === 0,
    required: false,
    found: busy.length ? `in use: ${busy.join(', ')}` : Object.values(LAB_PORTS).join(', ') + ' free',
    fix: busy.length ? 'stop what holds the port (lsof -i :PORT), or pass --port' : '',
  });
  return checks;
}

export async function doctorCommand(): Promise<void> {
  const checks = await runChecks();
  const table = new Table({
    head: ['', 'check', 'found', 'fix'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [3, 28, 48, 52],
  });
  for (const c of checks) {
    table.push([c.ok ? ok() : c.required ? bad() : dim('✗'), c.name, c.found, c.fix]);
  }
  console.log(table.toString());
  const blocking = checks.filter((c) => c.required && !c.ok);
  if (blocking.length) {
    console.log(`${bad('Labs cannot run yet:')} fix ${blocking.map((c) => c.name).join(', ')} (see the fix column).`);
    process.exitCode = 1;
  } else {
    console.log(`${ok('Ready:')} ${bold('labs can run.')}`);
  }
}
