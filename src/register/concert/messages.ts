/**
 * Concert E / E+ messages — read beside concert.md §4 (request layouts), §6 (answer layouts) and §7 (status codes).
 *
 * Every field is kept as the characters the wire carries, so that an answer can echo the request exactly and
 * encode(decode(m)) = m. What the characters mean (amount, currency, mode) is read in the session.
 *
 * Request (positions 1-based, as in the sheet):
 *   1  2  register number       `01`…`99`
 *   3  8  amount, minor units    `00001250` = 12.50
 *  11  1  answer flag            `0` short answer, `1` with the card report, (`2` TLV: not offered)
 *  12  1  payment mode           `1` card, `C` cheque, …
 *  13  1  transaction type       `0` debit, `1` credit (refund), `2` void of the last transaction
 *  14  3  ISO 4217 numeric       `978`
 *  17 10  private data           10 spaces when unused
 *  27  4  E+ only: timing        `A010` answer at the end, `A011` answer at once
 *  31  4  E+ only: authorisation `B010` normal, `B011` forced online (ignored: myPOS decides)
 * Protocol E stops after position 26 (26 characters), E+ is 34 characters.
 *
 * Answer:
 *   1  2  register number (echo)
 *   3  1  status `0` approved, `7` refused, `9` other failure
 *   4  8  amount (echo)
 *  12  1  payment mode (echo)
 *  13 55  full answer only: card report (masked PAN, hidden digits and the rest `0`)
 *  then 3 currency (echo) and 10 private data.
 * Short answer 25 characters, full answer 80 — chosen by the request's answer flag, never by A010/A011.
 */

export const E_LENGTH = 26;
export const E_PLUS_LENGTH = 34;
export const SHORT_ANSWER_LENGTH = 25;
export const FULL_ANSWER_LENGTH = 80;
export const REPORT_LENGTH = 55;

/** Answer flag (position 11). */
export const ANSWER_FLAG = { short: '0', full: '1', tlv: '2' } as const;
/** Answer timing of E+ (positions 27–30). */
export const TIMING = { atEnd: 'A010', immediate: 'A011' } as const;
/** Authorisation of E+ (positions 31–34). */
export const AUTHORISATION = { normal: 'B010', forced: 'B011' } as const;
/** Transaction types (position 13): pyTelium's constants; `2` read as void of the last transaction (§4, §8). */
export const TRANSACTION_TYPE = { debit: '0', credit: '1', void: '2' } as const;
/** Answer status (§7). */
export const STATUS = { approved: '0', refused: '7', failed: '9' } as const;
export type AnswerStatus = (typeof STATUS)[keyof typeof STATUS];

/** A request as the register wrote it. `timing` and `authorisation` exist only in E+. */
export interface ConcertRequest {
  readonly register: string;
  readonly amount: string;
  readonly answerFlag: string;
  readonly paymentMode: string;
  readonly transactionType: string;
  readonly currency: string;
  readonly privateData: string;
  readonly timing?: string;
  readonly authorisation?: string;
}

export interface ConcertAnswer {
  readonly register: string;
  readonly status: string;
  readonly amount: string;
  readonly paymentMode: string;
  /** Present in the full answer (80 characters) only: 55 characters. */
  readonly report?: string;
  readonly currency: string;
  readonly privateData: string;
}

export class ConcertFormatError extends Error {
  override readonly name = 'ConcertFormatError';
}

/** Printable ASCII 0x20–0x7E: the only characters a message may carry (§2). */
export function isPrintable(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** Cuts `text` into fields of the given widths, in order; the widths must add up to its length. */
function fields(text: string, widths: readonly number[]): string[] {
  const out: string[] = [];
  let at = 0;
  for (const w of widths) {
    out.push(text.slice(at, at + w));
    at += w;
  }
  return out;
}

const REQUEST_WIDTHS = [2, 8, 1, 1, 1, 3, 10] as const;
const E_PLUS_WIDTHS = [...REQUEST_WIDTHS, 4, 4] as const;

/** A request message (without STX/ETX/LRC). Throws ConcertFormatError unless it is 26 or 34 printable characters. */
export function decodeRequest(message: string): ConcertRequest {
  if (!isPrintable(message)) throw new ConcertFormatError('the message carries a character outside printable ASCII');
  if (message.length !== E_LENGTH && message.length !== E_PLUS_LENGTH) {
    throw new ConcertFormatError(
      `a request is ${E_LENGTH} (E) or ${E_PLUS_LENGTH} (E+) characters, not ${message.length}`,
    );
  }
  const plus = message.length === E_PLUS_LENGTH;
  const [register, amount, answerFlag, paymentMode, transactionType, currency, privateData, timing, authorisation] =
    fields(message, plus ? E_PLUS_WIDTHS : REQUEST_WIDTHS) as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string?,
      string?,
    ];
  return {
    register,
    amount,
    answerFlag,
    paymentMode,
    transactionType,
    currency,
    privateData,
    ...(plus ? { timing: timing!, authorisation: authorisation! } : {}),
  };
}

