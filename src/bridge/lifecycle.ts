import type { Outcome, Stage, TransactionKind } from '../domain/vocabulary';
import type { PaymentResult } from '../domain/payment';
import type { Settlement } from '../domain/settlement';
import type { Durability, Journal, PaymentPatch, PaymentRecord } from '../journal/journal';
import type { TerminalOutcome } from '../terminal/driver';
import { scrubCardData } from '../log/redact';

/**
 * The journal's event vocabulary: every event the bridge records about a payment, with what it carries. The journal's
 * `update` and `note` take only these; the fsync rule (journal/durability.ts) and the dashboard's trail (`trailStep`
 * below) are tables keyed on the same union, so renaming an event here fails to compile until both follow.
 *
 * In the order a payment passes them (docs/architecture.md):
 *   intent → sent → stage … → outcome → delivered → acknowledged → settle_decision → settled
 * and, off the straight path: in_doubt, recovered, reversed and the notes (events that change nothing on the record).
 * An event without data is stored with a summary of its change.
 */
export type LifecycleEvent =
  // ---- changes of the payment's record (journal.update), each with its patch
  | {
      type: 'intent';
      data: { kind: TransactionKind; amount: number; currency: string; tip: number; terminal: string };
    }
  | { type: 'sent'; data: { driverRef: string } }
  | { type: 'stage'; data: { stage: Stage; message: string } }
  | {
      type: 'outcome';
      data?: {
        outcome: Outcome;
        message: string;
        refused: TerminalOutcome['refused'] | null;
        settlement: 'pending' | null;
      };
    }
  | { type: 'in_doubt'; data?: undefined }
  | { type: 'delivered'; data?: undefined }
  | { type: 'acknowledged'; data?: undefined }
  | { type: 'settle_decision'; data: { decision: SettleDecision; why: string } }
  | {
      type: 'settled';
      data: { decision: 'complete'; message: string } | { decision: 'cancel'; why: string; message: string };
    }
  | {
      type: 'recovered';
      data: { outcome: 'failed'; reason: 'never_sent' } | { outcome: Outcome; settlement: 'cancel' | null };
    }
  | { type: 'reversed'; data?: { by: string; kind: TransactionKind } }
  // ---- notes (journal.note): what happened, without changing the record
  | { type: 'attached'; data?: undefined }
  | { type: 'resent_known_result'; data?: undefined }
  | { type: 'cancel_requested'; data?: undefined }
  | { type: 'terminal_busy'; data: { attempt: number } }
  | { type: 'terminal_has_open_transaction'; data?: undefined }
  | { type: 'answer_lost'; data: { message: string } }
  | { type: 'recovered_by_lookup'; data: { outcome: Outcome; attempt: number } }
  | { type: 'recovery_lookup'; data?: undefined }
  | { type: 'rejected_by_register'; data?: undefined }
  | { type: 'held_for_register'; data?: undefined }
  | { type: 'undeliverable'; data?: undefined }
  | { type: 'preauth_completed'; data: { by: string; amount: number } }
  | { type: 'settle_failed'; data: { decision: SettleDecision; message: string } }
  | { type: 'auto_reversal'; data: { why: string } }
  | { type: 'auto_reversal_failed'; data: { message: string } };

export type LifecycleEventType = LifecycleEvent['type'];

/** The event of one type, with its data. */
export type EventOf<T extends LifecycleEventType> = Extract<LifecycleEvent, { type: T }>;

/** What a settlement decides on the terminal: COMPLETE_TX or CANCEL_TX. */
export type SettleDecision = 'complete' | 'cancel';

/** A change of a payment's record and the event that says why, committed together (journal.update). */
export interface Step<E extends LifecycleEvent = LifecycleEvent> {
  readonly patch: PaymentPatch;
  readonly event: E;
}

/** Commits a step: the record's change and its event in one journal transaction. */
export function apply(journal: Journal, id: string, step: Step, options?: { durable?: Durability }): PaymentRecord {
  return journal.update(id, step.patch, step.event, options);
}

// ---------------------------------------------------------------- builders, in the order a payment passes them

/** The driver reference is known: the request is about to go to the terminal. */
export function sent(driverRef: string): Step<EventOf<'sent'>> {
  return { patch: { driverRef, stage: 'sent' }, event: { type: 'sent', data: { driverRef } } };
}

/** Progress reported by the terminal. */
export function stage(s: Stage, message: string): Step<EventOf<'stage'>> {
  return { patch: { stage: s }, event: { type: 'stage', data: { stage: s, message } } };
}

