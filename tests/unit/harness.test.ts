import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fillTemplate, labEnvironment } from '../../cli/harness/environment.ts';
import { extractRegion, inlineSolutionSnippets, isInstructorOnly } from '../../cli/harness/export.ts';
import { findLab, loadLab } from '../../cli/harness/labs.ts';
import { loadMutants, materializeMutant } from '../../cli/harness/mutants.ts';
import { gradebookCsv, gradescopeResults, junitXml } from '../../cli/harness/reports.ts';
import type { SubmissionResult } from '../../cli/harness/types.ts';

function labFolder(json: unknown, name = '07-sample'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'lab-json-')), name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'lab.json'), typeof json === 'string' ? json : JSON.stringify(json));
  return dir;
}
const valid = { id: '07-sample', title: 'A sample', order: 7, entry: 'main.ts', ready: { http: '/health' } };

describe('lab.json', () => {
  test('a valid file loads with defaults for what it leaves out', () => {
    const lab = loadLab(labFolder(valid));
    expect(lab).toMatchObject({ services: [], mocks: [], env: {}, limits: { startMs: 15_000 } });
  });
  test('errors name the file and every bad field', () => {
    const dir = labFolder({ ...valid, services: ['redis'], ready: {}, colour: 'blue' });
    expect(() => loadLab(dir)).toThrow(/07-sample\/lab\.json is not a valid lab\.json/);
    const message = (() => {
      try {
        loadLab(dir);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toMatch(/services\.0: must be equal to one of the allowed values \(rabbitmq, kafka\)/);
    expect(message).toMatch(/\(top level\): must NOT have additional properties "colour"/);
    expect(message).toMatch(/ready: must have required property 'http'/);
  });
  test('a suite lab (kind "suite": its entry is a test suite) has no ready check; an app lab must have one', () => {
    const { ready: _, ...noReady } = valid;
    expect(loadLab(labFolder({ ...noReady, kind: 'suite' }))).toMatchObject({ kind: 'suite' });
    expect(loadLab(labFolder(valid))).toMatchObject({ kind: 'app', ready: { http: '/health' } });
    expect(() => loadLab(labFolder(noReady))).toThrow(/must have required property 'ready'/);
    expect(() => loadLab(labFolder({ ...valid, kind: 'suite' }))).toThrow(
      /07-sample\/lab\.json is not a valid lab\.json/,
    );
  });
  test('broken JSON is reported with the file name', () => {
    expect(() => loadLab(labFolder('{ "id": '))).toThrow(/lab\.json: .*JSON/);
  });
  test('the id must equal the folder name', () => {
    expect(() => loadLab(labFolder(valid, '08-other'))).toThrow(/id "07-sample" must equal the folder name "08-other"/);
  });
  test('labs are found by number or id; an unknown one lists the labs', () => {
    expect(findLab('0').id).toBe('00-warmup');
    expect(findLab('00-warmup').id).toBe('00-warmup');
    expect(() => findLab('99')).toThrow(/no lab "99"\. Labs:\n {2}00-warmup/);
  });
});

describe('lab environment templates', () => {
  test('fills ports, prefixes and mock fields; refuses what it cannot fill', () => {
    const values = {
      port: 4000,
      prefix: 'lab-x',
      mocks: { stripe: { url: 'http://127.0.0.1:1', secrets: { api_key: 'sk_test_1' } } },
    };
    expect(fillTemplate('${mocks.stripe.url}/v1 ${port} ${prefix}', values)).toBe('http://127.0.0.1:1/v1 4000 lab-x');
    expect(fillTemplate('${mocks.stripe.secrets.api_key}', values)).toBe('sk_test_1');
    expect(() => fillTemplate('${mocks.github.url}', values)).toThrow(
      /nothing to fill in for \$\{mocks\.github\.url\}/,
    );
  });

  // A started mock as the harness holds it: the app may get its URL, port and secrets, never its control token.
  const started = {
    url: 'http://127.0.0.1:12111',
    controlToken: 'ctl_only-the-harness-holds-this',
    secrets: { api_key: 'sk_test_1' },
    mock: { controlToken: 'ctl_only-the-harness-holds-this' },
  };
  const stripeLab = (env: Record<string, string>) => ({ ...valid, mocks: ['stripe'], env });

  test("a lab.json that would hand the app a mock's control token does not load, and says why", () => {
    expect(() => loadLab(labFolder(stripeLab({ CONTROL: '${mocks.stripe.controlToken}' })))).toThrow(
      /env\.CONTROL: \$\{mocks\.stripe\.controlToken\} would hand the app the stripe mock's control token\. Only the harness holds it/,
    );
    expect(() => loadLab(labFolder(stripeLab({ CONTROL: '${mocks.stripe.mock.controlToken}' })))).toThrow(
      /env\.CONTROL: .* a lab app can be given \$\{mocks\.stripe\.url\}, \$\{mocks\.stripe\.port\} or \$\{mocks\.stripe\.secrets\.FIELD\} only/,
    );
    expect(() => loadLab(labFolder(stripeLab({ HOOKS: '${mocks.github.url}' })))).toThrow(
      /names a mock the lab does not list in "mocks" \(stripe\)/,
    );
    expect(() => loadLab(labFolder(stripeLab({ X: '${mocks.stripe.secrets}' })))).toThrow(/secrets\.FIELD\} only/);
    expect(
      loadLab(
        labFolder(
          stripeLab({ KEY: '${mocks.stripe.secrets.api_key}', BASE: '${mocks.stripe.url}:${mocks.stripe.port}' }),
        ),
      ).env,
    ).toHaveProperty('KEY');
  });

  test("even a lab that skipped loadLab cannot reach the token: the app's environment never contains it", () => {
    const lab = { ...loadLab(labFolder(valid)), mocks: ['stripe' as const] };
    const env = labEnvironment(
      { ...lab, env: { KEY: '${mocks.stripe.secrets.api_key}', PORT_OF_MOCK: '${mocks.stripe.port}' } },
      { port: 4000, prefix: 'p', mocks: { stripe: started } },
    );
    expect(env).toMatchObject({ STRIPE_MOCK_URL: started.url, KEY: 'sk_test_1', PORT_OF_MOCK: '12111' });
    expect(JSON.stringify(env)).not.toContain(started.controlToken);
    for (const template of ['${mocks.stripe.controlToken}', '${mocks.stripe.mock.controlToken}']) {
      expect(() =>
        labEnvironment({ ...lab, env: { T: template } }, { port: 4000, prefix: 'p', mocks: { stripe: started } }),
      ).toThrow(/nothing to fill in/);
    }
  });
});

describe('mutants', () => {
  test('lab 00 has its mutants, each naming what catches it', () => {
    const mutants = loadMutants(findLab('00'));
    expect(mutants.length).toBeGreaterThanOrEqual(3);
    for (const m of mutants) expect(m.rule ?? m.catches?.length).toBeTruthy();
  });
  test('an edit whose text is not found exactly once is an error, not a silent no-op', () => {
    const lab = findLab('00');
    expect(() =>
      materializeMutant(lab, {
        slug: 'drifted',
        description: '',
        catches: ['x'],
        edits: [{ file: 'main.ts', find: 'no such text', replace: '' }],
      }),
    ).toThrow(/occurs 0 times in solution\/main\.ts/);
  });
});

describe('student edition', () => {
  test('instructor-only paths', () => {
    expect(isInstructorOnly('labs/03-x/solution/main.ts')).toBe(true);
    expect(isInstructorOnly('labs/03-x/tests/hidden/a.test.ts')).toBe(true);
    expect(isInstructorOnly('labs/03-x/mutants/a.json')).toBe(true);
    expect(isInstructorOnly('labs/03-x/tests/public/a.test.ts')).toBe(false);
    expect(isInstructorOnly('labs/03-x/starter/main.ts')).toBe(false);
  });
  test('solution includes in lessons become the code of their region', () => {
    const source =
      'a\n// #region greet\nconst x = 1;\n// #region inner\nconst y = 2;\n// #endregion inner\n// #endregion greet\nz';
    expect(extractRegion(source, 'greet')).toBe('const x = 1;\nconst y = 2;');
    const md = 'Intro\n<<< @/labs/00-warmup/solution/main.ts#health\nOutro';
    expect(inlineSolutionSnippets(md)).toBe(
      "Intro\n```ts\napp.get('/health', (c) => c.json({ status: 'ok' }));\n```\nOutro",
    );
    expect(inlineSolutionSnippets('<<< @/labs/00-warmup/starter/main.ts')).toBe('<<< @/labs/00-warmup/starter/main.ts');
  });
});

describe('reports', () => {
  const result: SubmissionResult = {
    submission: 'ada',
    lab: '00-warmup',
    score: 1,
    maxScore: 3,
    durationMs: 1500,
    problems: [],
    isolation: 'Node permission model only',
    tests: [
      {
        name: 'first',
        file: 'public/a.test.ts',
        visibility: 'public',
        points: 1,
        score: 1,
        status: 'passed',
        durationMs: 10,
      },
      {
        name: 'second, with "quotes"',
        file: 'hidden/b.test.ts',
        visibility: 'hidden',
        points: 2,
        score: 0,
        status: 'failed',
        hint: 'look here',
        message: 'expected 1 to be 2',
        durationMs: 12,
      },
    ],
  };
  test('Gradescope results: scores, statuses, hidden tests visible only after publishing, hint in the output', () => {
    const r = gradescopeResults(result) as { score: number; max_score: number; tests: Record<string, unknown>[] };
    expect(r.score).toBe(1);
    expect(r.max_score).toBe(3);
    expect(r.tests[1]).toMatchObject({ status: 'failed', max_score: 2, score: 0, visibility: 'after_published' });
    expect(r.tests[1]!.output).toContain('Hint: look here');
  });
  test('gradebook CSV quotes what needs quoting', () => {
    const csv = gradebookCsv([result]);
    expect(csv.split('\n')[0]).toBe('submission,score,max_score,percent,first,"second, with ""quotes""",problems');
    expect(csv.split('\n')[1]).toBe('ada,1,3,33.3,1,0,');
  });
  test('JUnit XML escapes and counts failures', () => {
    const xml = junitXml(findLab('00'), [result]);
    expect(xml).toContain('failures="1"');
    expect(xml).toContain('second, with &quot;quotes&quot;');
  });
});
