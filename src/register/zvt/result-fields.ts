/**
 * A payment's result as ZVT fields (zvt.md §7, §11): the BMPs of the 04 0F status information, the facts a receipt
 * prints, the trace and date/time read from the terminal's fields, and the End-of-Day totals (BMP 60). Pure: the
 * session decides when these are sent.
 */
import type { PaymentView } from '../../bridge/api';
import { panRules } from '../../domain/card-data';
import { currency as currencyOf } from '../../domain/currency';
import type { PaymentResult } from '../../domain/payment';
import type { ZvtDateTime } from './bcd';
import { errorTlv, type TotalsLine, type TransactionReport } from './messages';
import type { ReceiptFacts } from './receipt';
import { TOTALS_GROUPS, cardTypeFor, totalsGroupFor, type TotalsGroup, type ZvtResult } from './result-codes';

/** What a receipt and the 04 0F say of a result: its date/time (else `now`), terminal id, trace, receipt no, card. */
export function receiptFacts(result: PaymentResult, terminalId: string | undefined, now: Date): ReceiptFacts {
  const trace = traceOf(result);
  const cardName = result.applicationLabel ?? result.cardScheme;
  return {
    result,
    at: resultDateTime(result, now),
    ...(terminalId !== undefined ? { terminalId } : {}),
    ...(trace !== undefined ? { trace } : {}),
    ...(result.receiptNo !== undefined ? { receiptNo: result.receiptNo } : {}),
    ...(cardName !== undefined ? { cardName } : {}),
  };
}

/** §7: the BMPs of 04 0F from a result. */
export function transactionReport(
  result: PaymentResult,
  zr: ZvtResult,
  facts: ReceiptFacts,
  echoCurrency: boolean,
  extra: { originalTrace?: number },
): TransactionReport {
  const amount =
    result.processedAmount && result.processedAmount.currency === result.amount.currency
      ? result.processedAmount
      : result.amount;
  const pan = panRules.register(result.panMasked);
  const cardType = cardTypeFor(result);
  const tlv = zr.text !== undefined || zr.extendedCode !== undefined ? errorTlv(zr) : [];
  return {
    resultCode: zr.code,
    amountMinor: amount.minor,
    trace: facts.trace ?? '0',
    ...(extra.originalTrace !== undefined ? { originalTrace: extra.originalTrace } : {}),
    at: facts.at,
    ...(pan !== undefined ? { panMasked: pan } : {}),
    ...(facts.terminalId !== undefined ? { terminalId: facts.terminalId } : {}),
    ...(result.merchantId ? { vuNumber: result.merchantId.slice(0, 15) } : {}),
    ...(result.authCode ? { authCode: result.authCode.slice(0, 8) } : {}),
    ...(result.receiptNo !== undefined ? { receiptNo: result.receiptNo % 10_000 } : {}),
    ...(cardType !== undefined ? { cardType } : {}),
    ...(result.applicationLabel ? { cardName: result.applicationLabel.slice(0, 98) } : {}),
    ...(echoCurrency ? { currencyNumeric: currencyOf(result.amount.currency).numeric } : {}),
    ...(tlv.length > 0 ? { tlv } : {}),
  };
}

/** A terminal id as BMP 29 takes it: up to 8 digits, zero-padded; undefined when it is not numeric. */
export function numericTid(tid: string | undefined): string | undefined {
  const t = tid?.trim();
  return t && /^[0-9]{1,8}$/.test(t) ? t.padStart(8, '0') : undefined;
}

/** BMP 0B: the terminal's trace (STAN) when it is numeric, else the bridge's receipt number (§7, §11). */
export function traceOf(result: Pick<PaymentResult, 'stan' | 'receiptNo'>): string | undefined {
  const stan = result.stan?.trim();
  if (stan && /^[0-9]+$/.test(stan)) return stan.replace(/^0+(?=[0-9])/, '');
  return result.receiptNo !== undefined ? String(result.receiptNo) : undefined;
}

export function toZvtDateTime(d: Date): ZvtDateTime {
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
  };
}

/**
 * The transaction's date and time from the terminal's fields, read leniently (the myPOS formats are not public):
 * time "143015" or "14:30:15"; date "2025-11-25", "20251125", "251125" (YYMMDD), "25.11.2025", "1125" (MMDD), or an
 * ISO timestamp. Falls back to `now` for whatever cannot be read.
 */
