// Done for you: a stand-in for the e-mail provider. Do not change this file; the grader reads what it writes.
//
// - One SMTP connection: e-mails go out one at a time, each taking SEND_DELAY_MS (default 100 ms).
// - An address at the domain `fail.test` is refused every time (like a mailbox that does not exist): send() throws.
// - Every sent e-mail and every refusal is appended to SENT_LOG (a JSON-lines file), so the record survives a crash
//   and GET /sent can show it. Think of it as the provider's dashboard.
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Email {
  id: string;
  to: string;
  subject: string;
  body?: string;
}

export interface LogEntry {
  kind: 'sent' | 'failed';
  id: string;
  to: string;
  at: string;
  worker: number;
  error?: string;
}

export class MailerError extends Error {}

export interface Mailer {
  /** Send one e-mail (waits for the ones before it); throws MailerError when the provider refuses it. */
  send(email: Email): Promise<void>;
  /** Everything sent or refused so far, oldest first, read back from the log file. */
  log(): LogEntry[];
}

export function createMailer({
  file = process.env.SENT_LOG ?? join(tmpdir(), 'integration-lab', `06-${process.env.NAME_PREFIX ?? 'dev'}-${process.env.PORT ?? 0}.jsonl`),
  delayMs = Number(process.env.SEND_DELAY_MS ?? 100),
}: { file?: string; delayMs?: number } = {}): Mailer {
  mkdirSync(dirname(file), { recursive: true });
  let line: Promise<void> = Promise.resolve();

  const record = (entry: LogEntry) => {
    const fd = openSync(file, 'a');
    try {
      appendFileSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd); // on disk before send() resolves: a crash after this line cannot undo the send
    } finally {
      closeSync(fd);
    }
  };

  const sendNow = async (email: Email) => {
    await new Promise((r) => setTimeout(r, delayMs));
    const base = { id: email.id, to: email.to, at: new Date().toISOString(), worker: process.pid };
    if (email.to.toLowerCase().endsWith('@fail.test')) {
      const error = `550 mailbox ${email.to} unavailable`;
      record({ kind: 'failed', ...base, error });
      throw new MailerError(error);
    }
    record({ kind: 'sent', ...base });
  };

  return {
    send(email) {
      const result = line.then(() => sendNow(email));
      line = result.catch(() => {});
      return result;
    },
    log() {
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LogEntry);
    },
  };
}
