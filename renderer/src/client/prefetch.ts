/**
 * The dashboard's first state, asked for as soon as the script runs instead of after React's first render: the
 * answer travels while React builds the page. Taken once; every later load asks the core again.
 */
import type { BridgeClient, StateView } from './types';

let pending: Promise<StateView> | undefined;

export function prefetchState(client: BridgeClient): void {
  pending = client.state();
  // A failure is reported by the view that takes it.
  pending.catch(() => undefined);
}

export function takePrefetchedState(): Promise<StateView> | undefined {
  const p = pending;
  pending = undefined;
  return p;
}
