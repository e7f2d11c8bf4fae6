/**
 * ReceiptData from the journal: the terminal's answer (ResultFields and the raw properties the driver kept) plus
 * the `merchant` and `receipts` configuration. Pure; every value passes safe-text.ts.
 */
import type { PaymentRecord } from '../journal/journal';
import { checkMinor } from '../domain/money';
import { isoDate, isoTime, isTimeZone, localParts, systemTimeZone } from '../domain/time-zone';
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

  const cfg = settings.merchant ?? {};
  const terminalName = firstText(r?.merchantName, raw[RAW_MERCHANT_NAME], o?.merchantName, oraw[RAW_MERCHANT_NAME]);
  const terminalAddress: string[] = [];
  const line1 = firstText(raw[RAW_ADDRESS_1], oraw[RAW_ADDRESS_1]);
  if (line1 !== undefined) terminalAddress.push(line1);
  const line2 = firstText(raw[RAW_ADDRESS_2], oraw[RAW_ADDRESS_2]);
  if (line2 !== undefined) terminalAddress.push(line2);
  const configAddress = safeLines(cfg.address);
  const configName = safeText(cfg.name);
  const name = cfg.override ? (configName ?? terminalName) : (terminalName ?? configName);
  const address = cfg.override
    ? configAddress.length
      ? configAddress
      : terminalAddress
    : terminalAddress.length
      ? terminalAddress
      : configAddress;
  const terminalMid = firstText(r?.merchantId, o?.merchantId);
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
  const reason = outcome === 'approved' ? undefined : firstText(r?.declineReason, r?.message, record.message);

  const merchant: Draft['merchant'] & { name?: string; merchantId?: string } = name ? { name, address } : { address };
  if (merchantId) merchant.merchantId = merchantId;
  // Built field by field in the order receipts have always been stored in (the stored JSON is compared and kept):
  // optional fields are left out, not undefined.
  const data: Draft = {
    version: 1,
    paymentId: record.id,
    ref: safeReference(record.ref) ?? '',
    register: safeText(record.register, 64) ?? '',
    terminal: safeText(record.terminal, 64) ?? '',
    kind: record.kind,
    outcome,
    reversed: record.reversedBy !== null,
    merchant,
  };
  put(data, 'terminalId', firstText(r?.terminalId, o?.terminalId));
  data.date = when.date;
  data.time = when.time;
  put(data, 'cardScheme', firstText(r?.cardScheme, o?.cardScheme));
  put(data, 'applicationLabel', firstText(r?.applicationLabel, o?.applicationLabel));
  put(data, 'aid', firstText(r?.aid, o?.aid));
  put(data, 'panMasked', printedPan(r?.panMasked) ?? printedPan(o?.panMasked));
  // Entry mode and verification describe this transaction's card presentment: never taken from the original.
  put(data, 'entryMode', safeText(r?.entryMode));
  put(data, 'cvm', safeText(raw[RAW_CVM]));
  data.amount = amount;
  data.tip = tip;
  data.total = amount.minor + tip;
  put(data, 'authCode', safeText(r?.authCode));
  put(data, 'rrn', safeText(r?.rrn));
  put(data, 'stan', safeText(r?.stan));
  put(data, 'hostCode', safeText(r?.hostCode));
  put(data, 'preauthCode', safeText(r?.preauthCode));
  put(data, 'reason', reason);
  data.signatureRequired = r?.signatureRequired === true;
  data.receiptNo = Number.isInteger(record.receiptNo) ? record.receiptNo : 0;
  data.footer = safeLines(settings.footer);
  return data as ReceiptData;
}

/** ReceiptData while it is built. */
type Draft = { -readonly [K in keyof ReceiptData]?: ReceiptData[K] };

/** The optional text fields of a receipt. */
type OptionalText = {
  [K in keyof ReceiptData]-?: undefined extends ReceiptData[K] ? (string extends ReceiptData[K] ? K : never) : never;
}[keyof ReceiptData];

function put(data: Draft, key: OptionalText, value: string | undefined): void {
  if (value !== undefined) data[key] = value;
}

/** The first of the values that is receipt text (`safeText`). */
function firstText(a: unknown, b?: unknown, c?: unknown, d?: unknown): string | undefined {
  return safeText(a) ?? safeText(b) ?? safeText(c) ?? safeText(d);
}

/** Configured lines (address, footer) as receipt text; lines with nothing to print are left out. */
function safeLines(lines: readonly unknown[] | undefined): string[] {
  const out: string[] = [];
  for (const l of lines ?? []) {
    const s = safeText(l);
    if (s !== undefined) out.push(s);
  }
  return out;
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
  const created = new Date(createdAt);
  let date = readDate(txDate);
  let time = readTime(typeof txTimeValue === 'string' ? txTimeValue : undefined);
  const iso =
    txDate && (date === undefined || time === undefined)
      ? /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)/.exec(txDate.trim())
      : null;
  if (iso) {
    date = date ?? iso[1];
    time = time ?? readTime(iso[2]);
  }
  if (date !== undefined && time !== undefined) {
    // The terminal's own date and time (an IPP answer's): the journal's time is not needed, but an unreadable one or
    // an unknown zone still fails as it does when it is used.
    if (Number.isNaN(created.getTime()) || !isTimeZone(timeZone)) localParts(created, timeZone);
    return { date, time };
  }
  const fallback = localParts(created, timeZone);
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
