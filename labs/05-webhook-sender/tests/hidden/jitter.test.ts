import { expect } from 'vitest';
import { graded } from '#testkit';
import { emit, register, sleep, waitForRequests, senderLab } from '../support.ts';

// A slower clock here, so that jitter (a share of the wait) is much larger than timer noise: 5 min → 2.25 s.
const TIME_SCALE = 0.0075;
const MESSAGES = 24;
const TRIM = 4;

const lab = senderLab({ TIME_SCALE: String(TIME_SCALE) });

graded(
  'retries are spread by jitter, not all at the same moment',
  {
    rule: 'jitter',
    points: 1,
    hint: 'Multiply each wait by a random factor (0.8 to 1.2): messages that failed together must not all come back in the same instant.',
  },
  async () => {
    const endpoint = await register(lab.run, lab.receiver);
    // Each event's first attempt fails (events are told apart by their data: the webhook-id is another rule's business).
    const orderOf = (body: string) => String((JSON.parse(body) as { data?: { order_id?: string } }).data?.order_id);
    const seen = new Set<string>();
    lab.receiver.script(endpoint.path, (_nth, request) => {
      const order = orderOf(request.body);
      if (seen.has(order)) return { status: 200 };
      seen.add(order);
      return { status: 503 };
    });
    // One message after the other (and a pause), so that the attempts do not queue up behind each other at either end.
    for (let i = 0; i < MESSAGES; i++) {
      await emit(lab.run);
      await sleep(5);
    }
    const requests = await waitForRequests(lab.receiver, endpoint.path, 2 * MESSAGES, 20_000);
    const byId = Map.groupBy(requests, (r) => orderOf(r.body));
    const waits = [...byId.values()]
      .filter((rs) => rs.length >= 2)
      .map((rs) => rs[1]!.at - rs[0]!.at)
      .sort((a, b) => a - b);
    expect(waits.length, 'messages retried').toBe(MESSAGES);
    // Without the 4 shortest and 4 longest: on a loaded machine a timer can fire late on its own, which is not jitter.
    // ± 20 % spreads the middle 16 of 24 over about 540 ms here (at least 150 ms is asked); without jitter they differ
    // by tens of ms.
    const middle = waits.slice(TRIM, -TRIM);
    const median = waits[MESSAGES / 2]!;
    const spread = middle.at(-1)! - middle[0]!;
    expect(spread, `waits of ${MESSAGES} messages that failed together: ${waits.join(', ')} ms`).toBeGreaterThanOrEqual(
      median / 15,
    );
  },
);
