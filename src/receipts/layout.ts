/**
 * The receipt's layout, independent of the output: a list of blocks (centred or left text, label/value pairs with
 * the value right-aligned, rules, blank lines) that text.ts lays out at 32/40/48 columns and escpos.ts turns into
 * printer bytes. Content follows what card schemes require on a card receipt and what mypos-ipp.md §10 lists:
 * merchant name and address, TID/MID, date and time, transaction type, scheme and application (label, AID), masked
 * PAN, entry mode, amounts (tip and total), auth code, RRN/STAN, the result, a signature line on the merchant copy
 * when the terminal asks for one, and the reference.
 */
import { toDecimal } from '../domain/money';
import type { TransactionKind } from '../domain/vocabulary';
import type { ReceiptCopy, ReceiptData } from './types';

export type Align = 'left' | 'center' | 'right';

export interface Style {
  readonly bold?: boolean;
  /** Double height (ESC/POS GS ! 0x01); keeps the column count. */
  readonly tall?: boolean;
}

export type Block =
  | { readonly t: 'text'; readonly text: string; readonly align: Align; readonly style?: Style }
  | { readonly t: 'pair'; readonly left: string; readonly right: string; readonly style?: Style }
  | { readonly t: 'rule'; readonly char: '-' | '=' | '_' }
  | { readonly t: 'blank' };

export const KIND_TITLES: Readonly<Record<TransactionKind, string>> = {
  sale: 'SALE',
  refund: 'REFUND',
  preauth: 'PRE-AUTHORISATION',
  completion: 'PRE-AUTH COMPLETION',
  reversal: 'REVERSAL (VOID)',
  preauth_cancel: 'PRE-AUTH RELEASE',
};

const OUTCOME_TITLES = {
  approved: 'APPROVED',
  declined: 'DECLINED',
  cancelled: 'CANCELLED',
  failed: 'NOT COMPLETED',
  in_doubt: 'RESULT NOT KNOWN YET',
} as const;

/** Minor units as printed: currency code and the exact decimal amount with the currency's exponent. */
export function printedMoney(minor: number, currency: string): string {
  return `${currency} ${toDecimal({ minor, currency })}`;
}

export interface LayoutOptions {
  readonly duplicate?: boolean;
}

export function receiptBlocks(d: ReceiptData, copy: ReceiptCopy, options: LayoutOptions = {}): Block[] {
  const b: Block[] = [];
  const text = (t: string, align: Align = 'center', style?: Style): void => void b.push(style ? { t: 'text', text: t, align, style } : { t: 'text', text: t, align });
  const pair = (left: string, right: string | undefined, style?: Style): void => {
    if (right !== undefined && right !== '') b.push(style ? { t: 'pair', left, right, style } : { t: 'pair', left, right });
  };
  const blank = (): void => void b.push({ t: 'blank' });

  if (options.duplicate) text('*** DUPLICATE ***', 'center', { bold: true });
  if (d.merchant.name) text(d.merchant.name, 'center', { bold: true });
  for (const line of d.merchant.address) text(line);
  blank();
  pair('Terminal ID', d.terminalId);
  pair('Merchant ID', d.merchant.merchantId);
  pair('Date', d.date);
  pair('Time', d.time);
  pair('Receipt no.', String(d.receiptNo).padStart(4, '0'));
  b.push({ t: 'rule', char: '-' });
  text(KIND_TITLES[d.kind], 'center', { bold: true });
  b.push({ t: 'rule', char: '-' });
  pair('Card', d.cardScheme);
  pair('Application', d.applicationLabel);
  pair('AID', d.aid);
  pair('Card number', d.panMasked);
  pair('Entry mode', d.entryMode);
  pair('Verification', d.cvm);
  blank();
  if (d.tip > 0) {
    pair('Amount', printedMoney(d.amount.minor, d.amount.currency));
    pair('Tip', printedMoney(d.tip, d.amount.currency));
  }
  pair('TOTAL', printedMoney(d.total, d.amount.currency), { bold: true, tall: true });
  blank();
  pair('Auth. code', d.authCode);
  pair('RRN', d.rrn);
  pair('STAN', d.stan);
  pair('Response code', d.hostCode);
  pair('Pre-auth code', d.preauthCode);
  pair('Reference', d.ref);
  blank();
  text(OUTCOME_TITLES[d.outcome], 'center', { bold: true });
  if (d.outcome !== 'approved') {
    if (d.reason) text(d.reason);
    text(d.outcome === 'in_doubt' ? 'Do not hand over goods yet' : 'No amount was charged');
  }
  if (d.reversed) text('Reversed afterwards');
  if (copy === 'merchant' && d.signatureRequired && d.outcome === 'approved') {
    blank();
    text('Cardholder signature', 'left');
    blank();
    blank();
    b.push({ t: 'rule', char: '_' });
  }
  if (d.footer.length) {
    blank();
    for (const line of d.footer) text(line);
  }
  blank();
  text(copy === 'merchant' ? 'MERCHANT COPY' : 'CUSTOMER COPY', 'center', { bold: true });
  if (copy === 'customer') text('Please retain this receipt');
  return b;
}
