/**
 * The gateway's transaction list (`/pos/v1/terminals/{tid}/transactions`, mypos-api-gateway.md §8, §9.9) as the
 * host's record for reconciliation. Its amounts are **decimal major units** (§5: `"amount": 0.22`), a type of its
 * own (`DecimalAmount`), converted here exactly to minor units with the currency's exponent — never through a float
 * of ours; an amount that cannot be converted exactly is left out (and reported as unreadable).
 */
import { currency as currencyOf, currencyByNumeric, isKnownCurrency } from '../../domain/currency';
import { fromDecimal, type Money } from '../../domain/money';
import type { HostDayQuery, HostStatus, HostTransaction } from '../driver';
import type { EposGatewayClient } from './gateway-client';
import type { TerminalTransaction } from './wire';

/** Largest number of pages read for one query (100 items each). */
const MAX_PAGES = 200;

/**
 * `tran_status` (else `payment_status`) in our words. The values are not documented (§8); read as words:
 * reversal words first ("Reversed", "Voided"), then approval words ("Approved", "Success", "Completed", "Settled"),
 * then refusal words ("Declined", "Failed", "Rejected", "Canceled"). Anything else is `unknown` and reconciliation
 * reports it for a person to check.
 */
export function hostStatusOf(t: Pick<TerminalTransaction, 'tranStatus' | 'paymentStatus'>): {
  status: HostStatus;
  text: string;
} {
  const text = t.tranStatus ?? t.paymentStatus ?? '';
  const v = text.toUpperCase();
  if (/REVERS|VOID/.test(v)) return { status: 'reversed', text };
  if (/APPROV|SUCCESS|COMPLET|SETTL|CAPTUR/.test(v)) return { status: 'approved', text };
  if (/DECLIN|FAIL|REJECT|CANCEL|ERROR|DENIED/.test(v)) return { status: 'declined', text };
  return { status: 'unknown', text };
}

/** The item's currency as an alpha code: alpha as sent, a numeric ISO code converted, else the terminal's. */
function currencyCode(sent: string | undefined, fallback: string | undefined): string | undefined {
  const v = sent?.trim().toUpperCase();
  if (v && /^[A-Z]{3}$/.test(v) && isKnownCurrency(v)) return v;
  if (v && /^[0-9]{1,3}$/.test(v)) {
    try {
      return currencyByNumeric(v).code;
    } catch {
      return undefined;
    }
  }
  return v ? undefined : fallback;
}

/** A decimal major-unit amount ("12.3", "-5.00" for a credit) as exact minor units, sign dropped; undefined if not exact. */
export function exactMinor(decimal: string | undefined, code: string | undefined): Money | undefined {
  if (decimal === undefined || code === undefined) return undefined;
  try {
    currencyOf(code);
    return fromDecimal(decimal.replace(/^-/, ''), code, { separators: ['.'], what: 'host amount' });
  } catch {
    return undefined;
  }
}

export function hostTransaction(t: TerminalTransaction, terminalCurrency: string | undefined): HostTransaction {
  const code = currencyCode(t.currency, terminalCurrency);
  const amount = exactMinor(t.amount?.decimal, code);
  const { status, text } = hostStatusOf(t);
  return {
    ...(t.paymentReference ? { hostId: t.paymentReference } : {}),
    ...(t.referenceNumber ? { reference: t.referenceNumber } : {}),
    ...(amount ? { amount } : {}),
    ...(t.amount ? { amountText: t.amount.decimal } : {}),
    status,
    statusText: text,
    at: t.date,
    ...(t.rrn ? { rrn: t.rrn } : {}),
    ...(t.stan ? { stan: t.stan } : {}),
    ...(t.cardScheme ? { cardScheme: t.cardScheme } : {}),
    ...(t.panMasked ? { panMasked: t.panMasked } : {}),
  };
}

/** Every transaction of one terminal between two dates, all pages. */
export async function listHostTransactions(
  client: EposGatewayClient,
  terminalId: string,
  query: HostDayQuery,
  terminalCurrency: string | undefined,
): Promise<HostTransaction[]> {
  const out: HostTransaction[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const p = await client.listTerminalTransactionsPage(terminalId, {
      date_from: query.dateFrom,
      date_to: query.dateTo,
      page,
      size: 100,
    });
    for (const t of p.transactions)
      if (!t.terminalId || t.terminalId === terminalId) out.push(hostTransaction(t, terminalCurrency));
    if (page >= p.totalPages || p.transactions.length === 0) break;
  }
  return out;
}
