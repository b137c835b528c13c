// What a lab app prints that is library chatter and needs nothing from the student: kafkajs logging every rebalance and
// every retried broker answer, and Node's TimeoutNegativeWarning that kafkajs 2.2.4 triggers on every connection
// (see ../services/kafkajs-quirks.ts). `lab start` and `lab check` leave it off the screen (--verbose shows all).
// For display only: what the harness keeps and grades (output limits, a ready log line, results) is the app's output
// exactly as printed.
import { createRequire } from 'node:module';

/** Messages of the broker errors kafkajs retries by itself, from kafkajs's own table of Kafka protocol errors. */
const retriable = new Set(
  (
    createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
      errorCodes: { message: string; retriable: boolean }[];
    }
  ).errorCodes
    .filter((e) => e.retriable)
    .map((e) => e.message),
);

// kafkajs's default log line: {"level":"ERROR","timestamp":…,"logger":"kafkajs","message":"[Runner] …",…}. Matched
// with a pattern, not JSON.parse, because failure excerpts cut long lines.
const KAFKAJS_LINE = /^\{"level":"\w+",.*?"logger":"kafkajs","message":"((?:[^"\\]|\\.)*)"/;
const GROUP_MEMBERSHIP =
  /^\[Runner\] (The group is rebalancing, re-joining|The coordinator is not aware of this member, re-joining the group)$/;
const CRASH = /^\[Consumer\] Crash: KafkaJSNumberOfRetriesExceeded: (.*)$/;
const RESTART = /^\[Consumer\] Restarting the consumer in \d+ms$/;
const NODE_WARNING = /^\(node:\d+\) (\w+): /;

export class NoiseFilter {
  /** Lines left off so far. */
  hidden = 0;
  #after: 'warning' | 'crash' | undefined;

  /** Whether the student should see this line of app output (one line, without its newline). */
  keep(line: string): boolean {
    const show = !this.#isNoise(line);
    if (!show) this.hidden++;
    return show;
  }

  #isNoise(line: string): boolean {
    const after = this.#after;
    this.#after = undefined;
    const warning = NODE_WARNING.exec(line);
    if (warning) {
      if (warning[1] !== 'TimeoutNegativeWarning') return false;
      this.#after = 'warning';
      return true;
    }
    // The rest of a hidden warning: its second line, and Node's "(Use `node --trace-warnings ...`" after the first one.
    if (
      after === 'warning' &&
      (/^Timeout duration was set to \d+\.$/.test(line) || line.startsWith('(Use `node --trace-warnings'))
    ) {
      this.#after = 'warning';
      return true;
    }
    const kafkajs = KAFKAJS_LINE.exec(line);
    if (!kafkajs) return false;
    const message = JSON.parse(`"${kafkajs[1]}"`) as string;
    // A failed broker answer: kafkajs retries it, or hands the error to the app's code, which then says so itself.
    if (message.startsWith('[Connection] Response ')) return true;
    if (GROUP_MEMBERSHIP.test(message)) return true;
    // A consumer that gave up on a broker error kafkajs retries restarts by itself ("Restarting the consumer in …").
    // A crash from the app's own eachMessage stays visible, and so does the restart after it.
    const crash = CRASH.exec(message);
    if (crash) {
      if (!retriable.has(crash[1]!)) return false;
      this.#after = 'crash';
      return true;
    }
    return after === 'crash' && RESTART.test(message);
  }
}

/** The lines of `text` the student should see, and how many were left off. */
export function withoutNoise(lines: string[]): { lines: string[]; hidden: number } {
  const filter = new NoiseFilter();
  const kept = lines.filter((line) => filter.keep(line));
  return { lines: kept, hidden: filter.hidden };
}

/** How AppProcess.outputTail() marks the lines of app output it quotes in a message. */
const EXCERPT = '  | ';

/** A harness message quoting the app's output ("  | " lines): the same message, with the quoted chatter left off. */
export function quietExcerpt(message: string): string {
  const filter = new NoiseFilter();
  const lines = message.split('\n');
  const kept = lines.filter((line) => !line.startsWith(EXCERPT) || filter.keep(line.slice(EXCERPT.length)));
  if (filter.hidden) {
    const last = kept.findLastIndex((line) => line.startsWith(EXCERPT)) + 1 || kept.length;
    kept.splice(last, 0, `${EXCERPT}(${filter.hidden} line(s) of Kafka client chatter left out; --verbose shows them)`);
  }
  return kept.join('\n');
}

/**
 * A stream of app output for the screen: whole lines, chatter left off. A partial line is held until its newline, or
 * shown after `holdMs` (a prompt without a newline). `onFirstHidden` runs once, when the first line is left off.
 */
export function displayStream(
  write: (text: string) => void,
  { onFirstHidden, holdMs = 200 }: { onFirstHidden?: () => void; holdMs?: number } = {},
) {
  const filter = new NoiseFilter();
  let partial = '';
  let timer: NodeJS.Timeout | undefined;
  const emit = (lines: string[], complete: boolean) => {
    const shown = lines.filter((line) => {
      const keep = filter.keep(line);
      if (!keep && filter.hidden === 1) onFirstHidden?.();
      return keep;
    });
    if (shown.length) write(shown.join('\n') + (complete ? '\n' : ''));
  };
  const flush = () => {
    clearTimeout(timer);
    if (partial) emit([partial], false);
    partial = '';
  };
  return {
    push(chunk: Buffer | string): void {
      clearTimeout(timer);
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      if (lines.length) emit(lines, true);
      if (partial) timer = setTimeout(flush, holdMs).unref();
    },
    flush,
  };
}
