/**
 * Time for the capture modes: the "total stable for N ms" trigger, the receipt idle boundary, the duplicate window
 * and the generated refs all read it. Injectable so tests step time by hand instead of sleeping.
 */
export interface Clock {
  now(): Date;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => new Date(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** One re-armable timer on a Clock. */
export class Timer {
  private handle: unknown;
  constructor(private readonly clock: Clock) {}

  start(ms: number, fn: () => void): void {
    this.stop();
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      fn();
    }, ms);
  }

  stop(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }

  get running(): boolean {
    return this.handle !== undefined;
  }
}
