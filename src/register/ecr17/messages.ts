/**
 * ECR17 messages — read beside ecr17.md §4 (header, codes) and §5 (layouts). Each layout below is the sheet's table
 * top to bottom: field, length, kind. Positions are implied by the order. Every message starts with the terminal ID
 * (8 digits), a reserved `0` and the message code.
 *
 * The same letters mean different things in each direction (`E`, `S`), so requests (ECR → terminal) and answers
 * (terminal → ECR) have separate decoders. Decoding is strict on lengths, digits and flags and lenient on reserved
 * filler (`0` fields are not checked); a message that breaks the layout throws Ecr17FormatError, which the session
 * answers with NAK (§3).
 */

export class Ecr17FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Ecr17FormatError';
  }
}

// ---- field layouts --------------------------------------------------------------------------------------------------

type Kind =
  /** digits, zero-filled on the left */
  | 'N'
  /** printable text, left-aligned, space-filled */
  | 'A'
  /** printable text, right-aligned, space-filled on the left (the P receipt text) */
  | 'AR'
  /** a fixed filler such as `0` or `00000000`; written as given, not checked when read */
  | 'fill';

interface Field {
  readonly key: string;
  readonly len: number;
  readonly kind: Kind;
  /** For 'fill': the value written. For 'N'/'A': the allowed characters (regex of one value). */
  readonly value?: string;
  readonly pattern?: RegExp;
}

const f = (key: string, len: number, kind: Kind, extra: { value?: string; pattern?: RegExp } = {}): Field => ({
  key,
  len,
  kind,
  ...extra,
});
const fill = (len: number, ch = '0'): Field => f('', len, 'fill', { value: ch.repeat(len) });
const flag = (key: string): Field => f(key, 1, 'N', { pattern: /^[01]$/ });

const HEADER = (code: string): Field[] => [f('terminalId', 8, 'N'), fill(1), f('code', 1, 'fill', { value: code })];

const PRINTABLE = /^[\x20-\x7e]*$/;

type Values = Record<string, string>;

function layoutLength(layout: readonly Field[]): number {
  return layout.reduce((n, x) => n + x.len, 0);
}

function encodeLayout(layout: readonly Field[], values: Values): string {
  let out = '';
  for (const x of layout) {
    if (x.kind === 'fill') {
      out += x.value!;
      continue;
    }
    const v = values[x.key] ?? '';
    if (v.length > x.len) throw new Ecr17FormatError(`${x.key} is longer than ${x.len} characters`);
    if (!PRINTABLE.test(v)) throw new Ecr17FormatError(`${x.key} must be printable ASCII`);
    if (x.kind === 'N') {
      if (!/^[0-9]*$/.test(v)) throw new Ecr17FormatError(`${x.key} must be digits`);
      out += v.padStart(x.len, '0');
    } else if (x.kind === 'AR') out += v.padStart(x.len, ' ');
    else out += v.padEnd(x.len, ' ');
  }
  return out;
}

function decodeLayout(layout: readonly Field[], text: string, what: string): Values {
  const want = layoutLength(layout);
  if (text.length !== want) throw new Ecr17FormatError(`${what} must be ${want} characters, got ${text.length}`);
  const out: Values = {};
  let at = 0;
  for (const x of layout) {
    const raw = text.slice(at, at + x.len);
    at += x.len;
    if (x.kind === 'fill') continue;
    if (x.kind === 'N' && !/^[0-9]+$/.test(raw))
      throw new Ecr17FormatError(`${what}: ${x.key} must be ${x.len} digits`);
    if (x.pattern && !x.pattern.test(raw)) throw new Ecr17FormatError(`${what}: ${x.key} "${raw}" is not allowed`);
    out[x.key] = x.kind === 'A' ? raw.replace(/ +$/, '') : x.kind === 'AR' ? raw.replace(/^ +/, '') : raw;
  }
  return out;
}

function printable(text: string, what: string): void {
  if (!PRINTABLE.test(text)) throw new Ecr17FormatError(`${what} contains characters outside printable ASCII`);
}

// ---- requests (ECR → terminal) ----------------------------------------------------------------------------------------

