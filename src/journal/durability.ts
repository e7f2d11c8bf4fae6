import type { EventOf, LifecycleEventType } from '../bridge/lifecycle';

/**
 * `true`: its own fsync (or a group flush the bridge awaits); `false`: a commit of its own that rides on the next
 * flush; `'ride'`: not even a commit of its own — written inside the journal's next commit.
 */
export type CommitRule = boolean | 'ride';

/**
 * Which journal commits need their own fsync, and which may ride on the next one.
 *
 * Every commit goes into SQLite's write-ahead log in order, so a durable commit (synchronous=FULL: the log is
 * fsynced) also makes every commit before it durable. A commit without its own fsync (synchronous=NORMAL), once in the
 * log, survives a killed process (the OS still holds the pages) and is lost only by a power cut before the next durable
 * commit; grouped commits reach the log at the end of their turn (`writtenAtOnce` below).
 *
 * A change may skip its fsync when losing it in a power cut cannot lose a payment or charge one twice, because
 * recovery reaches the same end without it:
 * - `stage`: progress only; recovery decides on intent, driver reference, outcome and settlement, never on a stage.
 * - `delivered`: the result was written to the register. Lost, the result counts as not yet delivered and is offered
 *   to the register again (a resend of a known ref answers the same result). Where delivery decides a settlement the
 *   decision goes into the same commit, which is made durable before the decision is acted on.
 * - `settled` after COMPLETE_TX: the decision to complete was durable before COMPLETE_TX went out; lost, recovery
 *   sends COMPLETE_TX again and the terminal answers that nothing is open, which ends the same way. It takes no commit
 *   of its own either (`ride`): like a progress stage it waits in memory for the journal's next commit (a second at
 *   most), so a killed process may lose it too — with the same ending.
 * Everything else — intent, sent (driver reference), outcome, acknowledgement, settle decision, a cancel's
 * settlement that changes the outcome, reversals, recovery, every note — is durable before it is acted on or reported.
 *
 * The rule is a table over the event vocabulary of bridge/lifecycle.ts: an event added or renamed there does not
 * compile until it has its line here.
 */
const COMMIT_RULES: {
  [K in LifecycleEventType]: CommitRule | ((data: Partial<NonNullable<EventOf<K>['data']>>) => CommitRule);
} = {
  intent: true,
  sent: true,
  stage: 'ride',
  outcome: true,
  in_doubt: true,
  delivered: false,
  acknowledged: true,
  settle_decision: true,
  settled: (data) => (data.decision === 'complete' ? 'ride' : true),
  recovered: true,
  reversed: true,
  attached: true,
  resent_known_result: true,
  cancel_requested: true,
  terminal_busy: true,
  terminal_has_open_transaction: true,
  answer_lost: true,
  recovered_by_lookup: true,
  recovery_lookup: true,
  rejected_by_register: true,
  held_for_register: true,
  undeliverable: true,
  preauth_completed: true,
  settle_failed: true,
  auto_reversal: true,
  auto_reversal_failed: true,
};

/** How an event is committed. Types not in the vocabulary (older journals) count as durable. */
export function commitRule(eventType: string, data?: unknown): CommitRule {
  const rule = Object.hasOwn(COMMIT_RULES, eventType) ? COMMIT_RULES[eventType as LifecycleEventType] : true;
  if (typeof rule !== 'function') return rule;
  return (rule as (d: object) => CommitRule)(data && typeof data === 'object' ? data : {});
}

/**
 * Grouped commits go to the log at the end of their turn of the event loop, with every lane's (Journal.groupedTx): a
 * killed process loses them, which is safe for what no one has acted on yet. A delivery report is different: the
 * register already holds the result, and recovery reverses an approval it finds undelivered. A grouped commit that
 * carries one is written to the log at once, so a killed process keeps it, as before group commit.
 */
export function writtenAtOnce(eventType: string): boolean {
  return eventType === 'delivered' || eventType === 'acknowledged';
}

/** Whether an event's commit takes its own fsync. */
export function needsOwnFsync(eventType: string, data?: unknown): boolean {
  return commitRule(eventType, data) === true;
}

/** The rule of several changes made in one commit: the most durable of theirs. */
export function strongestRule(rules: readonly CommitRule[]): CommitRule {
  if (rules.includes(true)) return true;
  if (rules.includes(false)) return false;
  return 'ride';
}
