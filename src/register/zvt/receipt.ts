/**
 * Receipt lines for registers that print the payment receipt themselves from lines we send (Registration config
 * bits 02 "ECR prints payment receipts" and 80 "receipt lines via 06 D1", zvt.md §5, §6). Plain ASCII, one 06 D1 per
 * line, at most the register's printer width (TLV 12, default 40 columns). Only a masked PAN ever appears.
 */
import type { PaymentResult } from '../../domain/payment';
import { toDecimal } from '../../domain/money';
import type { ZvtDateTime } from './bcd';

export const DEFAULT_PRINTER_WIDTH = 40;

/** Widths of the bridge's receipts (src/receipts), widest first. */
export const RECEIPT_WIDTHS = [48, 40, 32] as const;

/** 06 D1 attributes (§6): 00 normal; bit 8 set with other bits = last line of the receipt. */
export const PRINT_NORMAL = 0x00;
export const PRINT_LAST_LINE = 0x81;

const TITLES: Readonly<Record<string, string>> = {
  sale: 'CARD PAYMENT',
  refund: 'REFUND',
  reversal: 'REVERSAL',
  preauth: 'PRE-AUTHORISATION',
  completion: 'COMPLETION',
  preauth_cancel: 'PRE-AUTH. CANCELLED',
};

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function pair(left: string, right: string, width: number): string {
  const gap = Math.max(1, width - left.length - right.length);
  return (left + ' '.repeat(gap) + right).slice(0, width);
}

function centre(text: string, width: number): string {
  const t = text.slice(0, width);
  return ' '.repeat(Math.floor((width - t.length) / 2)) + t;
}

export interface ReceiptFacts {
  readonly result: PaymentResult;
  readonly at: ZvtDateTime;
  readonly terminalId?: string;
  readonly trace?: string;
  readonly receiptNo?: number;
  readonly cardName?: string;
}

/** The lines of one customer receipt. */
export function receiptLines(facts: ReceiptFacts, width = DEFAULT_PRINTER_WIDTH): string[] {
  const r = facts.result;
  const w = Math.max(16, Math.min(width, 80));
  const lines: string[] = [];
  if (r.merchantName) lines.push(centre(r.merchantName, w));
  lines.push(centre(TITLES[r.kind] ?? r.kind.toUpperCase(), w));
  lines.push('');
  const t = facts.at;
  lines.push(pair(`Date ${two(t.day)}.${two(t.month)}.${two(t.year % 100)}`, `Time ${two(t.hour)}:${two(t.minute)}:${two(t.second)}`, w));
  if (facts.terminalId) lines.push(pair('Terminal-ID', facts.terminalId, w));
  if (facts.trace) lines.push(pair('Trace', facts.trace, w));
  if (facts.receiptNo !== undefined) lines.push(pair('Receipt', String(facts.receiptNo).padStart(4, '0'), w));
  if (facts.cardName) lines.push(pair('Card', facts.cardName, w));
  if (r.panMasked) lines.push(pair('PAN', r.panMasked, w));
  if (r.aid) lines.push(pair('AID', r.aid, w));
  if (r.authCode) lines.push(pair('Auth. code', r.authCode, w));
  if (r.rrn) lines.push(pair('Reference', r.rrn, w));
  lines.push('');
  lines.push(pair('AMOUNT', `${r.amount.currency} ${toDecimal(r.amount)}`, w));
  lines.push('');
  lines.push(centre(r.outcome === 'approved' ? 'APPROVED' : 'NOT APPROVED', w));
  return lines.map((l) => l.replace(/[^\x20-\x7e]/g, '?'));
}