/** The terminal's answer: approved answers of two-phase links wait open (`approved_open`) for their settlement. */
export function outcome(
  record: PaymentRecord,
  o: TerminalOutcome,
): Step<EventOf<'outcome'>> & { result: PaymentResult; stage: Stage; settlement: 'pending' | null } {
  const settlement = o.outcome === 'approved' && o.needsSettlement ? 'pending' : null;
  const stage: Stage = settlement ? 'approved_open' : 'done';
  const result = buildResult(record, o);
  return {
    patch: {
      outcome: o.outcome,
      stage,
      settlement,
      result,
      message: o.message,
      ...(o.driverRef && !record.driverRef ? { driverRef: o.driverRef } : {}),
      ...(o.raw ? { raw: { ...o.raw } } : {}),
    },
    event: {
      type: 'outcome',
      data: { outcome: o.outcome, message: o.message, refused: o.refused ?? null, settlement },
    },
    result,
    stage,
    settlement,
  };
}

/** The result was written to the register. */
export function delivered(at: string): Step<EventOf<'delivered'>> {
  return { patch: { deliveredAt: at }, event: { type: 'delivered' } };
}

/** The register confirmed it recorded the result. */
export function acknowledged(at: string): Step<EventOf<'acknowledged'>> {
  return { patch: { acknowledgedAt: at }, event: { type: 'acknowledged' } };
}

/** The decision to complete or cancel an approved-open payment, recorded before it goes to the terminal. */
export function settleDecision(decision: SettleDecision, why: string): Step<EventOf<'settle_decision'>> {
  return {
    patch: { settlement: decision, stage: decision === 'complete' ? 'confirming' : 'cancelling' },
    event: { type: 'settle_decision', data: { decision, why } },
  };
}

/** The terminal took the settlement: completed, or cancelled (the approval becomes a reversal). */
export function settled(
  current: PaymentRecord,
  decision: SettleDecision,
  why: string,
  message: string,
): Step<EventOf<'settled'>> {
  if (decision === 'complete') {
    return {
      patch: { settlement: 'completed', stage: 'done' },
      event: { type: 'settled', data: { decision, message } },
    };
  }
  const result: PaymentResult = {
    ...(current.result ?? resultOf(current)),
    outcome: 'cancelled',
    message: `Reversed on the terminal: ${why}`,
  };
  return {
    patch: { settlement: 'cancelled', stage: 'done', outcome: 'cancelled', result, message: result.message },
    event: { type: 'settled', data: { decision, why, message } },
  };
}

/** Recovery: the intent never reached the terminal before the bridge stopped. */
export function neverSent(r: PaymentRecord): Step<EventOf<'recovered'>> {
  const message = 'Not sent to the terminal before the bridge stopped; nothing was charged';
  return {
    patch: { outcome: 'failed', stage: 'done', message, result: { ...resultOf(r), outcome: 'failed', message } },
    event: { type: 'recovered', data: { outcome: 'failed', reason: 'never_sent' } },
  };
}

/** Recovery: the terminal could not tell yet. */
export function inDoubt(r: PaymentRecord): Step<EventOf<'in_doubt'>> {
  const message = 'The terminal could not tell yet what happened; the bridge keeps asking';
  return {
    patch: {
      outcome: 'in_doubt',
      stage: 'recovering',
      message,
      result: { ...resultOf(r), outcome: 'in_doubt', message },
    },
    event: { type: 'in_doubt' },
  };
}

/**
 * Recovery: the terminal's answer found by a lookup. An approval found only now was never accepted by the register (it
 * got in_doubt at most): by the documented rule it is reversed, and the decision is recorded with the outcome, so no
 * one is ever shown it as approved. The register has not seen this outcome yet: it is delivered anew.
 */
export function recovered(
  r: PaymentRecord,
  found: TerminalOutcome,
): Step<EventOf<'recovered'>> & { settlement: 'cancel' | null } {
  const settlement = found.outcome === 'approved' && found.needsSettlement ? 'cancel' : null;
  return {
    patch: {
      outcome: found.outcome,
      stage: settlement ? 'cancelling' : 'done',
      settlement,
      result: buildResult(r, found),
      message: found.message,
      deliveredAt: null,
      ...(found.raw ? { raw: { ...found.raw } } : {}),
    },
    event: { type: 'recovered', data: { outcome: found.outcome, settlement } },
    settlement,
  };
}

