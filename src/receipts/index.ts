/**
 * Receipts the register can always print: built from the journal (the terminal's answer) and the configuration,
 * rendered as width-aware text lines (32/40/48 columns) and as ESC/POS bytes. See docs/receipts.md.
 */
import type { PaymentRecord } from '../journal/journal';
import { receiptData } from './build';
import { renderEscPos } from './escpos';
import { receiptBlocks, type Block } from './layout';
import { asciiText } from '../i18n/transliterate';
import type { Language } from '../i18n/catalogue.generated';
import { renderText } from './text';
import {
  RECEIPT_WIDTHS,
  type ReceiptCopy,
  type ReceiptData,
  type ReceiptRendering,
  type ReceiptRequest,
  type ReceiptSettings,
  type ReceiptWidth,
} from './types';
import { BridgeError } from '../domain/errors';
import { languageOf } from '../i18n/locale';

export * from './types';
export { receiptData, transactionTime } from './build';
export { receiptBlocks, printedMoney, kindTitle, hostCodeText, type Block } from './layout';
export { renderText, wrap } from './text';
export { renderEscPos, hexDump } from './escpos';
export { CODE_PAGES, DEFAULT_CODE_PAGE, decodeFromPrinter } from './code-pages';
export { maskCardNumbers, printedPan, safeText, containsCardNumber } from './safe-text';

export const DEFAULT_RECEIPT_WIDTH: ReceiptWidth = 40;

export function checkWidth(width: unknown): ReceiptWidth {
  if (width === undefined) return DEFAULT_RECEIPT_WIDTH;
  if (!RECEIPT_WIDTHS.includes(width as ReceiptWidth)) {
    throw new BridgeError(
      'bad_request',
      `receipt width must be one of ${RECEIPT_WIDTHS.join(', ')}, got ${JSON.stringify(width)}`,
    );
  }
  return width as ReceiptWidth;
}

/** One copy as text lines. */
export function receiptLines(
  data: ReceiptData,
  copy: ReceiptCopy,
  width: ReceiptWidth = DEFAULT_RECEIPT_WIDTH,
  duplicate = false,
  locale?: string,
): string[] {
  return renderText(receiptBlocks(data, copy, { duplicate, ...(locale ? { locale } : {}) }), width);
}

/** Both copies of a receipt (text, and ESC/POS when asked). */
export function renderReceipt(data: ReceiptData, request: ReceiptRequest = {}): ReceiptRendering {
  const width = checkWidth(request.width);
  const duplicate = request.duplicate === true;
  const layout = { duplicate, ...(request.locale ? { locale: request.locale } : {}) };
  const language = languageOf(request.locale);
  const ascii = (blocks: Block[]): Block[] => (request.ascii ? blocks.map((b) => asciiBlock(b, language)) : blocks);
  const merchantBlocks = ascii(receiptBlocks(data, 'merchant', layout));
  const customerBlocks = ascii(receiptBlocks(data, 'customer', layout));
  const escOptions = request.escpos === true ? {} : request.escpos || undefined;
  return {
    paymentId: data.paymentId,
    ref: data.ref,
    kind: data.kind,
    outcome: data.outcome,
    width,
    merchant: renderText(merchantBlocks, width),
    customer: renderText(customerBlocks, width),
    ...(escOptions
      ? {
          escpos: {
            merchant: renderEscPos(merchantBlocks, width, escOptions, language),
            customer: renderEscPos(customerBlocks, width, escOptions, language),
          },
        }
      : {}),
  };
}

function asciiBlock(b: Block, language: Language): Block {
  if (b.t === 'text') return { ...b, text: asciiText(b.text, language) };
  if (b.t === 'pair') return { ...b, left: asciiText(b.left, language), right: asciiText(b.right, language) };
  return b;
}

/** A receipt from a journal record (and the payment a follow-up acts on). */
export function receiptFromRecord(
  record: PaymentRecord,
  original: PaymentRecord | undefined,
  settings: ReceiptSettings,
  request: ReceiptRequest = {},
): ReceiptRendering {
  return renderReceipt(receiptData(record, original, settings), request);
}
