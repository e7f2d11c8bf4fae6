/**
 * The simple text protocol — lines in, lines out. Read beside docs/legacy-registers.md, "Simple text protocol".
 *
 * Requests (default layout, separator ";"):
 *   SALE;<ref>;<amount>;<currency>      REFUND;<ref>;<amount>;<currency>      STATUS;<ref>      CANCEL;<ref>
 * The currency may be left out (the listener's default). Amounts are decimal text in the register's format
 * ("12.34", "12,34", "1.234,56" with thousands "."), or minor units with amountFormat "minor"; converted exactly.
 *
 * Answers (default field order status;ref;result;detail):
 *   OK;<ref>;APPROVED;<auth code>       OK;<ref>;DECLINED;<host code>       OK;<ref>;CANCELLED;
 *   OK;<ref>;FAILED;<code>              OK;<ref>;IN_DOUBT;                  OK;<ref>;PENDING;<STAGE>
 *   OK;<ref>;CANCEL;DONE|PENDING|TOO_LATE                                   ERR;<ref>;<error code>;<text>
 *   PROGRESS;<ref>;<STAGE>              (only with options.progress)
 */
import { BridgeError } from '../../domain/errors';
import { fromDecimal, money, toDecimal, type Money } from '../../domain/money';
import type { PaymentResult } from '../../domain/payment';
import type { Stage } from '../../domain/vocabulary';
import type { CancelAnswer, PaymentView } from '../../bridge/api';
import type { AnswerField, RequestField, TextOptions } from './options';
import type { RegisterTexts } from '../texts';
import { languageOf } from '../../i18n/locale';
import { asciiText } from '../../i18n/transliterate';

export type TextRequest =
  | { readonly op: 'sale' | 'refund'; readonly ref: string; readonly amount: Money }
  | { readonly op: 'status' | 'cancel'; readonly ref: string };

export type ParsedLine = { readonly request: TextRequest } | { readonly error: BridgeError; readonly ref: string };

const OPS = ['sale', 'refund', 'status', 'cancel'] as const;

/** Parses one request line (without its line ending). Never throws. */
export function parseLine(line: string, o: TextOptions): ParsedLine {
  const fields = line.split(o.separator).map((f) => f.trim());
  const at = (layout: readonly RequestField[], name: RequestField): string | undefined => {
    const i = layout.indexOf(name);
    return i < 0 ? undefined : fields[i];
  };
  const word = (at(o.fields, 'command') ?? '').toUpperCase();
  const op = OPS.find((k) => o.commands[k].toUpperCase() === word);
  if (!op) {
    const known = OPS.map((k) => o.commands[k]).join(', ');
    return {
      error: new BridgeError('unknown_op', `unknown command "${printable(word).slice(0, 20)}"; known: ${known}`),
      ref: printable(at(o.fields, 'ref') ?? ''),
    };
  }
  const layout = op === 'sale' || op === 'refund' ? o.fields : o.fields.filter((f) => f === 'command' || f === 'ref');
  const ref = at(layout, 'ref') ?? '';
  try {
    if (fields.slice(layout.length).some((f) => f !== '')) {
      throw new BridgeError('bad_request', `too many fields: expected ${layout.join(o.separator)}`);
    }
    if (ref === '') throw new BridgeError('invalid_ref', 'ref is missing');
    // With a separator of several characters ("::"), a ref ending or starting with one of them ("A:") would make
    // the answer line ambiguous for the register ("OK::A:::APPROVED"): such refs are refused.
    const clash = [...new Set(o.separator)].find((c) => ref.includes(c));
    if (clash !== undefined)
      throw new BridgeError(
        'invalid_ref',
        `ref must not contain "${printable(clash)}", a character of the field separator`,
      );
    if (op === 'status' || op === 'cancel') return { request: { op, ref } };
    const amountText = at(layout, 'amount') ?? '';
    if (amountText === '') throw new BridgeError('invalid_amount', 'amount is missing');
    const code = (at(layout, 'currency') ?? '').toUpperCase() || o.currency;
    return { request: { op, ref, amount: parseAmount(amountText, code, o) } };
  } catch (e) {
    return { error: e instanceof BridgeError ? e : new BridgeError('bad_request', String(e)), ref: printable(ref) };
  }
}

