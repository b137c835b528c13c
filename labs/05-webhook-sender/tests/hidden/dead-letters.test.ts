import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { graded, http, waitFor } from '#testkit';
import { verify } from '../receiver.ts';
import {
  deadLetters,
  emit,
  letterFor,
  register,
  shown,
  sleep,
  verifies,
  waitForRequests,
  senderLab,
} from '../support.ts';

// The whole schedule in about 0.6 s: 5 min → 1.5 ms … 24 h → 432 ms.
const TIME_SCALE = 0.000005;

const lab = senderLab({ TIME_SCALE: String(TIME_SCALE), DELIVERY_TIMEOUT_MS: '1000' });

graded(
  'after the fifth retry fails the message is dead-lettered: six attempts in all',
  {
    rule: 'dead-letter-after-last',
    points: 2,
    hint: 'One attempt plus five retries (one per entry of the schedule), then the dead-letter list (GET /v1/dead-letters), and nothing more is sent.',
  },
  async () => {
    const endpoint = await register(lab.run, lab.receiver);
    lab.receiver.script(endpoint.path, () => ({ status: 500 }));
    await emit(lab.run);
    const letter = await letterFor(lab.run, endpoint.id, 8000);
    const requests = lab.receiver.requests(endpoint.path);
    expect(letter, `a dead letter for the endpoint, after ${requests.length} attempts`).toBeDefined();
    expect(requests, 'one attempt and five retries').toHaveLength(6);
    await sleep(150); // a seventh attempt would come within milliseconds at this scale
    expect(lab.receiver.requests(endpoint.path), 'nothing is sent after the message was dead-lettered').toHaveLength(6);
  },
);

graded(
  'GET /v1/dead-letters lists each dead letter with its message, endpoint, type, attempts, last status and error',
  {
    rule: 'dead-letter-fields',
    points: 2,
    hint: 'Each entry of { data: [ … ] } has id, message_id (the webhook-id), endpoint_id, type, attempts (all attempts, the first included), last_status (null when there was no answer), last_error and failed_at (ISO 8601).',
  },
  async () => {
    const refused = await register(lab.run, lab.receiver);
    const unreachable = await register(lab.run, lab.receiver);
    lab.receiver.script(refused.path, () => ({ status: 400 }));
    lab.receiver.script(unreachable.path, () => ({ status: 200, drop: true }));
    const type = 'order.refunded';
    await emit(lab.run, type, { order_id: randomUUID() });
    // A 400 is dead-lettered at once (the client-errors rule) and a connection that always breaks after six attempts;
    // each part runs when its dead letter exists.
    const letters = [await letterFor(lab.run, refused.id, 3000), await letterFor(lab.run, unreachable.id, 5000)];
    expect(
      letters.some(Boolean),
      `a dead letter for a 400 or for a receiver that never answers: ${JSON.stringify(await deadLetters(lab.run)).slice(0, 400)}`,
    ).toBe(true);
    const [byStatus, byError] = letters;
    // message_id is the webhook-id, when the app keeps one webhook-id for all attempts of a message (another rule).
    const unreachableIds = new Set(lab.receiver.requests(unreachable.path).map((r) => r.headers['webhook-id']));
    const stableIds = unreachableIds.size <= 1;
    if (byStatus) {
      const requests = lab.receiver.requests(refused.path);
      // attempts counts what the receiver saw (whether a 400 is retried is the client-errors rule's business).
      expect(byStatus, `the dead letter after a 400: ${JSON.stringify(byStatus)}`).toMatchObject({
        endpoint_id: refused.id,
        type,
        attempts: requests.length,
        last_status: 400,
      });
      if (stableIds)
        expect(
          requests.map((r) => r.headers['webhook-id']),
          `message_id is the webhook-id: ${JSON.stringify(byStatus)}`,
        ).toContain(byStatus.message_id);
      else expect(byStatus.message_id, `message_id: ${JSON.stringify(byStatus)}`).toBeTypeOf('string');
      expect(
        typeof byStatus.id === 'string' && !Number.isNaN(Date.parse(byStatus.failed_at)),
        `id and failed_at (ISO 8601): ${JSON.stringify(byStatus)}`,
      ).toBe(true);
      expect(byStatus, `last_error is a field, null or a reason: ${JSON.stringify(byStatus)}`).toHaveProperty(
        'last_error',
      );
    }
    if (byError) {
      const requests = lab.receiver.requests(unreachable.path);
      expect(byError, `the dead letter of a receiver that never answered: ${JSON.stringify(byError)}`).toMatchObject({
        endpoint_id: unreachable.id,
        type,
        attempts: requests.length,
        last_status: null,
      });
      if (stableIds)
        expect(
          requests.map((r) => r.headers['webhook-id']),
          `message_id is the webhook-id: ${JSON.stringify(byError)}`,
        ).toContain(byError.message_id);
      else expect(byError.message_id, `message_id: ${JSON.stringify(byError)}`).toBeTypeOf('string');
      expect(
        typeof byError.last_error === 'string' && byError.last_error.length > 0,
        `last_error says why: ${JSON.stringify(byError)}`,
      ).toBe(true);
    }
  },
);

