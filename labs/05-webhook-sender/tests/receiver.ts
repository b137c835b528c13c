// A recording webhook receiver the tests run themselves (node:http on 127.0.0.1): it logs every request and answers
// what each test scripts for its path (a status, headers, or a hang to provoke a timeout).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  path: string;
  at: number;
  headers: Record<string, string>;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (longer than the sender's timeout = a timeout). */
  hangMs?: number;
  /** Cut the connection without answering (a network error for the sender). */
  drop?: boolean;
}

/** Decides the answer to the `nth` request (1-based) on one path. */
export type Script = (nth: number, request: Received) => Reply;

export interface Receiver {
  url: string;
  /** Requests to a path, in arrival order. */
  requests(path: string): Received[];
  script(path: string, script: Script): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const log: Received[] = [];
  const scripts = new Map<string, Script>();
  const hanging = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
      );
      const request: Received = {
        path: req.url ?? '/',
        at: Date.now(),
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      log.push(request);
      const nth = log.filter((r) => r.path === request.path).length;
      const reply: Reply = (scripts.get(request.path) ?? (() => ({ status: 200 })))(nth, request);
      const answer = () => {
        if (res.destroyed) return;
        if (reply.drop) {
          req.socket.destroy();
          return;
        }
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        res.end(String(reply.status));
      };
      if (reply.hangMs) {
        const timer = setTimeout(() => {
          hanging.delete(timer);
          answer();
        }, reply.hangMs);
        hanging.add(timer);
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: (path) => log.filter((r) => r.path === path),
    script: (path, script) => void scripts.set(path, script),
    async close() {
      for (const t of hanging) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Verify one received request with the standardwebhooks library (throws with its reason when it does not verify). */
export function verify(secret: string, request: Received): unknown {
  return new Webhook(secret).verify(request.body, {
    'webhook-id': request.headers['webhook-id'] ?? '',
    'webhook-timestamp': request.headers['webhook-timestamp'] ?? '',
    'webhook-signature': request.headers['webhook-signature'] ?? '',
  });
}
