/**
 * Time as the ePOS client sees it. Everything that depends on time (token and session expiry, polling,
 * back-off, the reconciliation wait, the payment deadline) goes through this interface so that tests can run
 * hours of gateway time in a moment.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits `ms` milliseconds; resolves early (never rejects) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * A clock for tests and simulations: time only moves when `advance` or `sleep` moves it, so a sleep returns at
 * once (after yielding to the event loop) with the clock moved forward by the requested time.
 */
export class ManualClock implements Clock {
  private t: number;

  constructor(start = Date.UTC(2025, 9, 27, 9, 0, 0)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    if (ms > 0) this.t += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) return;
    this.advance(ms);
  }
}
