import type { TransactionKind } from './vocabulary';

/** Where the two-phase completion of an approved payment stands (IPP COMPLETE_TX / CANCEL_TX). */
export type Settlement = 'pending' | 'complete' | 'cancel' | 'completed' | 'cancelled';

/** 'payment' for sale/refund/preauth; follow-ups are their own class so they can reuse the original's ref. */
export type OpClass = 'payment' | 'reversal' | 'completion' | 'preauth_cancel';

export function opClassOf(kind: TransactionKind): OpClass {
  return kind === 'reversal' || kind === 'completion' || kind === 'preauth_cancel' ? kind : 'payment';
}
