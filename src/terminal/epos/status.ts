/**
 * ePOS payment statuses (spec §7) and what they mean for the bridge.
 *
 * Rule (§7): only `Success` (and, defensively, `Completed`) means approved. Any value not in the table is **not
 * final** — keep polling and raise an alert; never map an unknown value to success or failure.
 */
import type { Outcome } from '../../domain/vocabulary';

export const EPOS_STATUSES = ['InProgress', 'Success', 'Failed', 'Rejected', 'Canceled', 'Reversed'] as const;
export type EposStatus = (typeof EPOS_STATUSES)[number];

/** The final statuses. `Completed` comes from a second summary of the Swagger (§7) and is read as `Success`. */
const FINAL = new Set(['Success', 'Completed', 'Failed', 'Rejected', 'Canceled', 'Reversed']);

export type StatusClass = 'pending' | 'approved' | 'declined' | 'rejected' | 'cancelled' | 'reversed' | 'unknown';

export function classifyStatus(status: string): StatusClass {
  switch (status) {
    case 'InProgress':
      return 'pending';
    case 'Success':
    case 'Completed':
      return 'approved';
    case 'Failed':
      return 'declined';
    case 'Rejected':
      return 'rejected';
    case 'Canceled':
      return 'cancelled';
    case 'Reversed':
      return 'reversed';
    default:
      return 'unknown';
  }
}

export function isFinalStatus(status: string): boolean {
  return FINAL.has(status);
}

export function isKnownStatus(status: string): boolean {
  return status === 'InProgress' || FINAL.has(status);
}

/**
 * The bridge outcome of a payment (sale or refund) in a final status:
 * Success → approved; Failed → declined (the host or card said no); Rejected → failed (refused by the terminal
 * or host: busy, unreachable); Canceled → cancelled; Reversed → cancelled (approved, then voided).
 */
export function paymentOutcome(status: string): Outcome | undefined {
  switch (classifyStatus(status)) {
    case 'approved':
      return 'approved';
    case 'declined':
      return 'declined';
    case 'rejected':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    case 'reversed':
      return 'cancelled';
    default:
      return undefined;
  }
}