export function resultDateTime(result: Pick<PaymentResult, 'txDate' | 'txTime'>, now: Date): ZvtDateTime {
  const base = toZvtDateTime(now);
  let { year, month, day, hour, minute, second } = base;
  const iso = result.txDate && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?/.exec(result.txDate);
  if (iso) {
    const [y, mo, d] = result.txDate!.slice(0, 10).split('-').map(Number) as [number, number, number];
    const [h, mi, s] = result.txDate!.slice(11, 19).split(':').map(Number) as [number, number, number?];
    return validDateTime({ year: y, month: mo, day: d, hour: h, minute: mi, second: s ?? 0 }, base);
  }
  const t = result.txTime?.trim();
  if (t) {
    const parts = /^(\d{2}):?(\d{2}):?(\d{2})?/.exec(t);
    if (parts) {
      hour = Number(parts[1]);
      minute = Number(parts[2]);
      second = parts[3] !== undefined ? Number(parts[3]) : 0;
    }
  }
  const dt = result.txDate?.trim();
  if (dt) {
    const groups = dt.split(/[^0-9]+/).filter((g) => g.length > 0);
    if (groups.length === 3) {
      const [a, b, c] = groups as [string, string, string];
      if (a.length === 4) [year, month, day] = [Number(a), Number(b), Number(c)];
      else if (c.length === 4) [day, month, year] = [Number(a), Number(b), Number(c)];
      else [year, month, day] = [2000 + Number(a), Number(b), Number(c)];
    } else if (groups.length === 1) {
      const g = groups[0] as string;
      if (g.length === 8) [year, month, day] = [Number(g.slice(0, 4)), Number(g.slice(4, 6)), Number(g.slice(6, 8))];
      else if (g.length === 6)
        [year, month, day] = [2000 + Number(g.slice(0, 2)), Number(g.slice(2, 4)), Number(g.slice(4, 6))];
      else if (g.length === 4) [month, day] = [Number(g.slice(0, 2)), Number(g.slice(2, 4))];
    }
  }
  return validDateTime({ year, month, day, hour, minute, second }, base);
}

function validDateTime(t: ZvtDateTime, fallback: ZvtDateTime): ZvtDateTime {
  const okDate = t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31 && t.year >= 1 && t.year <= 9999;
  const okTime = t.hour <= 23 && t.minute <= 59 && t.second <= 59 && t.hour >= 0 && t.minute >= 0 && t.second >= 0;
  return {
    ...(okDate
      ? { year: t.year, month: t.month, day: t.day }
      : { year: fallback.year, month: fallback.month, day: fallback.day }),
    ...(okTime
      ? { hour: t.hour, minute: t.minute, second: t.second }
      : { hour: fallback.hour, minute: fallback.minute, second: fallback.second }),
  };
}

/**
 * End-of-Day totals (§7 BMP 60, §11) from the payments the bridge closed the day with: approved, not reversed, in
 * the listener's currency. Sales count and add; refunds count and subtract (a group never goes below zero).
 */
export function dayTotals(
  views: readonly PaymentView[],
  currency: string,
): {
  total: number;
  receiptFrom: number;
  receiptTo: number;
  groups: TotalsLine[];
} {
  const groups = new Map<TotalsGroup, { count: number; totalMinor: number }>(
    TOTALS_GROUPS.map((g) => [g, { count: 0, totalMinor: 0 }]),
  );
  let receiptFrom = 0;
  let receiptTo = 0;
  for (const v of views) {
    if (v.outcome !== 'approved' || v.reversed || v.amount.currency !== currency) continue;
    if (v.kind !== 'sale' && v.kind !== 'refund' && v.kind !== 'completion') continue;
    const group = groups.get(totalsGroupFor(v.result ? cardTypeFor(v.result) : undefined))!;
    group.count++;
    group.totalMinor += v.kind === 'refund' ? -v.amount.minor : v.amount.minor;
    const no = v.result?.receiptNo;
    if (no !== undefined) {
      receiptFrom = receiptFrom === 0 ? no : Math.min(receiptFrom, no);
      receiptTo = Math.max(receiptTo, no);
    }
  }
  const lines = TOTALS_GROUPS.map((g) => {
    const v = groups.get(g)!;
    return { count: v.count, totalMinor: Math.max(0, v.totalMinor) };
  });
  return { total: lines.reduce((s, l) => s + l.totalMinor, 0), receiptFrom, receiptTo, groups: lines };
}
