/**
 * What the bridge knows, in ZVT numbers — read beside zvt.md §8 (result codes, terminal status), §6 (04 FF status
 * values), §7 (card types) and §10 (outcome mapping).
 */
import type { PaymentResult } from '../../domain/payment';
import type { RegisterTexts } from '../texts';
import type { Stage } from '../../domain/vocabulary';
import type { BridgeError } from '../../domain/errors';

/** Result codes (BMP 27, the 06 1E result code, the APRC of 84 xx) — §8. */
export const RC = {
  OK: 0x00,
  CARD_NOT_READABLE: 0x64,
  NOT_REGISTERED: 0x6b,
  ABORT: 0x6c,
  WRONG_CURRENCY: 0x6f,
  CHIP_ERROR: 0x72,
  CARD_EXPIRED: 0x78,
  CARD_UNKNOWN: 0x7a,
  COMMUNICATION_ERROR: 0x7d,
  FUNCTION_NOT_POSSIBLE: 0x83,
  PROTOCOL_ERROR: 0x9a,
  PLEASE_WAIT: 0x9c,
  NO_CONNECTION: 0xa3,
  ALREADY_REVERSED: 0xb4,
  REVERSAL_NOT_POSSIBLE: 0xb5,
  MAX_AMOUNT_EXCEEDED: 0xc3,
  PAYMENT_METHOD_NOT_SUPPORTED: 0xc5,
  CURRENCY_NOT_APPLICABLE: 0xc6,
  AMOUNT_TOO_SMALL: 0xc8,
  PRINTER_NOT_READY: 0xcc,
  SYSTEM_ERROR: 0xff,
  /** ISO 8583 response 75 "PIN tries exceeded" in the 01–63 host range (§10: IPP status 10). */
  PIN_TRIES_EXCEEDED: 0x4b,
} as const;

/** A result code, and for FF the text that goes into TLV 1F17 (with the numeric host code, if any, in 1F16). */
export interface ZvtResult {
  readonly code: number;
  readonly text?: string;
  readonly extendedCode?: number;
}

/**
 * §8: 01–63 are the host's codes, decimal 01–99 written as one binary byte: "05" → 05, "51" → 0x33.
 * Returns undefined for anything that is not a two-digit code from 01 to 99.
 */
export function hostResultCode(hostCode: string | undefined): number | undefined {
  if (hostCode === undefined || !/^[0-9]{1,2}$/.test(hostCode.trim())) return undefined;
  const n = Number(hostCode.trim());
  return n >= 1 && n <= 99 ? n : undefined;
}

/** §10: IPP terminal statuses with a ZVT meaning of their own (mypos-ipp.md §6). */
const TERMINAL_STATUS_CODES: Readonly<Record<string, number>> = {
  '1': RC.FUNCTION_NOT_POSSIBLE, // terminal busy
  '5': RC.ABORT, // no card found in time
  '6': RC.PAYMENT_METHOD_NOT_SUPPORTED, // unsupported card
  '7': RC.CHIP_ERROR,
  '10': RC.PIN_TRIES_EXCEEDED,
  '12': RC.NO_CONNECTION, // host receive error
  '13': RC.ABORT, // user cancel
  '15': RC.NO_CONNECTION, // communication error
  '16': RC.NO_CONNECTION, // SSL error
  '19': RC.FUNCTION_NOT_POSSIBLE, // invalid amount
  '20': RC.FUNCTION_NOT_POSSIBLE, // last transaction not completed
};

/**
 * §10 outcome mapping:
 *   approved → 00; cancelled → 6C; a terminal status with its own meaning (unsupported card C5, chip error 72,
 *   PIN tries 4B, host unreachable A3, busy/invalid amount 83); a host decline code 01–99 → that code;
 *   other declines → FF with the reason as text; failed → A3 (myPOS unreachable, "no connection");
 *   in_doubt → FF "check terminal".
 */
/** `texts`: the register's language for the texts of TLV 1F17. */
export function resultFor(result: PaymentResult, texts: RegisterTexts): ZvtResult {
  switch (result.outcome) {
    case 'approved':
      return { code: RC.OK };
    case 'cancelled':
      return { code: RC.ABORT };
    case 'in_doubt':
      return { code: RC.SYSTEM_ERROR, text: texts.zvtCheckTerminal() };
    case 'declined':
    case 'failed': {
      const byStatus =
        result.terminalStatus !== undefined ? TERMINAL_STATUS_CODES[result.terminalStatus.trim()] : undefined;
      if (byStatus !== undefined) return { code: byStatus };
      const host = hostResultCode(result.hostCode);
      if (host !== undefined) return { code: host };
      if (result.outcome === 'failed') return { code: RC.NO_CONNECTION };
      const extendedCode =
        result.hostCode !== undefined && /^[0-9]{1,6}$/.test(result.hostCode) ? Number(result.hostCode) : undefined;
      return {
        code: RC.SYSTEM_ERROR,
        text: texts.zvtDeclined(result),
        ...(extendedCode !== undefined ? { extendedCode } : {}),
      };
    }
  }
}

