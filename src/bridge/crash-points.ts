/**
 * Crash points for the crash harness (`npm run chaos`): with REGISTER_BRIDGE_CRASH_AT="point" or "point:N" in the
 * environment, the process kills itself with SIGKILL the Nth time (default 1st) it reaches that point, so the
 * harness can stop the bridge exactly between two steps of a payment. Without the variable this is a no-op.
 *
 * Points, in the order a payment passes them:
 *   after_intent           intent committed, nothing sent to the terminal
 *   after_send_commit      driver reference committed, request not yet written
 *   after_terminal_outcome the terminal answered, the outcome not yet in the journal
 *   after_outcome_commit   outcome committed, the result not yet handed to the register
 *   after_delivery         the register got the result, settlement not yet decided
 *   after_settle_decision  settlement decided and committed, not yet sent to the terminal
 */
export type CrashPoint =
  | 'after_intent'
  | 'after_send_commit'
  | 'after_terminal_outcome'
  | 'after_outcome_commit'
  | 'after_delivery'
  | 'after_settle_decision';

const spec = parse(process.env.REGISTER_BRIDGE_CRASH_AT);
let hits = 0;

function parse(text: string | undefined): { point: string; nth: number } | undefined {
  if (!text) return undefined;
  const [point, nth] = text.split(':');
  return { point: point ?? '', nth: Math.max(1, Number(nth ?? '1') || 1) };
}

export function crashPoint(point: CrashPoint): void {
  if (spec === undefined || spec.point !== point) return;
  hits++;
  if (hits === spec.nth) process.kill(process.pid, 'SIGKILL');
}