/** §5.1 `P` payment (167) — `X` identical except the code. */
const PAYMENT_REQUEST = (code: 'P' | 'X'): Field[] => [
  ...HEADER(code),
  f('registerId', 8, 'A'),
  flag('additionalData'),
  fill(2),
  flag('cardPresent'),
  f('cardFilter', 1, 'N', { pattern: /^[0-3]$/ }),
  f('amount', 8, 'N'),
  f('text', 128, 'AR'),
  fill(8),
];

/** §5.3 `S` reversal (26). */
const REVERSAL_REQUEST: Field[] = [
  ...HEADER('S'),
  f('registerId', 8, 'A'),
  f('stan', 6, 'N'),
  flag('additionalData'),
  fill(1),
];
/** §5.4 `s` status (10). */
const STATUS_REQUEST: Field[] = HEADER('s');
/** §5.7 `G` send last result (22). */
const LAST_RESULT_REQUEST: Field[] = [...HEADER('G'), f('registerId', 8, 'A'), flag('additionalData'), fill(3)];
/** §5.5 `T` totals and §5.6 `C` close session (26). */
const PERIOD_REQUEST = (code: 'T' | 'C'): Field[] => [
  ...HEADER(code),
  f('registerId', 8, 'A'),
  flag('additionalData'),
  fill(7),
];
/** §5.8 `E` print switch (11). */
const PRINT_SWITCH: Field[] = [...HEADER('E'), flag('ecrPrints')];
/** §5.9 `R` reprint (22). */
const REPRINT_REQUEST: Field[] = [...HEADER('R'), flag('toEcr'), f('ticketType', 1, 'A'), fill(10)];

export interface PaymentRequestMsg {
  readonly code: 'P' | 'X';
  readonly terminalId: string;
  readonly registerId: string;
  /** A `U` additional-data message follows. */
  readonly additionalData: boolean;
  readonly cardPresent: boolean;
  /** 0 automatic, 1 debit only, 2 credit only, 3 other. */
  readonly cardFilter: number;
  /** Cents. */
  readonly amount: number;
  /** Text for the end of the receipt (sent right-aligned; here without the left fill). */
  readonly text: string;
}

export interface ReversalRequestMsg {
  readonly code: 'S';
  readonly terminalId: string;
  readonly registerId: string;
  /** STAN of the transaction to reverse; "000000" = no check. */
  readonly stan: string;
  readonly additionalData: boolean;
}

export interface StatusRequestMsg {
  readonly code: 's';
  readonly terminalId: string;
}

export interface LastResultRequestMsg {
  readonly code: 'G';
  readonly terminalId: string;
  readonly registerId: string;
  readonly additionalData: boolean;
}

export interface PeriodRequestMsg {
  readonly code: 'T' | 'C';
  readonly terminalId: string;
  readonly registerId: string;
  readonly additionalData: boolean;
}

export interface PrintSwitchMsg {
  readonly code: 'E';
  readonly terminalId: string;
  /** true: send the next procedure's receipt to the ECR as `S` messages; false: print on the terminal. */
  readonly ecrPrints: boolean;
}

export interface ReprintRequestMsg {
  readonly code: 'R';
  readonly terminalId: string;
  readonly toEcr: boolean;
  readonly ticketType: string;
}

/** §5.11 `U` additional data: the bridge ACKs and ignores it; kept raw after the fields it looks at. */
export interface AdditionalDataMsg {
  readonly code: 'U';
  readonly terminalId: string;
  readonly paymentType: string;
  /** ISO field: "62" asks for a `U` result after the `E`; "00" does not. */
  readonly isoField: string;
  readonly rest: string;
}

/** A message code the bridge does not manage (p, i, c, H, K …): answered with NAK. */
export interface UnsupportedMsg {
  readonly code: 'unsupported';
  readonly terminalId: string;
  readonly letter: string;
}

export type Ecr17Request =
  | PaymentRequestMsg
  | ReversalRequestMsg
  | StatusRequestMsg
  | LastResultRequestMsg
  | PeriodRequestMsg
  | PrintSwitchMsg
  | ReprintRequestMsg
  | AdditionalDataMsg
  | UnsupportedMsg;

