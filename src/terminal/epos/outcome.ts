/**
 * An ePOS payment in the bridge's words: result fields, outcome and message (spec §6.2, §7).
 */
import type { ResultFields } from '../../domain/payment';
import type { Outcome } from '../../domain/vocabulary';
import { isKnownCurrency } from '../../domain/currency';
import type { TerminalOutcome } from '../driver';
import { paymentOutcome } from './status';
import { parseTransactionDateLocal, type EposPayment } from './wire';

export function resultFields(p: EposPayment, terminalId: string): ResultFields {
  const f: ResultFields = { terminalId: p.terminalId ?? terminalId };
  if (p.authCode) f.authCode = p.authCode;
  if (p.rrn) f.rrn = p.rrn;
  if (p.stan) f.stan = p.stan;
  if (p.cardQualifier) f.cardScheme = p.cardQualifier;
  if (p.panMasked) f.panMasked = p.panMasked;
  if (p.aid) f.aid = p.aid;
  if (p.responseCode) f.hostCode = p.responseCode;
  if (p.signatureRequired !== undefined) f.signatureRequired = p.signatureRequired;
  const when = parseTransactionDateLocal(p.transactionDateLocal);
  if (when) {
    f.txDate = when.date;
    f.txTime = when.time;
  }
  if (
    p.amount &&
    Number.isSafeInteger(p.amount.value) &&
    p.amount.value >= 0 &&
    isKnownCurrency(p.amount.currencyCode)
  ) {
    f.processedAmount = { minor: p.amount.value, currency: p.amount.currencyCode };
  }
  const outcome = paymentOutcome(p.status);
  if (outcome && outcome !== 'approved' && p.statusMessage) f.declineReason = p.statusMessage;
  return f;
}

/** Plain words for a final payment status. */
export function outcomeMessage(p: EposPayment, outcome: Outcome): string {
  const why = [p.statusMessage, p.responseCode ? `response code ${p.responseCode}` : undefined]
    .filter(Boolean)
    .join(', ');
  switch (outcome) {
    case 'approved':
      return 'Approved';
    case 'declined':
      return `Declined${why ? `: ${why}` : ''}`;
    case 'cancelled':
      return p.status === 'Reversed' ? 'Approved, then reversed' : `Cancelled on the terminal${why ? `: ${why}` : ''}`;
    case 'failed':
      return `Refused by the terminal or host${why ? `: ${why}` : ''}`;
    default:
      return `Status ${p.status}`;
  }
}

/** The TerminalOutcome of a payment in a final status (sale or refund). */
export function finalOutcome(
  p: EposPayment,
  terminalId: string,
  extra: Partial<TerminalOutcome> = {},
): TerminalOutcome {
  const outcome = paymentOutcome(p.status) ?? 'in_doubt';
  return {
    outcome,
    fields: resultFields(p, terminalId),
    driverRef: p.paymentId,
    message: outcomeMessage(p, outcome),
    raw: { ...p.raw },
    ...extra,
  };
}
