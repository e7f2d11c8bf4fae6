/**
 * Register → terminal commands, decoded — read beside zvt.md §5 (commands the bridge must answer).
 * Each decoder takes the APDU's data block and returns a typed command, or throws ZvtFormatError (answered with
 * 84 9A 00). Unknown BMPs are ignored (bmp.ts); a missing currency means "the PT's currency" (EUR by default).
 */
import type { Apdu } from './apdu';
import { decodeCurrency, decodePassword } from './bcd';
import { BMP, parseBmps, type BmpList } from './bmp';
import { currencyByNumeric } from '../../domain/currency';
import { ZvtFormatError } from './errors';
import { findTlv, type TlvElement } from './tlv';

/** Control fields of the commands we know (§0 naming: 06 30 = Reversal, 06 31 = Refund, 06 0F = Completion). */
export const CMD = {
  REGISTRATION: 0x0600,
  AUTHORIZATION: 0x0601,
  LOG_OFF: 0x0602,
  REVERSAL: 0x0630,
  REFUND: 0x0631,
  END_OF_DAY: 0x0650,
  ABORT: 0x06b0,
  STATUS_ENQUIRY: 0x0501,
  // PT → ECR
  STATUS_INFORMATION: 0x040f,
  INTERMEDIATE_STATUS: 0x04ff,
  COMPLETION: 0x060f,
  ABORT_PT: 0x061e,
  PRINT_LINE: 0x06d1,
  PRINT_TEXT_BLOCK: 0x06d3,
} as const;

export function controlOf(a: Pick<Apdu, 'cls' | 'instr'>): number {
  return (a.cls << 8) | a.instr;
}

/** A currency given by the register: its ISO numeric code and, when ISO knows it, the alpha code. */
export interface GivenCurrency {
  readonly numeric: string;
  readonly alpha?: string;
}

function currencyFrom(raw: Buffer): GivenCurrency {
  const numeric = decodeCurrency(raw);
  try {
    return { numeric, alpha: currencyByNumeric(numeric).code };
  } catch {
    return { numeric };
  }
}

/** What we keep of a TLV container: the elements, for the few tags we read. */
function tlvOf(bmps: BmpList): TlvElement[] {
  return bmps.get(BMP.tlv) ?? [];
}

function requirePassword(data: Buffer, what: string): string {
  if (data.length < 3) throw new ZvtFormatError(`${what}: password (3 bytes) missing`);
  return decodePassword(data.subarray(0, 3));
}

// ---- 06 00 Registration ------------------------------------------------------------------------------------------

export interface Registration {
  readonly password: string;
  readonly config: number;
  readonly currency?: GivenCurrency;
  readonly serviceByte?: number;
  readonly tlv: TlvElement[];
}

/**
 * `<pw 3B><config-byte>[<CC 2B>[03 <service-byte>][06 <TLV>]]`. The CC is positional and comes before any BMP.
 * Tolerance for registers that skip the CC but send BMPs (ecrterm appends an empty TLV `06 00` to its commands):
 * the bytes after the config byte are read as BMPs when they start with 06 and parse as BMPs to the end, or start
 * with 03 followed by a service byte (≤ 03) and parse to the end. No ISO currency is lost this way: the numeric
 * codes 300–303 are unassigned, and 600 (PYG) followed by nothing is taken for the empty TLV.
 */
export function decodeRegistration(data: Buffer): Registration {
  const password = requirePassword(data, 'Registration');
  const config = data[3];
  if (config === undefined) throw new ZvtFormatError('Registration: config byte missing');
  let offset = 4;
  let currency: GivenCurrency | undefined;
  const rest = data.length - offset;
  if (rest === 1) throw new ZvtFormatError('Registration: one stray byte after the config byte');
  if (rest >= 2 && !bmpsWithoutCurrency(data, offset)) {
    currency = currencyFrom(data.subarray(offset, offset + 2));
    offset += 2;
  }
  const bmps = parseBmps(data, offset);
  return {
    password,
    config,
    ...(currency ? { currency } : {}),
    ...(bmps.has(BMP.serviceByte) ? { serviceByte: bmps.get(BMP.serviceByte) as number } : {}),
    tlv: tlvOf(bmps),
  };
}

function bmpsWithoutCurrency(data: Buffer, offset: number): boolean {
  const first = data[offset];
  const second = data[offset + 1] as number;
  const looksLikeBmp = first === BMP.tlv.tag || (first === BMP.serviceByte.tag && second <= 0x03);
  if (!looksLikeBmp) return false;
  try {
    const list = parseBmps(data, offset);
    return list.skipped === undefined;
  } catch {
    return false;
  }
}

/** TLV 26 of a Registration: the PT → ECR commands the register can process, each `0A 02 <cmd>` (§5 details). */
export function commandsListed(tlv: readonly TlvElement[]): Set<number> {
  const out = new Set<number>();
  const list = findTlv(tlv, 0x26);
  for (const e of list?.children ?? []) {
    if (e.tag === 0x0a && e.value.length === 2) out.add(((e.value[0] as number) << 8) | (e.value[1] as number));
  }
  return out;
}

