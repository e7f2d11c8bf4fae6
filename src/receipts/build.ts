/**
 * ReceiptData from the journal: the terminal's answer (ResultFields and the raw properties the driver kept) plus
 * the `merchant` and `receipts` configuration. Pure; every value passes safe-text.ts.
 */
import type { PaymentRecord } from '../journal/journal';
import { checkMinor } from '../domain/money';
import { isoDate, isoTime, localParts, systemTimeZone } from '../domain/time-zone';
import { printedPan, safeReference, safeText } from './safe-text';
import type { ReceiptData, ReceiptSettings } from './types';

/**
 * Raw terminal properties a receipt may use beyond ResultFields (mypos-ipp.md §9 receipt header data and CVM).
 * The IPP driver keeps every received property in the journal; ePOS answers do not carry these.
 */
const RAW_ADDRESS_1 = 'MERCHANT_AL1';
const RAW_ADDRESS_2 = 'MERCHANT_AL2';
const RAW_MERCHANT_NAME = 'MERCHANT_NAME';
const RAW_CVM = 'CVM';

/**
 * The receipt of one journal record. `original` is the payment a follow-up (reversal, completion, pre-auth release)
 * acts on: card and merchant data the follow-up's answer lacks are taken from it.
 */
export function receiptData(
  record: PaymentRecord,
  original: PaymentRecord | undefined,
  settings: ReceiptSettings = {},
): ReceiptData {
  const r = record.result ?? undefined;
  const o = original?.result ?? undefined;
  const raw = record.raw ?? {};
  const oraw = original?.raw ?? {};
  const pick = (...values: unknown[]): string | undefined => {
    for (const v of values) {
      const s = safeText(v);
      if (s !== undefined) return s;
    }
    return undefined;
  };

  const cfg = settings.merchant ?? {};
  const terminalName = pick(r?.merchantName, raw[RAW_MERCHANT_NAME], o?.merchantName, oraw[RAW_MERCHANT_NAME]);
  const terminalAddress = [
    pick(raw[RAW_ADDRESS_1], oraw[RAW_ADDRESS_1]),
    pick(raw[RAW_ADDRESS_2], oraw[RAW_ADDRESS_2]),
  ].filter((l): l is string => l !== undefined);
  const configAddress = (cfg.address ?? []).map((l) => safeText(l)).filter((l): l is string => l !== undefined);
  const configName = safeText(cfg.name);
  const name = cfg.override ? (configName ?? terminalName) : (terminalName ?? configName);
  const address = cfg.override
    ? configAddress.length
      ? configAddress
      : terminalAddress
    : terminalAddress.length
      ? terminalAddress
      : configAddress;
  const terminalMid = pick(r?.merchantId, o?.merchantId);
  const merchantId = cfg.override
    ? (safeText(cfg.merchantId) ?? terminalMid)
    : (terminalMid ?? safeText(cfg.merchantId));

  const when = transactionTime(
    r?.txDate ?? o?.txDate,
    r?.txTime ?? o?.txTime,
    record.createdAt,
    settings.timeZone ?? systemTimeZone(),
  );
  // A reversal voids the payment's whole total: its record carries the amount only, the tip is the original's.
  const tip = checkMinor(record.kind === 'reversal' && original ? original.tip : record.tip, 'tip');
  const amount = { minor: checkMinor(record.amount.minor), currency: record.amount.currency };
  const outcome = record.outcome ?? 'in_doubt';
  const reason = outcome === 'approved' ? undefined : pick(r?.declineReason, r?.message, record.message);

  const data: ReceiptData = {
    version: 1,
    paymentId: record.id,
    ref: safeReference(record.ref) ?? '',
    register: safeText(record.register, 64) ?? '',
    terminal: safeText(record.terminal, 64) ?? '',
    kind: record.kind,
    outcome,
    reversed: record.reversedBy !== null,
    merchant: { ...(name ? { name } : {}), address, ...(merchantId ? { merchantId } : {}) },
    ...opt('terminalId', pick(r?.terminalId, o?.terminalId)),
    date: when.date,
    time: when.time,
    ...opt('cardScheme', pick(r?.cardScheme, o?.cardScheme)),
    ...opt('applicationLabel', pick(r?.applicationLabel, o?.applicationLabel)),
    ...opt('aid', pick(r?.aid, o?.aid)),
    ...opt('panMasked', printedPan(r?.panMasked) ?? printedPan(o?.panMasked)),
    // Entry mode and verification describe this transaction's card presentment: never taken from the original.
    ...opt('entryMode', pick(r?.entryMode)),
    ...opt('cvm', pick(raw[RAW_CVM])),
    amount,
    tip,
    total: amount.minor + tip,
    ...opt('authCode', pick(r?.authCode)),
    ...opt('rrn', pick(r?.rrn)),
    ...opt('stan', pick(r?.stan)),
    ...opt('hostCode', pick(r?.hostCode)),
    ...opt('preauthCode', pick(r?.preauthCode)),
    ...opt('reason', reason),
    signatureRequired: r?.signatureRequired === true,
    receiptNo: Number.isInteger(record.receiptNo) ? record.receiptNo : 0,
    footer: (settings.footer ?? []).map((l) => safeText(l)).filter((l): l is string => l !== undefined),
  };
  return data;
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/**
 * The transaction's local date and time: the terminal's TX_DATE_LOCAL / TX_TIME_LOCAL (or ePOS
 * transaction_date_local) when readable — their format is not public (mypos-ipp.md §9), so read leniently:
 * `YYYY-MM-DD`, `YYYYMMDD`, `YYMMDD`, `DD.MM.YYYY`, an ISO date-time; `HH:MM:SS`, `HHMMSS`, `HH:MM` — else the
 * journal's time of the payment in `timeZone`.
 */
export function transactionTime(
  txDateValue: unknown,
  txTimeValue: unknown,
  createdAt: string,
  timeZone: string,
): { date: string; time: string } {
  const txDate = typeof txDateValue === 'string' ? txDateValue : undefined;
  const fallback = localParts(new Date(createdAt), timeZone);
  let date = readDate(txDate);
  let time = readTime(typeof txTimeValue === 'string' ? txTimeValue : undefined);
  const iso = txDate ? /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)/.exec(txDate.trim()) : null;
  if (iso) {
    date = date ?? iso[1];
    time = time ?? readTime(iso[2]);
  }
  return { date: date ?? isoDate(fallback), time: time ?? isoTime(fallback) };
}

function validDate(y: number, m: number, d: number): string | undefined {
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return undefined;
  return isoDate({ year: y, month: m, day: d });
}

function readDate(v: string | undefined): string | undefined {
  const s = v?.trim();
  if (!s) return undefined;
  let m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (m) return validDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) return validDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (m) return validDate(2000 + Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{2})[./](\d{2})[./](\d{4})$/.exec(s);
  if (m) return validDate(Number(m[3]), Number(m[2]), Number(m[1]));
  return undefined;
}

function readTime(v: string | undefined): string | undefined {
  const s = v?.trim();
  if (!s) return undefined;
  const m = /^(\d{2}):?(\d{2})(?::?(\d{2}))?$/.exec(s);
  if (!m) return undefined;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const sec = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 23 || mi > 59 || sec > 59) return undefined;
  return isoTime({ hour: h, minute: mi, second: sec });
}