graded(
  'a replay sends the same message again with the same webhook-id and a fresh schedule, and removes it from the list',
  {
    rule: 'replay',
    points: 3,
    hint: 'POST /v1/dead-letters/:id/replay answers 202, takes the letter off the list and delivers the kept message (same webhook-id, same body, signed anew) starting again at attempt 1, with every retry of the schedule.',
  },
  async () => {
    // One dead letter after a 400, one after six 500s (other rules); the replay is checked on each that exists.
    const refused = await register(lab.run, lab.receiver);
    const exhausted = await register(lab.run, lab.receiver);
    const mode = new Map([
      [refused.path, 400],
      [exhausted.path, 500],
    ]);
    for (const endpoint of [refused, exhausted])
      lab.receiver.script(endpoint.path, () => ({ status: mode.get(endpoint.path)! }));
    await emit(lab.run);
    const letters = [
      { endpoint: refused, letter: await letterFor(lab.run, refused.id, 3000) },
      { endpoint: exhausted, letter: await letterFor(lab.run, exhausted.id, 5000) },
    ].filter((l) => l.letter);
    expect(letters.length, 'a dead letter to replay (after a 400, or after the last retry)').toBeGreaterThan(0);
    for (const { endpoint, letter } of letters) {
      const before = lab.receiver.requests(endpoint.path).length;
      // The replayed attempt fails once more with a 503: a fresh schedule retries it, then 200.
      lab.receiver.script(endpoint.path, (nth) => ({ status: nth === before + 1 ? 503 : 200 }));
      const replay = await http(`${lab.run.url}/v1/dead-letters/${letter!.id}/replay`, { method: 'POST' });
      expect(replay.status, replay.said).toBe(202);
      const requests = await waitForRequests(lab.receiver, endpoint.path, before + 2, 5000);
      const [original, again, retried] = [requests[0]!, requests[before]!, requests[before + 1]!];
      expect(again.headers['webhook-id'], `original: ${shown(original)}; replay: ${shown(again)}`).toBe(
        original.headers['webhook-id'],
      );
      // The same event (byte for byte is the retry-same-message rule's business); then the 503 is retried.
      expect(JSON.parse(again.body), 'the replay sends the same event').toMatchObject({
        type: JSON.parse(original.body).type,
        data: JSON.parse(original.body).data,
      });
      expect(JSON.parse(retried.body).data, 'the replay is retried after its 503').toEqual(
        JSON.parse(original.body).data,
      );
      if (verifies(endpoint.secret, original)) expect(() => verify(endpoint.secret, again), shown(again)).not.toThrow();
      await waitFor(async () => !(await deadLetters(lab.run)).some((d) => d.id === letter!.id), {
        timeoutMs: 2000,
        message: 'the replayed letter to leave the list',
      });
    }
  },
);
