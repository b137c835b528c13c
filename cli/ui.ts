import { styleText } from 'node:util';
import { InvalidArgumentError } from 'commander';

/** Terminal output helpers shared by every command (colours only on a TTY). */
const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (format: Parameters<typeof styleText>[0], text: string) => (tty ? styleText(format, text) : text);

export const ok = (text = '✓') => paint('green', text);
export const bad = (text = '✗') => paint('red', text);
export const dim = (text: string) => paint('dim', text);
export const bold = (text: string) => paint('bold', text);

/**
 * Commander's parser for every --port option: a whole number in range, else commander's own error
 * ("option '--port <port>' argument '70000' is invalid. a port is a whole number from 1 to 65535").
 */
export function portOption(min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > 65535)
      throw new InvalidArgumentError(`a port is a whole number from ${min} to 65535`);
    return n;
  };
}

/**
 * Every command's error exit: the message on stderr; exit code 1, or 2 for an unknown name (a usage error).
 * `label`: the word before it, in the language of the message (student commands: messages(lang).error).
 */
export function fail(message: string, code: 1 | 2 = 1, label = 'error:'): never {
  process.stderr.write(`${bad(label)} ${message}\n`);
  process.exit(code);
}
