// The shared delivery engine on its own: the three signing schemes verified by the vendors' libraries, the retry
// schedule on a time scale up to its give-up point, and every fault mode as a receiver sees it.
import { verify as verifyGitHub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createDeliveryEngine,
  giveUpAfterSeconds,
  newSigningSecret,
  STRIPE_LIKE_RETRY_SCHEDULE,
} from '../../mock-servers/engine/index.ts';
import type { DeliveryEngine, DeliveryEngineOptions } from '../../mock-servers/engine/index.ts';
import { createIdFactory } from '../../mock-servers/shared/index.ts';
import { sleep, startReceiver } from './receiver.ts';

const stripe = new Stripe('sk_test_unused_here');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

async function setup(
  scheme: DeliveryEngineOptions['scheme'],
  respond?: Parameters<typeof startReceiver>[0],
  extra: Partial<DeliveryEngineOptions> = {},
) {
  const receiver = await startReceiver(respond);
  const engine = createDeliveryEngine({ scheme, timeScale: 0.00001, ...extra });
  cleanups.push(
    () => engine.close(),
    () => receiver.close(),
  );
  const secret = newSigningSecret(scheme, createIdFactory());
  const endpoint = { id: 'ep_1', url: receiver.url, secret };
  let n = 0;
  const send = (engineToUse: DeliveryEngine = engine, to = endpoint) =>
    engineToUse.deliver({
      endpoint: to,
      eventId: `evt_${++n}`,
      eventType: 'test.event',
      body: JSON.stringify({ id: `evt_${n}`, n }),
    });
  return { receiver, engine, secret, endpoint, send };
}

const header = (h: Record<string, string | string[] | undefined>, name: string) => String(h[name] ?? '');
const standardHeaders = (h: Record<string, string | string[] | undefined>) => ({
  'webhook-id': header(h, 'webhook-id'),
  'webhook-timestamp': header(h, 'webhook-timestamp'),
  'webhook-signature': header(h, 'webhook-signature'),
});

describe("signing schemes, judged by the vendors' own libraries", () => {
  it('Standard Webhooks: standardwebhooks Webhook#verify accepts the signature and the id stays the same on a retry', async () => {
    const { receiver, secret, send, engine } = await setup('standard', (_r, i) => (i === 0 ? 503 : 200));
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const d = send();
    await engine.settled(d.id);
    expect(receiver.received).toHaveLength(2);
    for (const r of receiver.received) {
      expect(new Webhook(secret).verify(r.body, standardHeaders(r.headers))).toEqual(JSON.parse(r.body));
      expect(r.headers['webhook-id']).toBe(d.id);
    }
    expect(() =>
      new Webhook(newSigningSecret('standard', createIdFactory())).verify(
        receiver.received[0]!.body,
        standardHeaders(receiver.received[0]!.headers),
      ),
    ).toThrow();
  });

  it('Stripe: stripe.webhooks.constructEvent accepts it, and rejects the same body with one byte changed', async () => {
    const { receiver, secret, send, engine } = await setup('stripe');
    await engine.settled(send().id);
    const { body, headers } = receiver.received[0]!;
    expect(header(headers, 'stripe-signature')).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(stripe.webhooks.constructEvent(body, header(headers, 'stripe-signature'), secret)).toMatchObject({
      id: 'evt_1',
    });
    expect(() =>
      stripe.webhooks.constructEvent(body.replace('"n":1', '"n":2'), header(headers, 'stripe-signature'), secret),
    ).toThrow(/signature/i);
  });

  it('GitHub: @octokit/webhooks-methods verify accepts X-Hub-Signature-256', async () => {
    const { receiver, secret, send, engine } = await setup('github');
    await engine.settled(send().id);
    const { body, headers } = receiver.received[0]!;
    expect(await verifyGitHub(secret, body, header(headers, 'x-hub-signature-256'))).toBe(true);
    expect(await verifyGitHub('another-secret', body, header(headers, 'x-hub-signature-256'))).toBe(false);
  });
});

describe('retry schedule on a time scale', () => {
  it('retries a failing receiver along the whole ~3-day schedule, then gives up and sends nothing more', async () => {
    const total = giveUpAfterSeconds(STRIPE_LIKE_RETRY_SCHEDULE);
    expect(total / 3600).toBeGreaterThan(70); // about three days of real time…
    const timeScale = 2.5 / total; // …run in 2.5 seconds
    const { receiver, send, engine } = await setup('stripe', () => 500, { timeScale });
    const started = Date.now();
    const d = send();
    const final = await engine.settled(d.id);
    const elapsed = Date.now() - started;
    expect(final).toMatchObject({ status: 'failed', gave_up: true, retries: STRIPE_LIKE_RETRY_SCHEDULE.length });
    expect(receiver.received).toHaveLength(STRIPE_LIKE_RETRY_SCHEDULE.length + 1);
    expect(elapsed).toBeGreaterThanOrEqual(total * timeScale * 1000 * 0.95);
    // Backoff grows: the wait before the last retry (16 h scaled) is far longer than before the first (1 min).
    const gaps = receiver.received.slice(1).map((r, i) => r.at - receiver.received[i]!.at);
    expect(gaps.at(-1)!).toBeGreaterThanOrEqual(16 * 3600 * timeScale * 1000 * 0.9);
    expect(gaps[0]!).toBeLessThan(gaps.at(-1)! / 3); // loose: timers jitter on a busy machine
    await sleep(300);
    expect(receiver.received).toHaveLength(STRIPE_LIKE_RETRY_SCHEDULE.length + 1);
  });

  it('stops retrying as soon as the receiver answers 2xx', async () => {
    const { receiver, send, engine } = await setup('stripe', (_r, i) => (i < 2 ? 500 : 204));
    const final = await engine.settled(send().id);
    expect(final).toMatchObject({ status: 'succeeded', gave_up: false });
    expect(final!.attempts.map((a) => a.response?.status)).toEqual([500, 500, 204]);
    await sleep(100);
    expect(receiver.received).toHaveLength(3);
  });

  it('counts a receiver that does not answer in time as a failed attempt', async () => {
    const { send, engine } = await setup('github', () => sleep(400).then(() => 200), {
      timeoutMs: 100,
      retrySchedule: [],
    });
    const final = await engine.settled(send().id);
    expect(final).toMatchObject({ status: 'failed' });
    expect(final!.attempts[0]!.error).toMatch(/timed out after 100 ms/);
  });
});

