import type { PaymentRecord } from '../journal/journal';
import type { PaymentView } from './api';
import { resultOf } from './lifecycle';

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
