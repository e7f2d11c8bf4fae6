/**
 * One request in flight per terminal (mypos-ipp.md §4: the terminal is single-threaded; §12 step 1).
 * Callers run in arrival order; a failing task does not block the next one.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  private holders = 0;

  /** True while a task runs or waits. */
  get busy(): boolean {
    return this.holders > 0;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.holders++;
    const result = this.tail.then(task, task);
    this.tail = result
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.holders--;
      });
    return result;
  }
}
