// Signed webhook deliveries per second: the shared engine (Stripe signing, delivery log, fault checks) against a
// bare `fetch` sender and a bare keep-alive `node:http` sender posting the same bodies unsigned, all to one local
// node:http receiver, same concurrency.
// Prints figures, asserts nothing. Run: node bench/webhooks.ts [count]
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDeliveryEngine } from '../mock-servers/engine/index.ts';

const COUNT = Math.min(Number(process.argv[2] ?? 2000) || 2000, 20_000);
const CONCURRENCY = 16;
const BODY = JSON.stringify(
  {
    id: 'evt_bench',
    object: 'event',
    type: 'payment_intent.succeeded',
    data: { object: { id: 'pi_1', amount: 2000, currency: 'usd' } },
  },
  null,
  2,
);

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}'));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;

/** Run `send` COUNT times with at most CONCURRENCY in flight; deliveries per second. */
async function measure(count: number, send: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await send(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

const engine = createDeliveryEngine({ scheme: 'stripe', retrySchedule: [], maxLog: 100 });
const endpoint = { id: 'we_bench', url, secret: 'whsec_benchbenchbenchbenchbenchbench' };
const viaEngine = async (i: number) => {
  const d = engine.deliver({ endpoint, eventId: `evt_${i}`, eventType: 'payment_intent.succeeded', body: BODY });
  const done = await engine.settled(d.id);
  if (done?.status !== 'succeeded') throw new Error(`delivery ${i} ${done?.status}`);
};
const viaFetch = async () => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
  await res.text();
};
const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const viaHttp = () =>
  new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(BODY);
  });

// Warm up each path (JIT, sockets) before timing.
await measure(200, viaEngine);
await measure(200, viaFetch);
await measure(200, viaHttp);

// Three rounds, the senders interleaved, medians reported: one path's garbage or a busy moment on the machine should
// not land on another path's figure.
const runs = { signed: [] as number[], bareFetch: [] as number[], bareHttp: [] as number[] };
for (let round = 0; round < 3; round++) {
  runs.signed.push(await measure(COUNT, viaEngine));
  runs.bareHttp.push(await measure(COUNT, viaHttp));
  runs.bareFetch.push(await measure(COUNT, viaFetch));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
const signed = median(runs.signed);
const bareHttp = median(runs.bareHttp);
const bareFetch = median(runs.bareFetch);
const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US').padStart(7)} /s`;
console.log(
  `webhook deliveries to a local node:http receiver (${COUNT} each, ${CONCURRENCY} in flight, ${BODY.length}-byte body, median of 3 rounds)`,
);
console.log(`  engine, signed (Stripe scheme, logged)  ${fmt(signed)}`);
console.log(`  bare fetch, unsigned                    ${fmt(bareFetch)}`);
console.log(`  bare node:http, unsigned (keep-alive)   ${fmt(bareHttp)}`);
console.log(
  `  ratio engine / bare node:http           ${(signed / bareHttp).toFixed(2)}  (target ≥ 0.5; the engine sends with node:http too)`,
);
console.log(`  ratio engine / bare fetch               ${(signed / bareFetch).toFixed(2)}`);

await engine.close();
agent.destroy();
server.closeAllConnections();
server.close();