/** A refusal by the bridge (BridgeError code) as a result code. */
export function resultForError(e: BridgeError, texts: RegisterTexts): ZvtResult {
  switch (e.code) {
    case 'currency_mismatch':
    case 'unknown_currency':
      return { code: RC.WRONG_CURRENCY };
    case 'terminal_offline':
    case 'unknown_terminal':
      return { code: RC.NO_CONNECTION };
    case 'terminal_error':
      return { code: RC.COMMUNICATION_ERROR };
    case 'terminal_busy':
    case 'invalid_amount':
    case 'ref_conflict':
    case 'unsupported':
    case 'not_cancellable':
      return { code: RC.FUNCTION_NOT_POSSIBLE };
    case 'not_reversible':
      return { code: e.details?.['reason'] === 'already_reversed' ? RC.ALREADY_REVERSED : RC.REVERSAL_NOT_POSSIBLE };
    case 'unknown_ref':
      return { code: RC.REVERSAL_NOT_POSSIBLE };
    case 'not_allowed':
      return { code: RC.NOT_REGISTERED };
    case 'limit_exceeded':
      return { code: RC.MAX_AMOUNT_EXCEEDED };
    case 'refused_by_operator':
    case 'unauthorized':
    case 'throttled':
      return { code: RC.FUNCTION_NOT_POSSIBLE };
    default:
      return { code: RC.SYSTEM_ERROR, text: texts.error(e) };
  }
}

/** 04 FF intermediate status values (§6) for the bridge's stages; undefined = nothing to show. */
export const STAGE_STATUS: Readonly<Record<Stage, number | undefined>> = {
  awaiting_manager: 0x0e, // please wait
  queued: 0x0e, // please wait
  connecting: 0x0e,
  sent: 0x0e,
  accepted: 0x0e,
  present_card: 0x0a, // insert card
  pin_entry: 0x01, // watch PIN pad
  processing: 0x04, // waiting for host
  approved_open: 0x17, // please wait
  confirming: 0x17,
  cancelling: 0x0e,
  recovering: 0x0e,
  done: undefined,
};

/** The status sent as keep-alive when no stage was reported yet: 0E "please wait". */
export const STATUS_PLEASE_WAIT = 0x0e;

/** Terminal status byte of the 05 01 completion (§8). */
export const TERMINAL_STATUS = { READY: 0x00, PLEASE_WAIT: 0x9c, OUT_OF_ORDER: 0xdf } as const;

/** ZVT card-type ids (BMP 8A, §7). */
export const CARD_TYPE = {
  girocard: 0x05,
  mastercard: 0x06,
  amex: 0x08,
  visa: 0x0a,
  visaElectron: 0x0b,
  diners: 0x0c,
  vpay: 0x0d,
  jcb: 0x0e,
  maestro: 0x2e,
} as const;

/** §7 "AID → 8A": longest matching AID prefix wins. */
const AID_CARD_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['A0000000032020', CARD_TYPE.vpay],
  ['A0000000032010', CARD_TYPE.visaElectron],
  ['A0000000043060', CARD_TYPE.maestro],
  ['A000000003', CARD_TYPE.visa],
  ['A000000004', CARD_TYPE.mastercard],
  ['A000000025', CARD_TYPE.amex],
  ['A000000065', CARD_TYPE.jcb],
  ['A000000152', CARD_TYPE.diners],
  ['A000000359', CARD_TYPE.girocard],
];

/** Scheme names as terminals report them (IPP card scheme, ePOS brand). */
const SCHEME_CARD_TYPES: ReadonlyArray<readonly [RegExp, number]> = [
  [/v\s*pay/i, CARD_TYPE.vpay],
  [/electron/i, CARD_TYPE.visaElectron],
  [/visa/i, CARD_TYPE.visa],
  [/maestro/i, CARD_TYPE.maestro],
  [/master/i, CARD_TYPE.mastercard],
  [/amex|american/i, CARD_TYPE.amex],
  [/jcb/i, CARD_TYPE.jcb],
  [/diners|discover/i, CARD_TYPE.diners],
  [/giro/i, CARD_TYPE.girocard],
];

/** BMP 8A for a result: from the AID, else from the scheme name; undefined when unknown. */
export function cardTypeFor(result: Pick<PaymentResult, 'aid' | 'cardScheme'>): number | undefined {
  const aid = result.aid?.replace(/[^0-9a-f]/gi, '').toUpperCase();
  if (aid) {
    for (const [prefix, type] of AID_CARD_TYPES) if (aid.startsWith(prefix)) return type;
  }
  if (result.cardScheme) {
    for (const [re, type] of SCHEME_CARD_TYPES) if (re.test(result.cardScheme)) return type;
  }
  return undefined;
}

/** End-of-Day BMP 60 groups, in the spec's order (§7): girocard, JCB, Eurocard, Amex, VISA, Diners, remaining. */
export const TOTALS_GROUPS = ['girocard', 'jcb', 'eurocard', 'amex', 'visa', 'diners', 'remaining'] as const;
export type TotalsGroup = (typeof TOTALS_GROUPS)[number];

export function totalsGroupFor(cardType: number | undefined): TotalsGroup {
  switch (cardType) {
    case CARD_TYPE.girocard:
      return 'girocard';
    case CARD_TYPE.jcb:
      return 'jcb';
    case CARD_TYPE.mastercard:
      return 'eurocard';
    case CARD_TYPE.amex:
      return 'amex';
    case CARD_TYPE.visa:
    case CARD_TYPE.visaElectron:
    case CARD_TYPE.vpay:
      return 'visa';
    case CARD_TYPE.diners:
      return 'diners';
    default:
      return 'remaining';
  }
}
