/**
 * What the journal holds in memory between commits: writes that ride on the next commit (journal.ts `progress`,
 * `putReceipt`, the `ride` rule of durability.ts).
 */
import type { EventOf, LifecycleEventType } from '../bridge/lifecycle';
import type { Stage } from '../domain/vocabulary';
import type { PaymentRecord } from './records';

/**
 * What rides on the next commit: progress stages (in order, and the last one per payment), receipt copies, and
 * changes without a commit of their own (in order, and their fields per payment as they will be stored).
 */
export interface RideAlong {
  readonly stages: Array<{ id: string; at: string; event: EventOf<'stage'> }>;
  readonly lastStage: Map<string, { stage: Stage; at: string }>;
  readonly receipts: Map<string, { at: string; json: string }>;
  readonly updates: Array<{
    id: string;
    at: string;
    sql: string;
    values: unknown[];
    events: Array<{ type: LifecycleEventType; data: unknown }>;
  }>;
  readonly pending: Map<string, { fields: Partial<PaymentRecord>; at: string }>;
}

export function emptyRide(): RideAlong {
  return { stages: [], lastStage: new Map(), receipts: new Map(), updates: [], pending: new Map() };
}

export function rideIsEmpty(r: RideAlong): boolean {
  return r.stages.length === 0 && r.receipts.size === 0 && r.updates.length === 0;
}

/** An earlier ride (its commit rolled back) and what was added since, in order. */
export function joinRides(earlier: RideAlong, later: RideAlong): RideAlong {
  return {
    stages: [...earlier.stages, ...later.stages],
    lastStage: new Map([...earlier.lastStage, ...later.lastStage]),
    receipts: new Map([...earlier.receipts, ...later.receipts]),
    updates: [...earlier.updates, ...later.updates],
    pending: joinPending(earlier.pending, later.pending),
  };
}

function joinPending(
  earlier: RideAlong['pending'],
  later: RideAlong['pending'],
): Map<string, { fields: Partial<PaymentRecord>; at: string }> {
  const out = new Map(earlier);
  for (const [id, p] of later) out.set(id, { fields: { ...out.get(id)?.fields, ...p.fields }, at: p.at });
  return out;
}
