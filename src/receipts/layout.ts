/**
 * The receipt's layout, independent of the output: a list of blocks (centred or left text, label/value pairs with
 * the value right-aligned, rules, blank lines) that text.ts lays out at 32/40/48 columns and escpos.ts turns into
 * printer bytes. Content follows what card schemes require on a card receipt and what mypos-ipp.md §10 lists:
 * merchant name and address, TID/MID, date and time, transaction type, scheme and application (label, AID), masked
 * PAN, entry mode, amounts (tip and total), auth code, RRN/STAN, the result, a signature line on the merchant copy
 * when the terminal asks for one, and the reference.
 */
import type { TransactionKind } from '../domain/vocabulary';
import { languageOf, resources, translator, type Catalogue } from '../i18n/index';
import { formatAmount, formatDate, formatTime } from '../i18n/format';
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

type ReceiptTexts = Catalogue['receipt'];
const ENGLISH = resources.en.receipt;
const ENGLISH_REGISTER = resources.en.register;

/** The receipt's title for a transaction kind, in the receipt's language. */
export function kindTitle(kind: TransactionKind, locale?: string): string {
  return translator('receipt', locale)(`kind.${kind}`);
}

/**
 * An amount as printed on a receipt: the number as the locale writes it (Intl, from the exact decimal) and the
 * currency code, in the order of the country's card receipts (`EUR 12,34` in Germany, `12,34 EUR` in France; the
 * catalogue's `money` text). Without a locale: `EUR 12.34`.
 */
export function printedMoney(minor: number, currency: string, locale?: string): string {
  return translator('receipt', locale)('money', { currency, amount: formatAmount({ minor, currency }, locale) });
}

/** A terminal's word (entry mode, verification) in the receipt's language when the catalogue knows it. */
function known<K extends 'entryMode' | 'cvm'>(
  group: K,
  value: string | undefined,
): (keyof ReceiptTexts[K] & string) | undefined {
  const words = ENGLISH[group] as Record<string, string>;
  return value !== undefined && Object.hasOwn(words, value.toUpperCase())
    ? (value.toUpperCase() as keyof ReceiptTexts[K] & string)
    : undefined;
}

export interface LayoutOptions {
  readonly duplicate?: boolean;
  /** BCP 47 locale of the receipt (checked at configuration); none: English with ISO dates. */
  readonly locale?: string;
}

export function receiptBlocks(d: ReceiptData, copy: ReceiptCopy, options: LayoutOptions = {}): Block[] {
  const b: Block[] = [];
  const text = (t: string, align: Align = 'center', style?: Style): void =>
    void b.push(style ? { t: 'text', text: t, align, style } : { t: 'text', text: t, align });
  const pair = (left: string, right: string | undefined, style?: Style): void => {
    if (right !== undefined && right !== '')
      b.push(style ? { t: 'pair', left, right, style } : { t: 'pair', left, right });
  };
  const blank = (): void => void b.push({ t: 'blank' });
  const locale = options.locale;
  const t = translator('receipt', locale);
  const money = (minor: number): string => printedMoney(minor, d.amount.currency, locale);
  const entryMode = known('entryMode', d.entryMode);
  const cvm = known('cvm', d.cvm);

  if (options.duplicate) text(t('duplicate'), 'center', { bold: true });
  if (d.merchant.name) text(d.merchant.name, 'center', { bold: true });
  for (const line of d.merchant.address) text(line);
  blank();
  pair(t('label.terminalId'), d.terminalId);
  pair(t('label.merchantId'), d.merchant.merchantId);
  pair(t('label.date'), formatDate(d.date, locale));
  pair(t('label.time'), formatTime(d.time, locale));
  pair(t('label.receiptNo'), String(d.receiptNo).padStart(4, '0'));
  b.push({ t: 'rule', char: '-' });
  text(t(`kind.${d.kind}`), 'center', { bold: true });
  b.push({ t: 'rule', char: '-' });
  pair(t('label.card'), d.cardScheme);
  pair(t('label.application'), d.applicationLabel);
  pair(t('label.aid'), d.aid);
  pair(t('label.cardNumber'), d.panMasked);
  pair(t('label.entryMode'), entryMode ? t(`entryMode.${entryMode}`) : d.entryMode);
  pair(t('label.verification'), cvm ? t(`cvm.${cvm}`) : d.cvm);
  blank();
  if (d.tip > 0) {
    pair(t('label.amount'), money(d.amount.minor));
    pair(t('label.tip'), money(d.tip));
  }
  pair(d.tip > 0 ? t('label.total') : t('label.totalOnly'), money(d.total), { bold: true, tall: true });
  blank();
  pair(t('label.authCode'), d.authCode);
  pair(t('label.rrn'), d.rrn);
  pair(t('label.stan'), d.stan);
  pair(t('label.responseCode'), d.hostCode);
  pair(t('label.preauthCode'), d.preauthCode);
  pair(t('label.reference'), d.ref);
  blank();
  text(t(`outcome.${d.outcome}`), 'center', { bold: true });
  if (d.outcome !== 'approved') {
    const reason = declineReason(d, locale);
    if (reason) text(reason);
    text(d.outcome === 'in_doubt' ? t('doNotHandOver') : t('notCharged'));
  }
  if (d.reversed) text(t('reversedAfterwards'));
  if (copy === 'merchant' && d.signatureRequired && d.outcome === 'approved') {
    blank();
    text(t('signature'), 'left');
    blank();
    blank();
    b.push({ t: 'rule', char: '_' });
  }
  if (d.footer.length) {
    blank();
    for (const line of d.footer) text(line);
  }
  blank();
  text(t(`copy.${copy}`), 'center', { bold: true });
  if (copy === 'customer') text(t('retain'));
  return b;
}

/**
 * Why a payment was not approved, for the receipt: in English the terminal's or the bridge's own words (as before
 * receipts spoke other languages); in another language the catalogue's text for the host's response code, or none
 * (the response code is printed anyway) — never an English sentence on a receipt in another language.
 */
function declineReason(d: ReceiptData, locale: string | undefined): string | undefined {
  if (languageOf(locale) === 'en') return d.reason;
  return hostCodeText(d.hostCode, locale);
}

/** The catalogue's words for an ISO 8583 host response code, when it has them. */
export function hostCodeText(code: string | undefined, locale: string | undefined): string | undefined {
  const codes = ENGLISH_REGISTER.hostCode as Record<string, string>;
  if (code === undefined || !Object.hasOwn(codes, code)) return undefined;
  return translator('register', locale)(`hostCode.${code as keyof Catalogue['register']['hostCode']}`);
}