/** TLV 12 of a Registration: printer line width, 1 byte BCD (§5 details). */
export function printerWidth(tlv: readonly TlvElement[]): number | undefined {
  const e = findTlv(tlv, 0x12);
  const b = e?.value[0];
  if (e?.value.length !== 1 || b === undefined) return undefined;
  const hi = b >> 4;
  const lo = b & 0x0f;
  if (hi > 9 || lo > 9) return undefined;
  const n = hi * 10 + lo;
  return n >= 16 ? n : undefined;
}

// ---- 06 01 Authorization, 06 31 Refund, 06 30 Reversal ------------------------------------------------------------

/** The BMPs of a payment command that the bridge uses; card data BMPs are parsed (to skip them) and dropped. */
export interface PaymentCommand {
  /** Minor units, from BMP 04. */
  readonly amount?: number;
  readonly currency?: GivenCurrency;
  readonly paymentType?: number;
  /** BMP 01: seconds the register waits for goods issue (answer to 04 0F). */
  readonly timeoutSeconds?: number;
  /** BMP 02: max. number of status informations (our cap for 84 9C repeats). */
  readonly maxStatusInfos?: number;
  readonly tlv: TlvElement[];
  /** Bytes ignored at an unknown BMP, for the log. */
  readonly skippedFrom?: number;
}

function paymentFields(bmps: BmpList): PaymentCommand {
  const amount = bmps.get(BMP.amount);
  const cc = bmps.raw(BMP.currency);
  const paymentType = bmps.get(BMP.paymentType);
  const timeoutSeconds = bmps.get(BMP.timeout);
  const maxStatusInfos = bmps.get(BMP.maxStatusInfos);
  return {
    ...(amount !== undefined ? { amount } : {}),
    ...(cc ? { currency: currencyFrom(cc) } : {}),
    ...(paymentType !== undefined ? { paymentType } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(maxStatusInfos !== undefined ? { maxStatusInfos } : {}),
    tlv: tlvOf(bmps),
    ...(bmps.skipped ? { skippedFrom: bmps.skipped.tag } : {}),
  };
}

/** 06 01: `[04 amount][49 CC][19 payment-type][card data][01 timeout][02 max status-infos]…[06 TLV]`; no password. */
export function decodeAuthorization(data: Buffer): PaymentCommand {
  return paymentFields(parseBmps(data, 0));
}

export interface RefundCommand extends PaymentCommand {
  readonly password: string;
}

/** 06 31: `<pw> [04 amount][49][19][card data][3B][3C][8A][06 TLV]` — unreferenced refund. */
export function decodeRefund(data: Buffer): RefundCommand {
  const password = requirePassword(data, 'Refund');
  return { password, ...paymentFields(parseBmps(data, 3)) };
}

export interface ReversalCommand extends PaymentCommand {
  readonly password: string;
  /** BMP 87, the receipt number of the payment to reverse. */
  readonly receiptNo?: number;
}

/** 06 30: `<pw> 87 <receipt-no 2B BCD> [04][49][19][card data][3C][06 TLV]`. */
export function decodeReversal(data: Buffer): ReversalCommand {
  const password = requirePassword(data, 'Reversal');
  const bmps = parseBmps(data, 3);
  const receiptNo = bmps.get(BMP.receiptNo);
  return { password, ...paymentFields(bmps), ...(receiptNo !== undefined ? { receiptNo } : {}) };
}

// ---- 06 50 End-of-Day, 05 01 Status-Enquiry -------------------------------------------------------------------

export interface EndOfDayCommand {
  readonly password: string;
  readonly tlv: TlvElement[];
}

/** 06 50: `<pw> [06 TLV]`. */
export function decodeEndOfDay(data: Buffer): EndOfDayCommand {
  const password = requirePassword(data, 'End-of-Day');
  return { password, tlv: tlvOf(parseBmps(data, 3)) };
}

export interface StatusEnquiryCommand {
  readonly password?: string;
  readonly serviceByte: number;
  readonly tlv: TlvElement[];
}

/** Service byte bits of 05 01 (§5): 02 = omit the software version, 04 = send a TLV container. */
export const STATUS_SERVICE = { OMIT_VERSION: 0x02, SEND_TLV: 0x04 } as const;

/** 05 01: `[<pw>[03 <service-byte>][06 <TLV>]]`. */
export function decodeStatusEnquiry(data: Buffer): StatusEnquiryCommand {
  if (data.length === 0) return { serviceByte: 0, tlv: [] };
  const password = requirePassword(data, 'Status-Enquiry');
  const bmps = parseBmps(data, 3);
  return { password, serviceByte: bmps.get(BMP.serviceByte) ?? 0, tlv: tlvOf(bmps) };
}
