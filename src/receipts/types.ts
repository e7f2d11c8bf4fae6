import type { Money } from '../domain/money';
import type { Outcome, TransactionKind } from '../domain/vocabulary';

/** Printer widths in columns: 58 mm paper (32), 76/80 mm with a large font (40), 80 mm (48). */
export const RECEIPT_WIDTHS = [32, 40, 48] as const;
export type ReceiptWidth = (typeof RECEIPT_WIDTHS)[number];

export type ReceiptCopy = 'merchant' | 'customer';

/**
 * Everything a receipt shows, taken from the terminal's answer (journal) and the configuration, already made safe
 * (see safe-text.ts). Stored in the journal with the payment, so a reprint shows what the first print showed.
 */
export interface ReceiptData {
  readonly version: 1;
  readonly paymentId: string;
  readonly ref: string;
  readonly register: string;
  readonly terminal: string;
  readonly kind: TransactionKind;
  readonly outcome: Outcome;
  /** The payment was reversed (or the pre-authorisation released) afterwards. */
  readonly reversed: boolean;
  readonly merchant: { readonly name?: string; readonly address: readonly string[]; readonly merchantId?: string };
  readonly terminalId?: string;
  /** Local date `YYYY-MM-DD` and time `HH:MM:SS` of the transaction (the terminal's, else the journal's). */
  readonly date: string;
  readonly time: string;
  readonly cardScheme?: string;
  readonly applicationLabel?: string;
  readonly aid?: string;
  /** Masked: last four digits only. */
  readonly panMasked?: string;
  readonly entryMode?: string;
  readonly cvm?: string;
  readonly amount: Money;
  /** Tip in minor units of the amount's currency. */
  readonly tip: number;
  /** amount + tip, minor units. */
  readonly total: number;
  readonly authCode?: string;
  readonly rrn?: string;
  readonly stan?: string;
  readonly hostCode?: string;
  readonly preauthCode?: string;
  /** Why it was not approved, for a person. */
  readonly reason?: string;
  readonly signatureRequired: boolean;
  readonly receiptNo: number;
  readonly footer: readonly string[];
}

/** Receipt settings from the configuration (`merchant` and `receipts` sections). */
export interface ReceiptSettings {
  readonly merchant?: {
    readonly name?: string;
    readonly address?: readonly string[];
    readonly merchantId?: string;
    /** Use these instead of what the terminal reports (default: the terminal's data wins, config fills gaps). */
    readonly override?: boolean;
  };
  readonly footer?: readonly string[];
  /** IANA time zone for dates printed from the journal's clock; default the system's. */
  readonly timeZone?: string;
}

/** ESC/POS code pages the bridge can print with (code-pages.ts has their Epson `ESC t` numbers). */
export const ESC_POS_CODE_PAGES = [
  'ascii',
  'cp858',
  'cp1252',
  'cp852',
  'cp1250',
  'cp866',
  'cp1251',
  'cp737',
  'cp1253',
] as const;
export type EscPosCodePage = (typeof ESC_POS_CODE_PAGES)[number];

export interface EscPosOptions {
  readonly codePage?: EscPosCodePage;
  /** The printer's number for the code page (ESC t n) when it differs from the Epson table. */
  readonly codePageNumber?: number;
  /** Cut the paper after the receipt (GS V); default true. */
  readonly cut?: boolean;
  /** Lines fed before the cut; default 3. */
  readonly feedLines?: number;
}

/** What a receipt request asks for. */
export interface ReceiptRequest {
  readonly width?: ReceiptWidth;
  /** Which record of a ref: the payment (default) or a follow-up such as its reversal. */
  readonly kind?: TransactionKind;
  /** Mark as a duplicate (reprint). */
  readonly duplicate?: boolean;
  /** Also render ESC/POS bytes. */
  readonly escpos?: boolean | EscPosOptions;
  /** BCP 47 locale of the receipt's words, amounts and dates (checked at configuration); none: English, ISO dates. */
  readonly locale?: string;
  /**
   * Text lines in printable ASCII only (ZVT print lines): other letters are transliterated in the receipt's language
   * (ä → ae, Я → Ya) before the lines are laid out, so every line still fits its width.
   */
  readonly ascii?: boolean;
}

/** A receipt, both copies, as plain text lines (and ESC/POS bytes when asked). */
export interface ReceiptRendering {
  readonly paymentId: string;
  readonly ref: string;
  readonly kind: TransactionKind;
  readonly outcome: Outcome;
  readonly width: ReceiptWidth;
  readonly merchant: string[];
  readonly customer: string[];
  readonly escpos?: { readonly merchant: Uint8Array; readonly customer: Uint8Array };
}
