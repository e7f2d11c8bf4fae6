/**
 * Which journal commits need their own fsync, and which may ride on the next one.
 *
 * Every commit goes into SQLite's write-ahead log in order, so a durable commit (synchronous=FULL: the log is
 * fsynced) also makes every commit before it durable. A commit without its own fsync (synchronous=NORMAL) survives a
 * killed process (the OS still holds the pages) and is lost only by a power cut before the next durable commit.
 *
 * A change may skip its fsync when losing it in a power cut cannot lose a payment or charge one twice, because
 * recovery reaches the same end without it:
 * - `stage`: progress only; recovery decides on intent, driver reference, outcome and settlement, never on a stage.
 * - `delivered`: the result was written to the register. Lost, the result counts as not yet delivered and is offered
 *   to the register again (a resend of a known ref answers the same result). Where delivery decides a settlement the
 *   decision follows at once as a durable commit, and the log's order makes the delivery durable with it.
 * - `settled` after COMPLETE_TX: the decision to complete was durable before COMPLETE_TX went out; lost, recovery
 *   sends COMPLETE_TX again and the terminal answers that nothing is open, which ends the same way.
 * Everything else — intent, sent (driver reference), outcome, acknowledgement, settle decision, a cancel's
 * settlement that changes the outcome, reversals, recovery — is durable before it is acted on or reported.
 */
export function needsOwnFsync(eventType: string, data?: unknown): boolean {
  if (eventType === 'stage' || eventType === 'delivered') return false;
  if (eventType === 'settled') return (data as { decision?: unknown } | null | undefined)?.decision !== 'complete';
  return true;
}
