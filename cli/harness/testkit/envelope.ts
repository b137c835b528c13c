// The course's error envelope, as every lab's tests check it:
// { "error": { "code", "message", "details": [ … ], "request_id", "timestamp" } }.
import { expect } from 'vitest';

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a test reads any field of a reply; its assertions check it
  json: any;
  /** What was sent and what came back (from http()). */
  said: string;
}

/** The reply's body is the error envelope (its shape only: the status and Content-Type are other rules' business). */
export function expectErrorEnvelope(res: Reply): void {
  const error = res.json?.error;
  expect(error, `the body is { "error": { … } }: ${res.said}`).toBeTypeOf('object');
  expect(
    typeof error.code === 'string' && typeof error.message === 'string',
    `error.code and error.message are strings: ${res.said}`,
  ).toBe(true);
  expect(Array.isArray(error.details), `error.details is an array: ${res.said}`).toBe(true);
  expect(error.request_id, `error.request_id is a string: ${res.said}`).toBeTypeOf('string');
  expect(
    typeof error.timestamp === 'string' && !Number.isNaN(Date.parse(error.timestamp)),
    `error.timestamp is an ISO 8601 date-time: ${res.said}`,
  ).toBe(true);
}

/**
 * Every 4xx among the replies uses the envelope. Which requests an app refuses is the business of other rules; this
 * one only asks that the refusals it does make are enveloped, and that there is at least one (`atLeast` says which).
 */
export function expectEnvelopeOnRefusals<R extends Reply>(
  replies: R[],
  atLeast: string,
  check: (res: R) => void = expectErrorEnvelope,
): void {
  const refusals = replies.filter((res) => res.status >= 400 && res.status < 500);
  expect(refusals.length, `${atLeast} is refused: ${replies.map((r) => r.said).join(' | ')}`).toBeGreaterThan(0);
  for (const res of refusals) check(res);
}
