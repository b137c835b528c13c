// A wait that ends early when a client hangs up or a mock closes, so no timer outlives a test.

/**
 * Waits `ms`, but gives up early when the client hangs up or the mock closes (so no timer outlives a test).
 * Resolves `true` when the whole time passed.
 */
export function pause(ms: number, ...signals: AbortSignal[]): Promise<boolean> {
  if (signals.some((s) => s.aborted)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (completed: boolean) => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
  });
}