const bool = (v: string | undefined): boolean => v === '1';
const bit = (b: boolean): string => (b ? '1' : '0');

function header(text: string): { terminalId: string; code: string } {
  if (text.length < 10)
    throw new Ecr17FormatError(`a message has at least 10 characters (terminal ID, 0, code), got ${text.length}`);
  const terminalId = text.slice(0, 8);
  if (!/^[0-9]{8}$/.test(terminalId)) throw new Ecr17FormatError('the terminal ID must be 8 digits');
  return { terminalId, code: text[9]! };
}

/** Decodes a message from the register (the bytes between STX and ETX). */
export function decodeRequest(message: Uint8Array | string): Ecr17Request {
  const text = typeof message === 'string' ? message : Buffer.from(message).toString('latin1');
  const { terminalId, code } = header(text);
  switch (code) {
    case 'P':
    case 'X': {
      printable(text, `${code} request`);
      const v = decodeLayout(PAYMENT_REQUEST(code), text, `${code} request`);
      return {
        code,
        terminalId,
        registerId: v['registerId']!,
        additionalData: bool(v['additionalData']),
        cardPresent: bool(v['cardPresent']),
        cardFilter: Number(v['cardFilter']),
        amount: Number(v['amount']),
        text: v['text']!,
      };
    }
    case 'S': {
      printable(text, 'S request');
      const v = decodeLayout(REVERSAL_REQUEST, text, 'S request');
      return {
        code,
        terminalId,
        registerId: v['registerId']!,
        stan: v['stan']!,
        additionalData: bool(v['additionalData']),
      };
    }
    case 's':
      decodeLayout(STATUS_REQUEST, text, 's request');
      return { code, terminalId };
    case 'G': {
      printable(text, 'G request');
      const v = decodeLayout(LAST_RESULT_REQUEST, text, 'G request');
      return { code, terminalId, registerId: v['registerId']!, additionalData: bool(v['additionalData']) };
    }
    case 'T':
    case 'C': {
      printable(text, `${code} request`);
      const v = decodeLayout(PERIOD_REQUEST(code), text, `${code} request`);
      return { code, terminalId, registerId: v['registerId']!, additionalData: bool(v['additionalData']) };
    }
    case 'E': {
      const v = decodeLayout(PRINT_SWITCH, text, 'E request');
      return { code, terminalId, ecrPrints: bool(v['ecrPrints']) };
    }
    case 'R': {
      printable(text, 'R request');
      const v = decodeLayout(REPRINT_REQUEST, text, 'R request');
      return { code, terminalId, toEcr: bool(v['toEcr']), ticketType: v['ticketType']! };
    }
    case 'U': {
      // payment type (6), ISO field (2), then tag blocks closed by 1B (§5.11)
      if (text.length < 18) throw new Ecr17FormatError(`U request too short (${text.length} characters)`);
      if (!/^[\x20-\x7e\x1b]*$/.test(text))
        throw new Ecr17FormatError('U request contains control characters other than 1B');
      return { code, terminalId, paymentType: text.slice(10, 16), isoField: text.slice(16, 18), rest: text.slice(18) };
    }
    default:
      if (!/^[\x20-\x7e]$/.test(code)) throw new Ecr17FormatError('the message code is not a printable character');
      return { code: 'unsupported', terminalId, letter: code };
  }
}