function exact(name: string, value: string, width: number): string {
  if (value.length !== width || !isPrintable(value))
    throw new ConcertFormatError(`${name} must be ${width} printable characters, got ${JSON.stringify(value)}`);
  return value;
}

/** The request message a register sends (E when `timing` is absent, else E+). */
export function encodeRequest(r: ConcertRequest): string {
  const base =
    exact('register', r.register, 2) +
    exact('amount', r.amount, 8) +
    exact('answerFlag', r.answerFlag, 1) +
    exact('paymentMode', r.paymentMode, 1) +
    exact('transactionType', r.transactionType, 1) +
    exact('currency', r.currency, 3) +
    exact('privateData', r.privateData, 10);
  if (r.timing === undefined && r.authorisation === undefined) return base;
  return base + exact('timing', r.timing ?? '', 4) + exact('authorisation', r.authorisation ?? '', 4);
}

/** The answer message (without framing): 25 characters, or 80 with the card report. */
export function encodeAnswer(a: ConcertAnswer): string {
  return (
    exact('register', a.register, 2) +
    exact('status', a.status, 1) +
    exact('amount', a.amount, 8) +
    exact('paymentMode', a.paymentMode, 1) +
    (a.report !== undefined ? exact('report', a.report, REPORT_LENGTH) : '') +
    exact('currency', a.currency, 3) +
    exact('privateData', a.privateData, 10)
  );
}

/** An answer message (as a register reads it: 25 or 80 characters). Throws ConcertFormatError otherwise. */
export function decodeAnswer(message: string): ConcertAnswer {
  if (!isPrintable(message)) throw new ConcertFormatError('the message carries a character outside printable ASCII');
  if (message.length === SHORT_ANSWER_LENGTH) {
    const [register, status, amount, paymentMode, currency, privateData] = fields(message, [2, 1, 8, 1, 3, 10]) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return { register, status, amount, paymentMode, currency, privateData };
  }
  if (message.length === FULL_ANSWER_LENGTH) {
    const [register, status, amount, paymentMode, report, currency, privateData] = fields(message, [
      2,
      1,
      8,
      1,
      REPORT_LENGTH,
      3,
      10,
    ]) as [string, string, string, string, string, string, string];
    return { register, status, amount, paymentMode, report, currency, privateData };
  }
  throw new ConcertFormatError(
    `an answer is ${SHORT_ANSWER_LENGTH} or ${FULL_ANSWER_LENGTH} characters, not ${message.length}`,
  );
}

/** Whether the request asks for the full answer (flag `1`); every other flag gets the short layout (§10: `2` → short). */
export function wantsFullAnswer(r: Pick<ConcertRequest, 'answerFlag'>): boolean {
  return r.answerFlag === ANSWER_FLAG.full;
}

/** A010 unless an E+ request says A011: protocol E has no timing field and behaves like A010 (§5). */
export function isImmediate(r: Pick<ConcertRequest, 'timing'>): boolean {
  return r.timing === TIMING.immediate;
}

/**
 * The 55-character card report from a masked PAN (§6.1): the digits myPOS shows (first 6, last 4), hidden digits as
 * `0`, then `0` up to 55 characters. The full PAN never reaches the bridge; anything that is not a masked PAN gives
 * all zeros (as on a failure).
 */
export function cardReport(panMasked: string | undefined): string {
  const clean = (panMasked ?? '').replace(/[\s-]/g, '');
  if (!/^[0-9*Xx]{8,19}$/.test(clean) || !/[*Xx]/.test(clean)) return '0'.repeat(REPORT_LENGTH);
  return clean.replace(/[*Xx]/g, '0').padEnd(REPORT_LENGTH, '0');
}

/** The answer to a request: its echoed fields, a status, and the card report when the flag asks for it. */
export function answerTo(
  r: ConcertRequest,
  status: AnswerStatus,
  o: { panMasked?: string; privateData?: string } = {},
): ConcertAnswer {
  return {
    register: r.register,
    status,
    amount: r.amount,
    paymentMode: r.paymentMode,
    ...(wantsFullAnswer(r)
      ? { report: status === STATUS.approved ? cardReport(o.panMasked) : '0'.repeat(REPORT_LENGTH) }
      : {}),
    currency: r.currency,
    privateData: o.privateData ?? r.privateData,
  };
}
