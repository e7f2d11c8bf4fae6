/** What a register can ask a terminal to do. Follow-ups (reversal, completion, preauth_cancel) name an earlier payment. */
export const TRANSACTION_KINDS = ['sale', 'refund', 'preauth', 'reversal', 'completion', 'preauth_cancel'] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

/** Kinds that act on an earlier payment rather than start a new one. */
export const FOLLOW_UP_KINDS: ReadonlySet<TransactionKind> = new Set(['reversal', 'completion', 'preauth_cancel']);

/**
 * The one outcome vocabulary. `in_doubt` means the terminal could not tell yet; the bridge resolves it
 * by itself later and never turns it into approved or failed without the terminal's word.
 */
export const OUTCOMES = ['approved', 'declined', 'cancelled', 'failed', 'in_doubt'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Outcomes after which nothing more will change. `in_doubt` is not final. */
export function isFinalOutcome(o: Outcome | null | undefined): o is Exclude<Outcome, 'in_doubt'> {
  return o === 'approved' || o === 'declined' || o === 'cancelled' || o === 'failed';
}

/** The one stage vocabulary for progress, shown to registers and the UI alike. */
export const STAGES = [
  /** Held by the listener's money-out policy until an operator confirms it (nothing reached the terminal). */
  'awaiting_manager',
  'queued',
  'connecting',
  'sent',
  'accepted',
  'present_card',
  'pin_entry',
  'processing',
  'approved_open',
  'confirming',
  'cancelling',
  'recovering',
  'done',
] as const;
export type Stage = (typeof STAGES)[number];

/** Plain words for each stage, for a cashier's display. */
export const STAGE_MESSAGES: Readonly<Record<Stage, string>> = {
  awaiting_manager: 'Waiting for the manager to confirm',
  queued: 'Waiting for the terminal',
  connecting: 'Connecting to the terminal',
  sent: 'Sent to the terminal',
  accepted: 'Terminal accepted the request',
  present_card: 'Present card',
  pin_entry: 'Enter PIN',
  processing: 'Processing',
  approved_open: 'Approved, confirming',
  confirming: 'Confirming with the terminal',
  cancelling: 'Cancelling on the terminal',
  recovering: 'Asking the terminal what happened',
  done: 'Done',
};