/** Encodes a request as a register would send it (tests, fuzzing, the troubleshooting docs). */
export function encodeRequest(m: Ecr17Request): string {
  switch (m.code) {
    case 'P':
    case 'X':
      return encodeLayout(PAYMENT_REQUEST(m.code), {
        terminalId: m.terminalId,
        registerId: m.registerId,
        additionalData: bit(m.additionalData),
        cardPresent: bit(m.cardPresent),
        cardFilter: String(m.cardFilter),
        amount: String(m.amount),
        text: m.text,
      });
    case 'S':
      return encodeLayout(REVERSAL_REQUEST, {
        terminalId: m.terminalId,
        registerId: m.registerId,
        stan: m.stan,
        additionalData: bit(m.additionalData),
      });
    case 's':
      return encodeLayout(STATUS_REQUEST, { terminalId: m.terminalId });
    case 'G':
      return encodeLayout(LAST_RESULT_REQUEST, {
        terminalId: m.terminalId,
        registerId: m.registerId,
        additionalData: bit(m.additionalData),
      });
    case 'T':
    case 'C':
      return encodeLayout(PERIOD_REQUEST(m.code), {
        terminalId: m.terminalId,
        registerId: m.registerId,
        additionalData: bit(m.additionalData),
      });
    case 'E':
      return encodeLayout(PRINT_SWITCH, { terminalId: m.terminalId, ecrPrints: bit(m.ecrPrints) });
    case 'R':
      return encodeLayout(REPRINT_REQUEST, { terminalId: m.terminalId, toEcr: bit(m.toEcr), ticketType: m.ticketType });
    case 'U':
      return `${m.terminalId}0U${m.paymentType}${m.isoField}${m.rest}`;
    case 'unsupported':
      return `${m.terminalId}0${m.letter}`;
  }
}

// ---- answers (terminal → ECR) -------------------------------------------------------------------------------------

/** §5.2 / §5.3: the common part of every `E` result, up to the online operation number (71 characters). */
const RESULT_APPROVED: Field[] = [
  ...HEADER('E'),
  f('result', 2, 'N'),
  f('pan', 19, 'A'),
  f('entryMode', 3, 'A'),
  f('approvalCode', 6, 'A'),
  f('hostDateTime', 7, 'N'),
  f('cardType', 1, 'N'),
  f('acquirerId', 11, 'A'),
  f('stan', 6, 'N'),
  f('onlineNo', 6, 'N'),
];
const RESULT_REFUSED: Field[] = [
  ...HEADER('E'),
  f('result', 2, 'N'),
  f('reason', 24, 'A'),
  fill(11),
  f('cardType', 1, 'N'),
  f('acquirerId', 11, 'A'),
  f('stan', 6, 'N'),
  f('onlineNo', 6, 'N'),
];
/** `X` results add host action code, amount approved by the host, 0×10 (→ 92). */
const EXTENDED_TAIL: Field[] = [f('actionCode', 3, 'N'), f('hostAmount', 8, 'N'), fill(10)];
/** Reversal results add action code, 0×10 (→ 84). */
const REVERSAL_TAIL: Field[] = [f('actionCode', 3, 'N'), fill(10)];

export const RESULT_LENGTH = { payment: 71, reversal: 84, extended: 92 } as const;
export type ResultFormat = keyof typeof RESULT_LENGTH;

export interface ResultMsg {
  readonly code: 'E';
  readonly format: ResultFormat;
  readonly terminalId: string;
  /** "00" approved, "01" refused, "05" card not present, "09" unknown tag from the host (§8). */
  readonly result: string;
  /** Approved: PAN right-aligned, `0`-filled, truncated (19). */
  readonly pan?: string;
  /** Approved: ICC, MAG, MAN, CLM, CLI. */
  readonly entryMode?: string;
  /** Approved: host approval code (6; `000000` on a reversal). */
  readonly approvalCode?: string;
  /** Approved: `DDDHHMM`, DDD = day of the year (1 January = 1). */
  readonly hostDateTime?: string;
  /** Refused: reason, up to 24 characters. */
  readonly reason?: string;
  /** 1 PagoBANCOMAT, 2 credit (international), 3 other. */
  readonly cardType: number;
  readonly acquirerId: string;
  readonly stan: string;
  readonly onlineNo: string;
  /** `X` and reversal results: host action code (3 digits). */
  readonly actionCode?: string;
  /** `X` results: amount approved by the host, cents. */
  readonly hostAmount?: number;
}

function resultLayout(m: { result: string; format: ResultFormat }): Field[] {
  const base = m.result === '00' ? RESULT_APPROVED : RESULT_REFUSED;
  return m.format === 'extended'
    ? [...base, ...EXTENDED_TAIL]
    : m.format === 'reversal'
      ? [...base, ...REVERSAL_TAIL]
      : base;
}