describe('fault injection, seen from the receiving side', () => {
  it('duplicate: the receiver gets the identical request twice', async () => {
    const { receiver, send, engine } = await setup('stripe');
    engine.faults.add({ mode: 'duplicate', count: 1 });
    await engine.settled(send().id);
    await receiver.waitFor(2);
    const [a, b] = receiver.received;
    expect(b!.body).toBe(a!.body);
    expect(header(b!.headers, 'stripe-signature')).toBe(header(a!.headers, 'stripe-signature'));
    await engine.settled(send().id);
    expect(receiver.received).toHaveLength(3); // count 1: the next delivery is normal
  });

  it('reorder: a held delivery arrives after the next one', async () => {
    const { receiver, send, engine } = await setup('stripe');
    engine.faults.add({ mode: 'reorder', count: 1 });
    const first = send();
    expect(engine.get(first.id)!.status).toBe('held');
    await sleep(50);
    expect(receiver.received).toHaveLength(0);
    const second = send();
    await Promise.all([engine.settled(first.id), engine.settled(second.id)]);
    expect(receiver.received.map((r) => JSON.parse(r.body).id)).toEqual(['evt_2', 'evt_1']);
  });

  it('delay: the request arrives no sooner than delay_ms', async () => {
    const { receiver, send, engine } = await setup('stripe');
    engine.faults.add({ mode: 'delay', delay_ms: 300, count: 1 });
    const started = Date.now();
    await engine.settled(send().id);
    expect(receiver.received[0]!.at - started).toBeGreaterThanOrEqual(290);
  });

  it('drop_response: the receiver got it, the engine counts a timeout and sends it again', async () => {
    const { receiver, send, engine } = await setup('stripe');
    engine.faults.add({ mode: 'drop_response', count: 1 });
    const final = await engine.settled(send().id);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
    expect(final!.attempts[0]).toMatchObject({ succeeded: false, response: { status: 200 } });
    expect(final!.attempts[0]!.error).toMatch(/dropped/);
    expect(final!.status).toBe('succeeded');
  });

  it('stale_timestamp: a correct signature over an old timestamp is refused by the verifier', async () => {
    const { receiver, secret, send, engine } = await setup('standard', () => 200);
    engine.faults.add({ mode: 'stale_timestamp', stale_seconds: 900, count: 1 });
    await engine.settled(send().id);
    const { body, headers } = receiver.received[0]!;
    expect(Number(headers['webhook-timestamp'])).toBeLessThanOrEqual(Date.now() / 1000 - 890);
    expect(() => new Webhook(secret).verify(body, standardHeaders(headers))).toThrow(/timestamp/i);
  });

  it('corrupt_signature on one endpoint only: that receiver rejects it, the retry passes, the other endpoint is untouched', async () => {
    const { receiver, secret, engine, endpoint } = await setup('stripe', (r) => {
      try {
        stripe.webhooks.constructEvent(r.body, header(r.headers, 'stripe-signature'), secret);
        return 200;
      } catch {
        return 400;
      }
    });
    const other = { ...endpoint, id: 'ep_2' };
    engine.faults.add({ mode: 'corrupt_signature', endpoint_id: 'ep_1', count: 1 });
    const spared = engine.deliver({ endpoint: other, eventId: 'evt_a', eventType: 't', body: '{"id":"evt_a"}' });
    expect((await engine.settled(spared.id))!.attempts.map((a) => a.response?.status)).toEqual([200]);
    const hit = engine.deliver({ endpoint, eventId: 'evt_b', eventType: 't', body: '{"id":"evt_b"}' });
    expect((await engine.settled(hit.id))!.attempts.map((a) => a.response?.status)).toEqual([400, 200]);
    expect(receiver.received).toHaveLength(3);
  });

  it('rejects a fault rule with an unknown mode or a bad count, naming the fields', () => {
    const engine = createDeliveryEngine({ scheme: 'stripe' });
    cleanups.push(() => engine.close());
    const result = engine.faults.add({ mode: 'explode', count: 0 });
    expect('errors' in result && result.errors.map((e) => e.field)).toEqual(['mode', 'count']);
  });
});
