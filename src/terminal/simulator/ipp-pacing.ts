/**
 * The simulated terminal's pacing between stages and the end of its life: the default wait, how an aborted wait
 * is recognised, and the error a running transaction gets when the simulator closes.
 */
import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises';

/** Thrown into a running transaction when the simulator closes. */
export class SimulatorClosed extends Error {}

/** Waits `ms` (a turn of the event loop for 0), until `signal` aborts. */
export async function defaultDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) await immediate(undefined, { signal });
  else await sleep(ms, undefined, { signal });
}

export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

/** A fault counter as given by a test or the control API: a non-negative integer. */
export function checkCount(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new Error(`${what} must be a non-negative integer`);
  return n;
}
