/**
 * Receipts the register can always print: built from the journal (the terminal's answer) and the configuration,
 * rendered as width-aware text lines (32/40/48 columns) and as ESC/POS bytes. See docs/receipts.md.
 */
import type { PaymentRecord } from '../journal/journal';
import { receiptData } from './build';
import { renderEscPos } from './escpos';
import { receiptBlocks } from './layout';
import { renderText } from './text';
import { RECEIPT_WIDTHS, type ReceiptCopy, type ReceiptData, type ReceiptRendering, type ReceiptRequest, type ReceiptSettings, type ReceiptWidth } from './types';
import { BridgeError } from '../domain/errors';

export * from './types';
export { receiptData, transactionTime } from './build';
export { receiptBlocks, printedMoney, KIND_TITLES, type Block } from './layout';
export { renderText, wrap } from './text';
export { renderEscPos, hexDump } from './escpos';
export { maskCardNumbers, printedPan, safeText, containsCardNumber } from './safe-text';

export const DEFAULT_RECEIPT_WIDTH: ReceiptWidth = 40;

export function checkWidth(width: unknown): ReceiptWidth {
  if (width === undefined) return DEFAULT_RECEIPT_WIDTH;
  if (!RECEIPT_WIDTHS.includes(width as ReceiptWidth)) {
    throw new BridgeError('bad_request', `receipt width must be one of ${RECEIPT_WIDTHS.join(', ')}, got ${JSON.stringify(width)}`);
  }
  return width as ReceiptWidth;
}

/** One copy as text lines. */
export function receiptLines(data: ReceiptData, copy: ReceiptCopy, width: ReceiptWidth = DEFAULT_RECEIPT_WIDTH, duplicate = false): string[] {
  return renderText(receiptBlocks(data, copy, { duplicate }), width);
}

/** Both copies of a receipt (text, and ESC/POS when asked). */
export function renderReceipt(data: ReceiptData, request: ReceiptRequest = {}): ReceiptRendering {
  const width = checkWidth(request.width);
  const duplicate = request.duplicate === true;
  const merchantBlocks = receiptBlocks(data, 'merchant', { duplicate });
  const customerBlocks = receiptBlocks(data, 'customer', { duplicate });
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
      ? { escpos: { merchant: renderEscPos(merchantBlocks, width, escOptions), customer: renderEscPos(customerBlocks, width, escOptions) } }
      : {}),
  };
}

/** A receipt from a journal record (and the payment a follow-up acts on). */
export function receiptFromRecord(record: PaymentRecord, original: PaymentRecord | undefined, settings: ReceiptSettings, request: ReceiptRequest = {}): ReceiptRendering {
  return renderReceipt(receiptData(record, original, settings), request);
}
