// Routing parcel-tracking events on RabbitMQ, for the RabbitMQ lesson: a topic exchange for scans, a fanout exchange
// for price-list updates, a direct exchange for depot alerts. Lab 07 asks for the same three exchange types with its
// own names and keys. Run it against the course's broker: node lessons/examples/07-rabbitmq/parcel-routing.ts
import amqp, { type ConfirmChannel } from 'amqplib';
import { Hono } from 'hono';

export const CARRIERS = ['dhl', 'ups', 'postnl'];
export const SCAN_EVENTS = ['picked-up', 'in-transit', 'delivered', 'returned'];

// #region names
export function parcelNames(prefix: string) {
  return {
    exchanges: { scans: `${prefix}.scans`, prices: `${prefix}.prices`, depots: `${prefix}.depots` },
    queues: {
      delivered: `${prefix}.scans.delivered`, // every carrier's deliveries: *.delivered
      dhl: `${prefix}.scans.dhl`, // everything DHL says, however many words: dhl.#
      audit: `${prefix}.scans.audit`, // everything: #
      pricesWeb: `${prefix}.prices.web`,
      pricesApp: `${prefix}.prices.app`,
      depotNorth: `${prefix}.depots.north`,
      depotSouth: `${prefix}.depots.south`,
    },
  };
}
// #endregion names

// #region topology
export async function declareParcelTopology(ch: ConfirmChannel, n: ReturnType<typeof parcelNames>): Promise<void> {
  await ch.assertExchange(n.exchanges.scans, 'topic', { durable: true }); // key: <carrier>.<event>
  await ch.assertExchange(n.exchanges.prices, 'fanout', { durable: true }); // key ignored: every queue gets a copy
  await ch.assertExchange(n.exchanges.depots, 'direct', { durable: true }); // key = depot name, exact match
  for (const queue of Object.values(n.queues)) await ch.assertQueue(queue, { durable: true });
  const bindings: [queue: string, exchange: string, key: string][] = [
    [n.queues.delivered, n.exchanges.scans, '*.delivered'],
    [n.queues.dhl, n.exchanges.scans, 'dhl.#'],
    [n.queues.audit, n.exchanges.scans, '#'],
    [n.queues.pricesWeb, n.exchanges.prices, ''],
    [n.queues.pricesApp, n.exchanges.prices, ''],
    [n.queues.depotNorth, n.exchanges.depots, 'north'],
    [n.queues.depotSouth, n.exchanges.depots, 'south'],
  ];
  for (const [queue, exchange, key] of bindings) await ch.bindQueue(queue, exchange, key);
}
// #endregion topology

// #region publish
/**
 * Publishes one persistent JSON message and waits for the broker's confirm of exactly this message (the callback),
 * so concurrent requests do not wait for one another and one nack fails only its own request.
 */
export function publishConfirmed(
  ch: ConfirmChannel,
  exchange: string,
  routingKey: string,
  body: object,
): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.publish(
      exchange,
      routingKey,
      Buffer.from(JSON.stringify(body)),
      { persistent: true, contentType: 'application/json', messageId: crypto.randomUUID() },
      (err) => (err ? reject(new Error(`the broker refused the message (${routingKey})`)) : resolve()),
    );
  });
}
// #endregion publish

export function createScanApp(
  publish: (exchange: string, key: string, body: object) => Promise<void>,
  n: ReturnType<typeof parcelNames>,
) {
  const app = new Hono();
  // #region scans-route
  app.post('/scans', async (c) => {
    const body = (await c.req.json().catch(() => null)) as {
      carrier?: unknown;
      event?: unknown;
      parcel?: unknown;
    } | null;
    const details: { field: string; message: string }[] = [];
    if (!CARRIERS.includes(body?.carrier as string))
      details.push({ field: 'carrier', message: `must be one of ${CARRIERS.join(', ')}` });
    if (!SCAN_EVENTS.includes(body?.event as string))
      details.push({ field: 'event', message: `must be one of ${SCAN_EVENTS.join(', ')}` });
    if (typeof body?.parcel !== 'string' || body.parcel === '')
      details.push({ field: 'parcel', message: 'must be a parcel id' });
    if (details.length)
      return c.json({ error: { code: 'validation_failed', message: 'The scan is invalid.', details } }, 400);
    // Both words come from fixed lists without dots, so every key has exactly two words: <carrier>.<event>.
    const routingKey = `${body!.carrier}.${body!.event}`;
    await publish(n.exchanges.scans, routingKey, { parcel: body!.parcel, carrier: body!.carrier, event: body!.event });
    return c.json({ routingKey }, 202); // only after the broker's confirm
  });
  // #endregion scans-route
  return app;
}

if (import.meta.main) {
  const connection = await amqp.connect(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  const channel = await connection.createConfirmChannel();
  const names = parcelNames(process.env.NAME_PREFIX ?? 'lesson07');
  await declareParcelTopology(channel, names);
  const app = createScanApp((exchange, key, body) => publishConfirmed(channel, exchange, key, body), names);
  const res = await app.request('/scans', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"carrier":"dhl","event":"delivered","parcel":"p-1"}',
  });
  console.log(res.status, await res.json());
  for (const queue of Object.values(names.queues)) console.log(queue, (await channel.checkQueue(queue)).messageCount);
  await connection.close();
}
