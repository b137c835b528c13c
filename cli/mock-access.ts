// How people reach the mocks the CLI starts: each mock's control token is printed (inspector link, shell variable,
// curl example) and kept in a private state file, so that `lab start` in another terminal can use a mock that
// `npm start` or `lab mock` already runs. Lab apps never get the token (see cli/harness/environment.ts).
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROL_TOKEN_HEADER, controlTokenVariable } from '../mock-servers/shared/control-token.ts';
import { stateDir } from './services/config.ts';
import { dim } from './ui.ts';

export interface MockAccess {
  name: string;
  url: string;
  controlToken: string;
  /** The process that started the mock (and removes the file when it stops it). */
  pid: number;
}

/** `~/.local/state/integration-lab/mocks/<name>-<port>.json` (INTEGRATION_LAB_STATE / XDG_STATE_HOME move it). */
export const mockAccessFile = (name: string, port: number): string => join(stateDir(), 'mocks', `${name}-${port}.json`);

/**
 * Write how to reach a mock this process runs, readable by this user only (0600, in a 0700 folder). Returns how to
 * remove it again (also done when the process exits), which leaves the file alone if another process has written it
 * since.
 */
export function recordMockAccess(mock: { name: string; url: string; port: number; controlToken: string }): () => void {
  const file = mockAccessFile(mock.name, mock.port);
  const dir = join(stateDir(), 'mocks');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700); // also when an older folder was made with a wider mode
  const access: MockAccess = { name: mock.name, url: mock.url, controlToken: mock.controlToken, pid: process.pid };
  // Written aside, then renamed: the file is never there with a wider mode or half its content.
  const scratch = `${file}.${process.pid}.tmp`;
  writeFileSync(scratch, `${JSON.stringify(access, null, 2)}\n`, { mode: 0o600 });
  renameSync(scratch, file);
  const forget = () => {
    process.off('exit', forget);
    if (readMockAccess(mock.name, mock.port)?.pid === process.pid) rmSync(file, { force: true });
  };
  process.on('exit', forget);
  return forget;
}

/** What a running `lab mock` / `npm start` wrote for the mock on `port`, if anything. */
export function readMockAccess(name: string, port: number): MockAccess | undefined {
  try {
    const access = JSON.parse(readFileSync(mockAccessFile(name, port), 'utf8')) as Partial<MockAccess>;
    if (typeof access.url !== 'string' || typeof access.controlToken !== 'string' || typeof access.pid !== 'number')
      return undefined;
    return { name, url: access.url, controlToken: access.controlToken, pid: access.pid };
  } catch {
    return undefined;
  }
}

/**
 * What a person needs to drive a mock by hand: the inspector link (with the token), the token as a shell variable
 * (the READMEs' curl commands use it) and a curl example that works as pasted.
 */
export async function mockAccessLines(mock: { name: string; url: string; controlToken: string }): Promise<string[]> {
  // Loaded here, not at the top: every `lab` command imports this file, only these three start mocks.
  const { inspectorUrl } = await import('../mock-servers/index.ts');
  const inspector = await inspectorUrl(mock);
  return [
    ...(inspector ? [`  inspector    ${inspector}`] : []),
    `  control API  ${mock.url}/_control  ${dim(`(needs the control token; see mock-servers/README.md)`)}`,
    `  export ${controlTokenVariable(mock.name)}=${mock.controlToken}`,
    `  curl -s -H '${CONTROL_TOKEN_HEADER}: ${mock.controlToken}' ${mock.url}/_control/secrets`,
  ];
}
