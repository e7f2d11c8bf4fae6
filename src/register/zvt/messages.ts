/**
 * Terminal → register messages, encoded — read beside zvt.md §6 (commands the bridge sends), §7 (BMPs in 04 0F)
 * and §9 (byte-level dialogues).
 *
 * BMP order: ZVT leaves it free, but some old registers expect the spec's table order, so every message below
 * emits its BMPs in one fixed order — the order of §9's dialogues: 27 04 0B 37 0C 0D 0E 19 22 29 2A 3B 3C 87 88
 * 8A 8B A0 49 06 (49 after 8A, as in §9 (b)).
 */
import { encodeApdu } from './apdu';
import { asciiText } from '../../i18n/transliterate';
import { encodeAmount, encodeBcdNumber, encodeCurrency, type ZvtDateTime, encodeTime, encodeDate } from './bcd';
import { BMP, encodeBmp, encodeTlvBmp, encodeVar } from './bmp';
import { CMD } from './commands';
import type { TlvInput } from './tlv';

function control(cmd: number): [number, number] {
  return [cmd >> 8, cmd & 0xff];
}

function message(cmd: number, parts: readonly Buffer[]): Buffer {
  const [cls, instr] = control(cmd);
  return encodeApdu(cls, instr, Buffer.concat(parts));
}

/** 80 00 00 — positive acknowledgement (§2). */
export const ACK_APDU: Buffer = encodeApdu(0x80, 0x00);

/** 84 xx 00 — negative acknowledgement with result code xx (§2, §8), e.g. 84 83 00 "function not possible". */
export function negativeAck(resultCode: number): Buffer {
  return encodeApdu(0x84, resultCode);
}

/** §5 Registration with a currency the PT does not serve: `84 1E 03 6F <our CC>`, e.g. 84 1E 03 6F 09 78. */
export function registrationWrongCurrency(ourCurrencyNumeric: string): Buffer {
  return encodeApdu(0x84, 0x1e, Buffer.concat([Buffer.from([0x6f]), encodeCurrency(ourCurrencyNumeric)]));
}

/** 06 0F 00 — completion of a payment: master rights back to the register (§6). */
export const COMPLETION_APDU: Buffer = message(CMD.COMPLETION, []);

/** 06 0F for a Registration (§5): `[19 <status-byte>][29 <TID>][49 <CC>]`. */
export function registrationCompletion(fields: {
  statusByte: number;
  terminalId?: string;
  currencyNumeric?: string;
}): Buffer {
  const parts: Buffer[] = [encodeBmp(BMP.paymentType, fields.statusByte)];
  if (fields.terminalId !== undefined) parts.push(encodeBmp(BMP.terminalId, fields.terminalId));
  if (fields.currencyNumeric !== undefined)
    parts.push(encodeBmp(BMP.currency, fields.currencyNumeric.padStart(4, '0')));
  return message(CMD.COMPLETION, parts);
}

/** 06 0F for a Status-Enquiry (§5, §9 (c)): `[<SW-version LLLVAR>] <terminal-status 1B> [06 TLV]`, positional. */
export function statusEnquiryCompletion(fields: {
  softwareVersion?: string;
  terminalStatus: number;
  tlv?: readonly TlvInput[];
}): Buffer {
  const parts: Buffer[] = [];
  if (fields.softwareVersion !== undefined) {
    parts.push(encodeVar(Buffer.from(fields.softwareVersion.replace(/[^\x20-\x7e]/g, '?').slice(0, 999), 'latin1'), 3));
  }
  parts.push(Buffer.from([fields.terminalStatus]));
  if (fields.tlv) parts.push(encodeTlvBmp(fields.tlv));
  return message(CMD.COMPLETION, parts);
}

/** 06 1E — abort (§6): `<result-code>[<CC> only with 6F][06 TLV: 1F16 extended error code, 1F17 error text]`. */
export function abortMessage(fields: {
  resultCode: number;
  currencyNumeric?: string;
  extendedCode?: number;
  text?: string;
}): Buffer {
  const parts: Buffer[] = [Buffer.from([fields.resultCode])];
  if (fields.resultCode === 0x6f && fields.currencyNumeric !== undefined)
    parts.push(encodeCurrency(fields.currencyNumeric));
  const tlv = errorTlv(fields);
  if (tlv.length > 0) parts.push(encodeTlvBmp(tlv));
  return message(CMD.ABORT_PT, parts);
}

