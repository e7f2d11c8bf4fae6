/**
 * Runs async tasks one at a time, in order: one transaction at a time per terminal (myPOS terminals are
 * single-threaded). Urgent tasks (recovery, settlement retries) go before queued payments.
 */
export class SerialQueue {
  private readonly tasks: Array<{ run: () => Promise<void>; tag: unknown }> = [];
  private busy = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  /** Queues a task; `tag` lets a queued task be withdrawn before it starts. */
  push(run: () => Promise<void>, tag?: unknown, urgent = false): void {
    if (this.stopped) return;
    const entry = { run, tag };
    if (urgent) this.tasks.unshift(entry);
    else this.tasks.push(entry);
    void this.drain();
  }

  /** Removes a queued (not yet started) task by its tag; true when it was still waiting. */
  withdraw(tag: unknown): boolean {
    const i = this.tasks.findIndex((t) => t.tag === tag);
    if (i < 0) return false;
    this.tasks.splice(i, 1);
    return true;
  }

  /** Position of a tagged task in the queue (0 = next), or -1. */
  position(tag: unknown): number {
    return this.tasks.findIndex((t) => t.tag === tag);
  }

  get length(): number {
    return this.tasks.length;
  }

  get running(): boolean {
    return this.busy;
  }

  /**
   * Stops the queue (the bridge is closing): tasks not yet started are dropped and new ones refused. Resolves when the
   * task running now, if any, has ended.
   */
  stop(): Promise<void> {
    this.stopped = true;
    this.tasks.length = 0;
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let next = this.tasks.shift(); next && !this.stopped; next = this.tasks.shift()) {
        try {
          await next.run();
        } catch {
          // A task reports its own failures; the queue must keep serving the terminal.
        }
      }
    } finally {
      this.busy = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