export function encodeResult(m: ResultMsg): string {
  return encodeLayout(resultLayout(m), {
    terminalId: m.terminalId,
    result: m.result,
    pan: (m.pan ?? '').padStart(19, '0'),
    entryMode: m.entryMode ?? '',
    approvalCode: m.approvalCode ?? '',
    hostDateTime: m.hostDateTime ?? '',
    reason: m.reason ?? '',
    cardType: String(m.cardType),
    acquirerId: m.acquirerId,
    stan: m.stan,
    onlineNo: m.onlineNo,
    actionCode: m.actionCode ?? '',
    hostAmount: m.hostAmount !== undefined ? String(m.hostAmount) : '',
  });
}

function decodeResult(text: string): ResultMsg {
  const format = (Object.keys(RESULT_LENGTH) as ResultFormat[]).find((k) => RESULT_LENGTH[k] === text.length);
  if (!format) throw new Ecr17FormatError(`an E result has 71, 84 or 92 characters, got ${text.length}`);
  const result = text.slice(10, 12);
  const v = decodeLayout(resultLayout({ result, format }), text, 'E result');
  return {
    code: 'E',
    format,
    terminalId: v['terminalId']!,
    result,
    ...(result === '00'
      ? {
          pan: v['pan']!,
          entryMode: v['entryMode']!,
          approvalCode: v['approvalCode']!,
          hostDateTime: v['hostDateTime']!,
        }
      : { reason: v['reason']! }),
    cardType: Number(v['cardType']),
    acquirerId: v['acquirerId']!,
    stan: v['stan']!,
    onlineNo: v['onlineNo']!,
    ...(format !== 'payment' ? { actionCode: v['actionCode']! } : {}),
    ...(format === 'extended' ? { hostAmount: Number(v['hostAmount']) } : {}),
  };
}

/** §5.4 `s` status answer: 0×10, date/time `DDMMYYhhmm`, status (0–6), software releases (n × 8). */
export interface StatusAnswerMsg {
  readonly code: 's';
  readonly terminalId: string;
  readonly dateTime: string;
  readonly status: number;
  readonly releases: readonly string[];
}
const STATUS_ANSWER: Field[] = [...HEADER('s'), fill(10), f('dateTime', 10, 'N'), f('status', 1, 'N')];

/** §5.5 `T` totals answer (34): result, terminal total in cents (16), 0×6. */
export interface TotalsAnswerMsg {
  readonly code: 'T';
  readonly terminalId: string;
  readonly result: string;
  readonly total: number;
}
const TOTALS_ANSWER: Field[] = [...HEADER('T'), f('result', 2, 'N'), f('total', 16, 'N'), fill(6)];

/** §5.6 `C` close answer (44): OK → terminal total + host total; KO → reason (19), action code, 0×10. */
export interface CloseAnswerMsg {
  readonly code: 'C';
  readonly terminalId: string;
  readonly result: string;
  readonly terminalTotal?: number;
  readonly hostTotal?: number;
  readonly reason?: string;
  readonly actionCode?: string;
}
const CLOSE_OK: Field[] = [...HEADER('C'), f('result', 2, 'N'), f('terminalTotal', 16, 'N'), f('hostTotal', 16, 'N')];
const CLOSE_KO: Field[] = [
  ...HEADER('C'),
  f('result', 2, 'N'),
  f('reason', 19, 'A'),
  f('actionCode', 3, 'N'),
  fill(10),
];

/** §5.10 `S` receipt text (1–200 characters; control bytes 7D, 7F, 1B allowed). */
export interface ReceiptTextMsg {
  readonly code: 'S';
  readonly terminalId: string;
  readonly text: string;
}

/** §5.11 the `U` result after an `E` when the register's `U` asked for one: no data (length 000) [inferred]. */
export interface AdditionalDataResultMsg {
  readonly code: 'U';
  readonly terminalId: string;
}

export type Ecr17Answer =
  ResultMsg | StatusAnswerMsg | TotalsAnswerMsg | CloseAnswerMsg | ReceiptTextMsg | AdditionalDataResultMsg;

