/**
 * How many lines of one kind may be written per window (a minute by default); the rest are counted so that one
 * summary line can say how many there were. Keeps a flood of bad input from flooding the log.
 */
export class LineBudget {
  private windowStart: number | undefined;
  private used = 0;
  private over = 0;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes one line from the budget. `ok`: write it. `closed`: the count of lines held back in the window that has
   * just ended (write a summary for them), 0 when none.
   */
  take(): { readonly ok: boolean; readonly closed: number; readonly closedTotal: number } {
    const t = this.now();
    let closed = 0;
    let closedTotal = 0;
    if (this.windowStart === undefined || t - this.windowStart >= this.windowMs) {
      closed = this.over;
      closedTotal = this.used + this.over;
      this.windowStart = t;
      this.used = 0;
      this.over = 0;
    }
    if (this.used < this.perWindow) {
      this.used++;
      return { ok: true, closed, closedTotal };
    }
    this.over++;
    return { ok: false, closed, closedTotal };
  }

  /** Lines held back in the current window and all lines of it; the window is over (the connection closed). */
  drain(): { readonly held: number; readonly total: number } {
    const out = { held: this.over, total: this.used + this.over };
    this.windowStart = undefined;
    this.used = 0;
    this.over = 0;
    return out;
  }
}
