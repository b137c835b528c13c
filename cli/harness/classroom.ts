// GitHub Classroom: the workflow the student edition carries. On every push it runs each lab's public tests with
// `lab check NN --json` and hands the results to Classroom's autograding reporter, which sends the points to Classroom.
import type { LabSpec } from './types.ts';

export const CLASSROOM_WORKFLOW = '.github/workflows/classroom.yml';

/** The reporter takes runner ids of letters and digits only: `lab00`, `lab01`, … */
export const runnerId = (lab: LabSpec) => `lab${lab.id.slice(0, 2)}`;

/** The shell of one lab's step: check, keep going when tests fail, and put the result where the reporter reads it. */
export function labStepScript(lab: LabSpec): string {
  const file = `.lab-results/${runnerId(lab)}.json`;
  return [
    `npm run lab -- check ${lab.id.slice(0, 2)} --json ${file} || true`,
    `[ -s ${file} ] || echo '{"version":1,"status":"error","max_score":0,"tests":[]}' > ${file}`,
    `echo "result=$(base64 -w0 ${file})" >> "$GITHUB_OUTPUT"`,
  ].join('\n');
}

const indent = (text: string, spaces: number) =>
  text
    .split('\n')
    .map((l) => ' '.repeat(spaces) + l)
    .join('\n');

export function classroomWorkflow(labs: LabSpec[]): string {
  const needsRabbit = labs.some((l) => l.services.includes('rabbitmq'));
  const steps = labs.map((lab) =>
    [
      `      - name: Lab ${lab.id}`,
      `        id: ${runnerId(lab)}`,
      '        run: |',
      indent(labStepScript(lab), 10),
    ].join('\n'),
  );
  return `# GitHub Classroom autograding, written by \`lab export --student\`: on every push, each lab's public tests run
# (npm run lab -- check NN) and Classroom's reporter sends the points to Classroom. An assignment that covers fewer
# labs keeps only their steps and runner ids. The hidden tests are not here: instructors grade them with lab grade.
name: Autograding
on:
  push:
  workflow_dispatch:
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  autograding:
    runs-on: ubuntu-latest
    timeout-minutes: 30
${
  needsRabbit
    ? `    services:
      rabbitmq:
        image: rabbitmq:4-management
        ports:
          - 5672:5672
          - 15672:15672
`
    : ''
}    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 24
          cache: npm
      - run: npm ci
${steps.join('\n')}
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
${labs.map((lab) => `          ${runnerId(lab).toUpperCase()}_RESULTS: "\${{ steps.${runnerId(lab)}.outputs.result }}"`).join('\n')}
        with:
          runners: ${labs.map(runnerId).join(',')}
`;
}
