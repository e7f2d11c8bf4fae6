/**
 * Runs async tasks one at a time, in order: one transaction at a time per terminal (myPOS terminals are
 * single-threaded). Urgent tasks (recovery, settlement retries) go before queued payments.
 */
export class SerialQueue {
  private readonly tasks: Array<{ run: () => Promise<void>; tag: unknown }> = [];
  private busy = false;

  /** Queues a task; `tag` lets a queued task be withdrawn before it starts. */
  push(run: () => Promise<void>, tag?: unknown, urgent = false): void {
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

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let next = this.tasks.shift(); next; next = this.tasks.shift()) {
        try {
          await next.run();
        } catch {
          // A task reports its own failures; the queue must keep serving the terminal.
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
