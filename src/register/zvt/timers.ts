/**
 * Timers the ZVT link and session use (T1, T2, T3, T4, goods-issue timeout, status keep-alive), injectable so tests
 * can run them short or on a manual clock.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  /** Calls `fn` once after `ms` milliseconds unless cancelled. */
  after(ms: number, fn: () => void): TimerHandle;
  /** Now, for the date/time BMPs when the terminal reported none. */
  now(): Date;
}

export const realTimers: Timers = {
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  now: () => new Date(),
};

/** Resolves after `ms` on the given timers. */
export function delay(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => timers.after(ms, resolve));
}
