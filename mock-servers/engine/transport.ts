import http from 'node:http';
import https from 'node:https';

/*
 * The engine's HTTP client: a plain POST over node:http(s) with keep-alive agents. Webhook senders reuse connections
 * to a receiver, and fetch() costs several times more per request than node:http here (see bench/webhooks.ts).
 * Redirects are not followed: a webhook sender treats a 3xx as a failed attempt.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

export interface PostResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** POST `body`; rejects on a network error, when `signal` aborts, or with a TimeoutError after `timeoutMs`. */
export function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  { signal, timeoutMs }: { signal: AbortSignal; timeoutMs: number },
): Promise<PostResponse> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  const agent = agents[target.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new Error(`unsupported URL scheme ${target.protocol}`));
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent, signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: Object.fromEntries(
              Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]),
            ),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    // One timer for the whole exchange (connect, send, wait, read), like fetch with AbortSignal.timeout.
    const timer = setTimeout(
      () => req.destroy(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { name: 'TimeoutError' })),
      timeoutMs,
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(signal.aborted && signal.reason instanceof Error ? signal.reason : error);
    });
    req.end(body);
  });
}