/** An approved follow-up marks its original: reversed (or released), or a pre-authorisation completed. */
export function markOriginal(journal: Journal, followUp: PaymentRecord): void {
  if (!followUp.originalId) return;
  if (followUp.kind === 'reversal' || followUp.kind === 'preauth_cancel') {
    journal.update(
      followUp.originalId,
      { reversedBy: followUp.id },
      { type: 'reversed', data: { by: followUp.id, kind: followUp.kind } },
    );
  } else if (followUp.kind === 'completion') {
    journal.note(followUp.originalId, {
      type: 'preauth_completed',
      data: { by: followUp.id, amount: followUp.amount.minor },
    });
  }
}

/** The result a register gets for a journal record (recorded result, or what is known so far). */
export function resultOf(r: PaymentRecord): PaymentResult {
  // Approved at the terminal, but already decided to be reversed (register never accepted it): that is what it is.
  if (r.outcome === 'approved' && r.settlement === 'cancel') {
    return {
      ...(r.result ?? baseResult(r)),
      outcome: 'cancelled',
      message: 'Approved at the terminal, being reversed: the register did not accept it',
    };
  }
  if (r.result && r.outcome !== null) return { ...r.result, outcome: r.outcome };
  return baseResult(r);
}

function baseResult(r: PaymentRecord): PaymentResult {
  return {
    ref: r.ref,
    kind: r.kind,
    outcome: r.outcome ?? 'in_doubt',
    amount: r.amount,
    ...(r.tip ? { tip: r.tip } : {}),
    terminal: r.terminal,
    message: r.message || (r.outcome === null ? 'Still running' : ''),
    receiptNo: r.receiptNo,
  };
}

/** The result a register gets for a terminal's answer (card data beyond the masked PAN scrubbed). */
export function buildResult(record: PaymentRecord, o: TerminalOutcome): PaymentResult {
  return scrubCardData({
    ...o.fields,
    ref: record.ref,
    kind: record.kind,
    outcome: o.outcome,
    amount: record.amount,
    ...(record.tip ? { tip: record.tip } : {}),
    terminal: record.terminal,
    message: o.message,
    receiptNo: record.receiptNo,
    ...(o.cancelTookEffect !== undefined ? { cancelTookEffect: o.cancelTookEffect } : {}),
  });
}

// ---------------------------------------------------------------- the dashboard's trail

/** What the trail reads from an event's stored data (events written by older versions may lack any of it). */
interface StoredData {
  stage?: Stage;
  message?: string;
  settlement?: Settlement | null;
  decision?: string;
}

/** The stage each event puts a payment in on the dashboard's trail (null: the event is not a step of it). */
const TRAIL: Record<LifecycleEventType, ((d: StoredData) => { stage?: Stage; message?: string }) | null> = {
  intent: () => ({ stage: 'queued' }),
  sent: () => ({ stage: 'sent' }),
  stage: (d) => ({ stage: d.stage, message: d.message }),
  outcome: (d) => ({ stage: d.settlement === 'pending' ? 'approved_open' : 'done', message: d.message }),
  recovered: (d) => ({ stage: d.settlement === 'pending' ? 'approved_open' : 'done', message: d.message }),
  in_doubt: () => ({ stage: 'recovering' }),
  settle_decision: (d) => ({ stage: d.decision === 'complete' ? 'confirming' : 'cancelling' }),
  settled: () => ({ stage: 'done' }),
  delivered: null,
  acknowledged: null,
  reversed: null,
  attached: null,
  resent_known_result: null,
  cancel_requested: null,
  terminal_busy: null,
  terminal_has_open_transaction: null,
  answer_lost: null,
  recovered_by_lookup: null,
  recovery_lookup: null,
  rejected_by_register: null,
  held_for_register: null,
  undeliverable: null,
  preauth_completed: null,
  settle_failed: null,
  auto_reversal: null,
  auto_reversal_failed: null,
};

/** The trail step of a stored event: its stage (and message, where the event carries one), or undefined. */
export function trailStep(type: string, data: unknown): { stage: Stage; message?: string } | undefined {
  const rule = Object.hasOwn(TRAIL, type) ? TRAIL[type as LifecycleEventType] : null;
  if (!rule) return undefined;
  const step = rule((data && typeof data === 'object' ? data : {}) as StoredData);
  return step.stage
    ? { stage: step.stage, ...(step.message !== undefined ? { message: step.message } : {}) }
    : undefined;
}
