import { BridgeError } from '../domain/errors';
import { money, sameMoney, type Money } from '../domain/money';
import type { PaymentRequest } from '../domain/payment';
import { opClassOf, type OpClass } from '../domain/settlement';
import type { Journal, PaymentRecord } from '../journal/journal';
import type { RegisterIdentity } from './api';
import type { Lane, Lanes } from './lane';

/**
 * Admission: whether a register's request may become a payment, and on which lane. The ref is checked, a known ref
 * is attached to (or refused as `ref_conflict` when it names something else), amounts, tips and currencies are
 * checked against the terminal, and a follow-up (reversal, completion, pre-authorisation release) against the payment
 * it names. Nothing is recorded here: a refused request leaves no trace in the journal.
 */

/** A request that may run: what its intent records. */
export interface Admitted {
  readonly lane: Lane;
  readonly ref: string;
  readonly opClass: OpClass;
  readonly amount: Money;
  readonly tip: number;
  readonly originalId?: string;
}

export type Admission = { readonly known: PaymentRecord } | { readonly admitted: Admitted };

export class Admissions {
  constructor(
    private readonly journal: Journal,
    private readonly lanes: Lanes,
  ) {}

  /** The request's own checks; a known ref comes back as `known` (to attach to, after `checkAttach`). */
  admit(who: RegisterIdentity, request: PaymentRequest): Admission {
    const ref = checkRef(request.ref);
    const opClass = opClassOf(request.kind);
    const known = this.journal.findByRef(who.register, ref, opClass);
    if (known) return { known };
    if (opClass === 'payment') {
      const lane = this.lanes.for(who, request.terminal);
      lane.refuseIfOffline();
      if (!request.amount) throw new BridgeError('invalid_amount', `${request.kind} needs an amount`);
      const amount = money(request.amount.minor, request.amount.currency);
      if (amount.minor === 0) throw new BridgeError('invalid_amount', 'amount must be greater than zero');
      const tip = request.tip === undefined ? 0 : money(request.tip, amount.currency, 'tip').minor;
      if (tip > 0 && request.kind === 'refund') throw new BridgeError('invalid_amount', 'a refund has no tip');
      if (lane.currency && lane.currency !== amount.currency) {
        throw new BridgeError(
          'currency_mismatch',
          `terminal ${lane.id} takes ${lane.currency}, not ${amount.currency}`,
        );
      }
      return { admitted: { lane, ref, opClass, amount, tip } };
    }
    const original = this.journal.findByRef(who.register, ref, 'payment');
    if (!original) throw new BridgeError('unknown_ref', `no payment with ref "${ref}" is known for this register`);
    const lane = this.lanes.of(original.terminal);
    lane.refuseIfOffline();
    this.checkFollowUp(request, original, lane);
    let amount = original.amount;
    if (request.kind === 'completion') {
      if (!request.amount) throw new BridgeError('invalid_amount', 'completion needs an amount');
      amount = money(request.amount.minor, request.amount.currency);
      if (amount.currency !== original.amount.currency)
        throw new BridgeError('currency_mismatch', `the pre-authorisation was in ${original.amount.currency}`);
      if (amount.minor === 0) throw new BridgeError('invalid_amount', 'amount must be greater than zero');
    }
    return { admitted: { lane, ref, opClass, amount, tip: 0, originalId: original.id } };
  }

  /** A resend of a known ref must ask for the same thing; anything else is `ref_conflict`. */
  checkAttach(existing: PaymentRecord, request: PaymentRequest): void {
    const payment = opClassOf(request.kind) === 'payment';
    const conflict =
      existing.kind !== request.kind ||
      (request.amount !== undefined && payment && !sameMoney(existing.amount, request.amount)) ||
      (request.kind === 'completion' && request.amount !== undefined && !sameMoney(existing.amount, request.amount)) ||
      ((request.tip ?? 0) !== existing.tip && payment);
    if (!conflict) return;
    throw new BridgeError(
      'ref_conflict',
      `ref "${existing.ref}" is already used for a ${existing.kind} of ${existing.amount.minor} ${existing.amount.currency}${existing.tip ? ` (tip ${existing.tip})` : ''}`,
      { amount: existing.amount.minor, currency: existing.amount.currency },
    );
  }

  private checkFollowUp(request: PaymentRequest, original: PaymentRecord, lane: Lane): void {
    if (original.outcome !== 'approved') {
      throw new BridgeError(
        'not_reversible',
        `payment "${original.ref}" is ${original.outcome ?? 'still running'}, not approved`,
      );
    }
    if (original.reversedBy) throw new BridgeError('not_reversible', `payment "${original.ref}" was already reversed`);
    if (request.kind === 'reversal') {
      if (original.kind === 'preauth')
        throw new BridgeError('not_reversible', 'a pre-authorisation is released with preauth_cancel, not reversed');
      const last = this.journal.lastSentOnTerminal(lane.id);
      if (lane.driver.info.reversal !== 'any' && last && last.id !== original.id) {
        throw new BridgeError(
          'not_reversible',
          `only the last transaction on terminal ${lane.id} can be reversed; "${original.ref}" is not the last one: refund it instead`,
        );
      }
    } else {
      if (original.kind !== 'preauth')
        throw new BridgeError('not_reversible', `payment "${original.ref}" is not a pre-authorisation`);
      if (!original.result?.preauthCode)
        throw new BridgeError('not_reversible', `the terminal gave no pre-authorisation code for "${original.ref}"`);
    }
  }
}

const REF_RE = /^[\x21-\x7e][\x20-\x7e]{0,63}$/;

/** A register's ref: 1–64 printable ASCII characters without leading or trailing spaces. */
export function checkRef(ref: unknown): string {
  if (typeof ref !== 'string' || !REF_RE.test(ref) || ref !== ref.trim()) {
    throw new BridgeError(
      'invalid_ref',
      'ref must be 1–64 printable ASCII characters without leading or trailing spaces',
    );
  }
  return ref;
}