export const MAX_RECEIPT_TEXT = 200;
/** §5.10: the last `S` of a receipt ends with six 7D and one 1B. */
export const RECEIPT_END = '\x7d'.repeat(6) + '\x1b';
export const RECEIPT_NEW_LINE = '\x7d';
export const RECEIPT_DOUBLE = '\x7f';

export function encodeAnswer(m: Ecr17Answer): string {
  switch (m.code) {
    case 'E':
      return encodeResult(m);
    case 's': {
      for (const r of m.releases)
        if (r.length !== 8 || !PRINTABLE.test(r))
          throw new Ecr17FormatError('a software release is 8 printable characters');
      return (
        encodeLayout(STATUS_ANSWER, { terminalId: m.terminalId, dateTime: m.dateTime, status: String(m.status) }) +
        m.releases.join('')
      );
    }
    case 'T':
      return encodeLayout(TOTALS_ANSWER, { terminalId: m.terminalId, result: m.result, total: String(m.total) });
    case 'C':
      return m.result === '00'
        ? encodeLayout(CLOSE_OK, {
            terminalId: m.terminalId,
            result: m.result,
            terminalTotal: String(m.terminalTotal ?? 0),
            hostTotal: String(m.hostTotal ?? 0),
          })
        : encodeLayout(CLOSE_KO, {
            terminalId: m.terminalId,
            result: m.result,
            reason: m.reason ?? '',
            actionCode: m.actionCode ?? '',
          });
    case 'S':
      if (m.text.length < 1 || m.text.length > MAX_RECEIPT_TEXT)
        throw new Ecr17FormatError('receipt text is 1–200 characters');
      if (!/^[\x20-\x7f\x1b]*$/.test(m.text))
        throw new Ecr17FormatError('receipt text is ASCII with the control bytes 7D, 7F and 1B');
      return `${m.terminalId}0S${m.text}`;
    case 'U':
      return `${m.terminalId}0U000`;
  }
}

/** Decodes a terminal's answer (what a register reads; tests and fuzzing). */
export function decodeAnswer(message: Uint8Array | string): Ecr17Answer {
  const text = typeof message === 'string' ? message : Buffer.from(message).toString('latin1');
  const { terminalId, code } = header(text);
  switch (code) {
    case 'E':
      printable(text, 'E result');
      return decodeResult(text);
    case 's': {
      printable(text, 's answer');
      const fixed = layoutLength(STATUS_ANSWER);
      const tail = text.slice(fixed);
      if (text.length < fixed || tail.length % 8 !== 0)
        throw new Ecr17FormatError('an s answer is 31 characters plus 8 per software release');
      const v = decodeLayout(STATUS_ANSWER, text.slice(0, fixed), 's answer');
      return {
        code,
        terminalId,
        dateTime: v['dateTime']!,
        status: Number(v['status']),
        releases: tail.match(/.{8}/g) ?? [],
      };
    }
    case 'T': {
      const v = decodeLayout(TOTALS_ANSWER, text, 'T answer');
      return { code, terminalId, result: v['result']!, total: Number(v['total']) };
    }
    case 'C': {
      printable(text, 'C answer');
      const ok = text.slice(10, 12) === '00';
      const v = decodeLayout(ok ? CLOSE_OK : CLOSE_KO, text, 'C answer');
      return ok
        ? {
            code,
            terminalId,
            result: v['result']!,
            terminalTotal: Number(v['terminalTotal']),
            hostTotal: Number(v['hostTotal']),
          }
        : { code, terminalId, result: v['result']!, reason: v['reason']!, actionCode: v['actionCode']! };
    }
    case 'S': {
      const t = text.slice(10);
      if (t.length < 1 || t.length > MAX_RECEIPT_TEXT || !/^[\x20-\x7f\x1b]*$/.test(t))
        throw new Ecr17FormatError('S receipt text must be 1–200 characters');
      return { code, terminalId, text: t };
    }
    case 'U':
      return { code, terminalId };
    default:
      throw new Ecr17FormatError(`"${code}" is no answer a terminal sends`);
  }
}
