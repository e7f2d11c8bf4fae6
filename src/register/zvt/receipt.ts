/**
 * The short receipt for registers whose printer is narrower than the bridge's receipts (32 columns) or when no
 * journaled receipt is at hand (Registration config bits 02 "ECR prints payment receipts" and 80 "receipt lines via
 * 06 D1", zvt.md §5, §6): one 06 D1 per line, at most the register's printer width (TLV 12, default 40 columns), in
 * the listener's language, in printable ASCII (other letters transliterated before the lines are laid out). Only a
 * masked PAN ever appears.
 */
import type { PaymentResult } from '../../domain/payment';
import { languageOf, translator } from '../../i18n/index';
import { asciiText } from '../../i18n/transliterate';
import { formatDate, formatTime } from '../../i18n/format';
import { printedMoney } from '../../receipts/layout';
import type { ZvtDateTime } from './bcd';

export const DEFAULT_PRINTER_WIDTH = 40;

/** Widths of the bridge's receipts (src/receipts), widest first. */
export const RECEIPT_WIDTHS = [48, 40, 32] as const;

/** 06 D1 attributes (§6): 00 normal; bit 8 set with other bits = last line of the receipt. */
export const PRINT_NORMAL = 0x00;
export const PRINT_LAST_LINE = 0x81;

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** Label left, value right; a value that does not fit beside its label gets a line of its own (never cut). */
function pair(left: string, right: string, width: number): string[] {
  const l = Array.from(left);
  const r = Array.from(right);
  if (l.length + 1 + r.length <= width) return [left + ' '.repeat(width - l.length - r.length) + right];
  return [l.slice(0, width).join(''), ' '.repeat(Math.max(0, width - r.length)) + r.slice(0, width).join('')];
}

function centre(text: string, width: number): string {
  const t = Array.from(text).slice(0, width);
  return ' '.repeat(Math.floor((width - t.length) / 2)) + t.join('');
}

export interface ReceiptFacts {
  readonly result: PaymentResult;
  readonly at: ZvtDateTime;
  readonly terminalId?: string;
  readonly trace?: string;
  readonly receiptNo?: number;
  readonly cardName?: string;
}

/** The lines of one customer receipt, in `locale`'s words (English without one). */
export function receiptLines(facts: ReceiptFacts, width = DEFAULT_PRINTER_WIDTH, locale?: string): string[] {
  const t = translator('receipt', locale);
  const language = languageOf(locale);
  const ascii = (text: string): string => asciiText(text, language);
  const r = facts.result;
  const w = Math.max(16, Math.min(width, 80));
  const lines: string[] = [];
  const add = (left: string, right: string): void => void lines.push(...pair(ascii(left), ascii(right), w));
  if (r.merchantName) lines.push(centre(ascii(r.merchantName), w));
  lines.push(centre(ascii(t(`short.title.${r.kind}`)), w));
  lines.push('');
  const at = facts.at;
  const date = `${at.year}-${two(at.month)}-${two(at.day)}`;
  const time = `${two(at.hour)}:${two(at.minute)}:${two(at.second)}`;
  add(t('label.date'), locale ? formatDate(date, locale) : `${two(at.day)}.${two(at.month)}.${two(at.year % 100)}`);
  add(t('label.time'), formatTime(time, locale));
  if (facts.terminalId) add(t('short.terminalId'), facts.terminalId);
  if (facts.trace) add(t('label.trace'), facts.trace);
  if (facts.receiptNo !== undefined) add(t('short.receipt'), String(facts.receiptNo).padStart(4, '0'));
  if (facts.cardName) add(t('label.card'), facts.cardName);
  if (r.panMasked) add(t('short.pan'), r.panMasked);
  if (r.aid) add(t('label.aid'), r.aid);
  if (r.authCode) add(t('label.authCode'), r.authCode);
  if (r.rrn) add(t('short.reference'), r.rrn);
  lines.push('');
  add(t('short.amount'), printedMoney(r.amount.minor, r.amount.currency, locale));
  lines.push('');
  lines.push(centre(ascii(r.outcome === 'approved' ? t('short.approved') : t('short.notApproved')), w));
  return lines;
}
