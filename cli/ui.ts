import { styleText } from 'node:util';

/** Terminal output helpers shared by every command (colours only on a TTY). */
const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (format: Parameters<typeof styleText>[0], text: string) => (tty ? styleText(format, text) : text);

export const ok = (text = '✓') => paint('green', text);
export const bad = (text = '✗') => paint('red', text);
export const dim = (text: string) => paint('dim', text);
export const bold = (text: string) => paint('bold', text);

export function fail(message: string): never {
  process.stderr.write(`${bad('error:')} ${message}\n`);
  process.exit(1);
}
