/**
 * Seconds to wait before each retry after a failed attempt. Shaped like Stripe's live-mode schedule: exponential
 * backoff that keeps trying for about three days, then gives up. Scaled by a mock's `timeScale` (0.0001 turns the
 * three days into about 26 seconds; 0.00001 into under 3).
 */
export const STRIPE_LIKE_RETRY_SCHEDULE: readonly number[] = [
  60,
  5 * 60,
  30 * 60,
  2 * 3600,
  5 * 3600,
  10 * 3600,
  10 * 3600,
  12 * 3600,
  16 * 3600,
  16 * 3600,
];

/** GitHub does not retry failed deliveries; people redeliver them by hand (API or UI). */
export const NO_RETRIES: readonly number[] = [];

/** Total seconds from the first attempt to the give-up point. */
export function giveUpAfterSeconds(schedule: readonly number[]): number {
  return schedule.reduce((sum, s) => sum + s, 0);
}

/** Real-world seconds → milliseconds on this mock's clock. */
export function scaledMs(seconds: number, timeScale: number): number {
  return Math.max(0, Math.round(seconds * 1000 * timeScale));
}