/** TLV 1F16 (extended error code, binary big-endian) and 1F17 (error text, ASCII: other letters transliterated). */
export function errorTlv(fields: { extendedCode?: number; text?: string }): TlvInput[] {
  const out: TlvInput[] = [];
  if (fields.extendedCode !== undefined) out.push({ tag: 0x1f16, value: unsignedBytes(fields.extendedCode) });
  if (fields.text !== undefined && fields.text.length > 0) {
    out.push({ tag: 0x1f17, value: Buffer.from(asciiText(fields.text).slice(0, 120), 'latin1') });
  }
  return out;
}

function unsignedBytes(n: number): Buffer {
  const out: number[] = [];
  let v = Math.max(0, Math.floor(n));
  do {
    out.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  return Buffer.from(out);
}

/** 04 FF — intermediate status (§6): `<status>[<timeout minutes BCD>]`. */
export function intermediateStatus(status: number, timeoutMinutes?: number): Buffer {
  const parts: Buffer[] = [Buffer.from([status])];
  if (timeoutMinutes !== undefined) parts.push(encodeBcdNumber(Math.min(99, timeoutMinutes), 1));
  return message(CMD.INTERMEDIATE_STATUS, parts);
}

/** The transaction data of a 04 0F after Authorization / Reversal / Refund (§7). Absent fields are omitted. */
export interface TransactionReport {
  readonly resultCode: number;
  readonly amountMinor?: number;
  /** BMP 0B; a trace longer than 6 digits goes to TLV 1F2B and BMP 0B carries 000000 (§7). */
  readonly trace?: string;
  /** BMP 37, reversal only. */
  readonly originalTrace?: number;
  readonly at?: ZvtDateTime;
  readonly paymentType?: number;
  /** Masked PAN, e.g. 541333******1234. */
  readonly panMasked?: string;
  /** 8 digits. */
  readonly terminalId?: string;
  readonly vuNumber?: string;
  readonly authCode?: string;
  readonly additionalText?: string;
  readonly receiptNo?: number;
  readonly turnoverNo?: number;
  readonly cardType?: number;
  readonly cardName?: string;
  readonly currencyNumeric?: string;
  /** Extra TLV elements (e.g. 1F16/1F17 with result code FF). */
  readonly tlv?: readonly TlvInput[];
}

/** 04 0F — status information (§6, §7), e.g. §9 (b):
 *  04 0F 2C 27 00 04 00 00 00 00 12 34 0B 00 00 42 0C 14 30 15 0D 11 25 22 F0 F8 54 13 33 EE EE EE 12 34
 *  29 12 34 56 78 87 00 17 8A 06 49 09 78 */
export function statusInformation(r: TransactionReport): Buffer {
  const parts: Buffer[] = [encodeBmp(BMP.resultCode, r.resultCode)];
  const tlv: TlvInput[] = [...(r.tlv ?? [])];
  if (r.amountMinor !== undefined) parts.push(encodeBmp(BMP.amount, r.amountMinor));
  if (r.trace !== undefined) {
    if (r.trace.length <= 6) parts.push(encodeBmp(BMP.trace, Number(r.trace)));
    else {
      parts.push(encodeBmp(BMP.trace, 0));
      tlv.push({ tag: 0x1f2b, value: Buffer.from(r.trace, 'latin1') });
    }
  }
  if (r.originalTrace !== undefined) parts.push(encodeBmp(BMP.originalTrace, r.originalTrace % 1_000_000));
  if (r.at) {
    parts.push(Buffer.concat([Buffer.from([BMP.time.tag]), encodeTime(r.at)]));
    parts.push(Buffer.concat([Buffer.from([BMP.date.tag]), encodeDate(r.at)]));
  }
  if (r.paymentType !== undefined) parts.push(encodeBmp(BMP.paymentType, r.paymentType));
  if (r.panMasked !== undefined) parts.push(encodeBmp(BMP.pan, r.panMasked));
  if (r.terminalId !== undefined) parts.push(encodeBmp(BMP.terminalId, r.terminalId));
  if (r.vuNumber !== undefined) parts.push(encodeBmp(BMP.vuNumber, r.vuNumber));
  if (r.authCode !== undefined) parts.push(encodeBmp(BMP.authAttribute, r.authCode));
  if (r.additionalText !== undefined) parts.push(encodeBmp(BMP.additionalText, r.additionalText));
  if (r.receiptNo !== undefined) parts.push(encodeBmp(BMP.receiptNo, r.receiptNo));
  if (r.turnoverNo !== undefined) parts.push(encodeBmp(BMP.turnoverNo, r.turnoverNo));
  if (r.cardType !== undefined) parts.push(encodeBmp(BMP.cardType, r.cardType));
  if (r.cardName !== undefined) parts.push(encodeBmp(BMP.cardName, r.cardName));
  if (r.currencyNumeric !== undefined) parts.push(encodeBmp(BMP.currency, r.currencyNumeric.padStart(4, '0')));
  if (tlv.length > 0) parts.push(encodeTlvBmp(tlv));
  return message(CMD.STATUS_INFORMATION, parts);
}

/** §6: after 84 9C beyond the cap, the PT reverses and sends 04 0F 02 27 6C. */
export const STATUS_INFORMATION_ABORTED: Buffer = message(CMD.STATUS_INFORMATION, [encodeBmp(BMP.resultCode, 0x6c)]);

/** One group of BMP 60 (End-of-Day individual totals): count (1 byte binary) + total (6 bytes BCD). */
export interface TotalsLine {
  readonly count: number;
  readonly totalMinor: number;
}

/** The End-of-Day 04 0F (§7): 27, 04 grand total, 0B, 0C, 0D and 60 (LLLVAR, 53 bytes): receipt-number start and
 *  end (2B BCD each), then count + total for girocard, JCB, Eurocard, Amex, VISA, Diners, remaining. */
export function endOfDayInformation(fields: {
  totalMinor: number;
  trace: number;
  at: ZvtDateTime;
  receiptFrom: number;
  receiptTo: number;
  groups: readonly TotalsLine[];
  currencyNumeric?: string;
}): Buffer {
  const sixty: Buffer[] = [
    encodeBcdNumber(fields.receiptFrom % 10_000, 2),
    encodeBcdNumber(fields.receiptTo % 10_000, 2),
  ];
  for (const g of fields.groups) sixty.push(Buffer.from([Math.min(255, g.count)]), encodeAmount(g.totalMinor));
  const parts = [
    encodeBmp(BMP.resultCode, 0x00),
    encodeBmp(BMP.amount, fields.totalMinor),
    encodeBmp(BMP.trace, fields.trace % 1_000_000),
    Buffer.concat([Buffer.from([BMP.time.tag]), encodeTime(fields.at)]),
    Buffer.concat([Buffer.from([BMP.date.tag]), encodeDate(fields.at)]),
    encodeBmp(BMP.individualTotals, Buffer.concat(sixty)),
  ];
  if (fields.currencyNumeric !== undefined)
    parts.push(encodeBmp(BMP.currency, fields.currencyNumeric.padStart(4, '0')));
  return message(CMD.STATUS_INFORMATION, parts);
}

/** 06 D1 — print line (§6): `<attribute><text>`, no CR/LF. Attribute 00 normal; bit 8 set (other than 80) marks the
 *  last line of a receipt. */
export function printLine(attribute: number, textLine: string): Buffer {
  const t = Buffer.from(asciiText(textLine), 'latin1');
  return message(CMD.PRINT_LINE, [Buffer.from([attribute]), t]);
}

/** Receipt types of TLV 1F07 in a 06 D3 text block (§6). */
export const RECEIPT_TYPE = { merchant: 0x01, customer: 0x02, administration: 0x03 } as const;

/**
 * 06 D3 — print text block (§6): BMP 06 with tag 25 (constructed) holding one 07 text line per line (ASCII; an empty
 * line is an empty 07), and 1F07 with the receipt type. Lines longer than 254 bytes do not occur (width ≤ 48).
 */
export function printTextBlock(receiptType: number, lines: readonly string[]): Buffer {
  const text = lines.map((l) => ({ tag: 0x07, value: Buffer.from(asciiText(l), 'latin1') }));
  return message(CMD.PRINT_TEXT_BLOCK, [
    encodeTlvBmp([
      { tag: 0x25, children: text },
      { tag: 0x1f07, value: Buffer.from([receiptType]) },
    ]),
  ]);
}