/** An amount in the register's format → Money, exactly (string arithmetic only). */
export function parseAmount(
  text: string,
  currencyCode: string,
  o: Pick<TextOptions, 'amountFormat' | 'decimal' | 'thousands'>,
): Money {
  if (o.amountFormat === 'minor') {
    if (!/^[0-9]{1,9}$/.test(text))
      throw new BridgeError(
        'invalid_amount',
        `amount "${printable(text)}" must be a whole number of minor units such as 1234`,
      );
    return money(Number(text), currencyCode);
  }
  let plain = text;
  if (o.thousands !== '' && text.includes(o.thousands)) {
    const t = escapeRe(o.thousands);
    const d = escapeRe(o.decimal);
    if (!new RegExp(`^[0-9]{1,3}(?:${t}[0-9]{3})+(?:${d}[0-9]*)?$`).test(text)) {
      throw new BridgeError('invalid_amount', `amount "${printable(text)}" has misplaced thousands separators`);
    }
    plain = text.split(o.thousands).join('');
  }
  return fromDecimal(plain, currencyCode, { separators: [o.decimal] });
}

/** Minor units → the register's format. */
export function formatAmount(m: Money, o: Pick<TextOptions, 'amountFormat' | 'decimal'>): string {
  return o.amountFormat === 'minor' ? String(m.minor) : toDecimal(m, { separator: o.decimal });
}

type AnswerValues = Record<AnswerField, string>;

function line(o: TextOptions, values: AnswerValues, omit: AnswerField[] = [], extra?: string): string {
  const fields = o.answerFields.filter((f) => !omit.includes(f)).map((f) => clean(values[f], o));
  if (extra !== undefined) fields.push(clean(extra, o));
  return fields.join(o.separator) + o.eol;
}

/** The line for a payment's result (with options.message, its plain words in the register's language, as ASCII). */
export function resultLine(o: TextOptions, r: PaymentResult, texts: RegisterTexts): string {
  let detail = '';
  if (r.outcome === 'approved') detail = r.authCode ?? '';
  else if (r.outcome === 'declined' || r.outcome === 'failed') detail = r.hostCode ?? r.terminalStatus ?? '';
  return line(
    o,
    { status: o.words.ok, ref: r.ref, result: o.words[r.outcome], detail },
    [],
    o.message ? words(texts, texts.result(r)) : undefined,
  );
}

/** STATUS of a payment without a result yet. */
export function pendingLine(o: TextOptions, view: PaymentView): string {
  return line(o, { status: o.words.ok, ref: view.ref, result: o.words.pending, detail: stageWord(view.stage) });
}

export function cancelLine(o: TextOptions, ref: string, a: CancelAnswer): string {
  const detail = a.tookEffect ? 'DONE' : a.pending ? 'PENDING' : 'TOO_LATE';
  return line(o, { status: o.words.ok, ref, result: o.words.cancel, detail });
}

export function progressLine(o: TextOptions, ref: string, stage: Stage): string {
  return line(o, { status: o.words.progress, ref, result: stageWord(stage), detail: '' }, ['detail']);
}

/** ERR line: the error code, and its text in the register's language (as ASCII). */
export function errorLine(o: TextOptions, ref: string, err: BridgeError, texts: RegisterTexts): string {
  return line(o, { status: o.words.error, ref, result: err.code, detail: words(texts, texts.error(err, { ref })) });
}

/** The protocol carries printable ASCII only: other letters are transliterated (ä → ae, Я → Ya), never a "?". */
function words(texts: RegisterTexts, text: string): string {
  return asciiText(text, languageOf(texts.locale));
}

const stageWord = (s: Stage): string => s.toUpperCase();

/** A field's text: no separator, no line break, printable ASCII only. */
function clean(s: string, o: TextOptions): string {
  return printable(s.split(o.separator).join(' ').replace(/\s+/g, ' ')).trim();
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
