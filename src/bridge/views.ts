import type { PaymentResult } from '../domain/payment';
import type { PaymentRecord } from '../journal/journal';
import type { PaymentView } from './api';

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

export function viewOf(r: PaymentRecord, followUps: PaymentRecord[] = []): PaymentView {
  const reversal = followUps.find(
    (f) => (f.kind === 'reversal' || f.kind === 'preauth_cancel') && f.outcome === 'approved',
  );
  const view: PaymentView = {
    id: r.id,
    register: r.register,
    ref: r.ref,
    kind: r.kind,
    amount: r.amount,
    ...(r.tip ? { tip: r.tip } : {}),
    terminal: r.terminal,
    stage: r.stage,
    outcome: r.outcome === 'approved' && r.settlement === 'cancel' ? 'cancelled' : r.outcome,
    message: r.message,
    ...(r.outcome !== null ? { result: resultOf(r) } : {}),
    delivered: r.deliveredAt !== null,
    acknowledged: r.acknowledgedAt !== null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.reversedBy || reversal ? { reversed: true } : {}),
  };
  return view;
}
