import { execa } from 'execa';

/** Runs a command and reports whether it exited 0 within the time limit; never throws. */
export async function succeeds(file: string, args: string[], timeoutMs = 5000): Promise<boolean> {
  const result = await execa(file, args, { reject: false, timeout: timeoutMs, stdio: 'ignore' });
  return result.exitCode === 0 && !result.timedOut;
}

/** First line of a command's output (stdout or stderr), or undefined when it cannot run. */
export async function firstLine(file: string, args: string[], timeoutMs = 5000): Promise<string | undefined> {
  const result = await execa(file, args, { reject: false, timeout: timeoutMs, all: true });
  if (result.exitCode !== 0 || result.failed) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the colour codes this strips
  const text = String(result.all ?? '').replace(/\x1b\[[0-9;]*m/g, '');
  return text
    .split('\n')
    .find((line) => line.trim())
    ?.trim();
}

export async function onPath(command: string): Promise<boolean> {
  return succeeds('sh', ['-c', `command -v ${command}`], 3000);
}

export function dockerEngineRuns(): Promise<boolean> {
  return succeeds('docker', ['info', '--format', '{{.ServerVersion}}'], 8000);
}
