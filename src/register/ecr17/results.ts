/**
 * What the bridge knows about a payment, in ECR17 fields — ecr17.md §5.2 mapping, §8 result codes. The result a
 * register gets is rendered from the journal's view of the payment, so "send last result" (`G`, §5.7) replays it
 * unchanged, across restarts, and a payment reversed because its result was never acknowledged replays as refused.
 */
import type { PaymentView } from '../../bridge/api';
import { panRules } from '../../domain/card-data';
import type { PaymentResult } from '../../domain/payment';
import type { Stage } from '../../domain/vocabulary';
import { translator } from '../../i18n';
import type { ResultFormat, ResultMsg } from './messages';

/** Refusal reasons (§8): keys of the `register` catalogue's `ecr17.reason` (the texts are ≤ 24 characters). */
export type ReasonKey =
  | 'declined'
  | 'cancelled'
  | 'cardTimeout'
  | 'wrongPin'
  | 'unreachable'
  | 'hostUnreachable'
  | 'terminalBusy'
  | 'invalidAmount'
  | 'nothingToReverse'
  | 'stanMismatch'
  | 'reversed'
  | 'noLastResult'
  | 'resultUnknown'
  | 'refused'
  | 'closeFailed';

/** Progress texts: keys of the `register` catalogue's `ecr17.progress` (≤ 20 characters). */
export type ProgressKey = 'wait' | 'presentCard' | 'enterPin' | 'processing' | 'confirming' | 'cancelling';

/**
 * A catalogue text as the register's display takes it: printable ASCII (accents dropped), upper case, cut to `max`.
 * The language is the shop's (`locale`), English by default.
 */
export function registerText(
  key: `reason.${ReasonKey}` | `progress.${ProgressKey}`,
  max: number,
  locale?: string,
): string {
  const t = translator('register', locale);
  return t(`ecr17.${key}`)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, ' ')
    .toUpperCase()
    .slice(0, max);
}

export const reasonText = (key: ReasonKey, locale?: string): string => registerText(`reason.${key}`, 24, locale);

/** Result codes (§8). */
export const RESULT = { approved: '00', refused: '01' } as const;

/** Card types (§5.2). */
export const CARD_TYPE = { pagobancomat: 1, international: 2, other: 3 } as const;

/** The fields of a result that do not come from the payment. */
export interface ResultContext {
  readonly terminalId: string;
  readonly acquirerId: string;
  readonly panMask: '*' | 'X' | '0';
  /** The shop's locale for the refusal reasons (English without one). */
  readonly locale?: string;
}

/** The view's payment as its `E` result. `format` follows the request: P → payment, X → extended, S → reversal. */
export function resultMessage(view: PaymentView, format: ResultFormat, ctx: ResultContext): ResultMsg {
  const r = view.result;
  const approved = view.outcome === 'approved' && !(view.reversed && view.kind !== 'reversal');
  const stan = six(r?.receiptNo ?? 0);
  const common = {
    code: 'E' as const,
    format,
    terminalId: ctx.terminalId,
    cardType: r ? cardType(r) : CARD_TYPE.other,
    acquirerId: ctx.acquirerId,
    stan,
    onlineNo: onlineNumber(r, stan),
  };
  if (approved && r) {
    const msg: ResultMsg = {
      ...common,
      result: RESULT.approved,
      pan: pan19(r.panMasked, ctx.panMask),
      entryMode: entryMode(r.entryMode),
      approvalCode: format === 'reversal' ? '000000' : approvalCode(r.authCode),
      hostDateTime: dayOfYearTime(r, view.createdAt),
    };
    if (format === 'reversal') return { ...msg, actionCode: '000' };
    if (format === 'extended') return { ...msg, actionCode: '000', hostAmount: processed(r) };
    return msg;
  }
  const refused: ResultMsg = { ...common, result: RESULT.refused, reason: reasonOf(view, ctx.locale) };
  if (format === 'reversal') return { ...refused, actionCode: actionCode(r) };
  if (format === 'extended') return { ...refused, actionCode: actionCode(r), hostAmount: 0 };
  return refused;
}

/** A refusal that concerns no payment (nothing to reverse, no last result, the bridge refused the request). */
export function refusal(format: ResultFormat, reason: ReasonKey, ctx: ResultContext, actionCode = '000'): ResultMsg {
  const msg: ResultMsg = {
    code: 'E',
    format,
    terminalId: ctx.terminalId,
    result: RESULT.refused,
    reason: reasonText(reason, ctx.locale),
    cardType: CARD_TYPE.other,
    acquirerId: ctx.acquirerId,
    stan: '000000',
    onlineNo: '000000',
  };
  if (format === 'reversal') return { ...msg, actionCode };
  if (format === 'extended') return { ...msg, actionCode, hostAmount: 0 };
  return msg;
}

function six(n: number): string {
  return String(Math.max(0, Math.trunc(n)) % 1_000_000).padStart(6, '0');
}

/** Online operation number: the host's trace (myPOS STAN) when numeric, else the bridge's number. */
function onlineNumber(r: PaymentResult | undefined, stan: string): string {
  const s = r?.stan?.trim();
  return s && /^[0-9]{1,12}$/.test(s) ? s.slice(-6).padStart(6, '0') : stan;
}

/** The PAN as the register may see it: masked only, hidden digits as `mask`, right-aligned and `0`-filled to 19. */
export function pan19(panMasked: string | undefined, mask: '*' | 'X' | '0'): string {
  return (panRules.register(panMasked) ?? '').replace(/\*/g, mask).padStart(19, '0');
}

/** ICC, MAG, MAN, CLM (contactless stripe), CLI (contactless chip) from the terminal's entry mode. */
export function entryMode(mode: string | undefined): string {
  const m = (mode ?? '').toLowerCase();
  const contactless = /contactless|ctls|nfc|tap|clss|wave/.test(m);
  if (contactless) return /mag|stripe|msd/.test(m) ? 'CLM' : 'CLI';
  if (/chip|icc|emv|insert/.test(m)) return 'ICC';
  if (/mag|swipe|stripe/.test(m)) return 'MAG';
  if (/man|key|moto/.test(m)) return 'MAN';
  return 'ICC';
}

/** 1 PagoBANCOMAT, 2 an international scheme, 3 anything else. */
export function cardType(r: Pick<PaymentResult, 'cardScheme' | 'applicationLabel'>): number {
  const s = `${r.cardScheme ?? ''} ${r.applicationLabel ?? ''}`.toLowerCase();
  if (/bancomat/.test(s)) return CARD_TYPE.pagobancomat;
  if (/visa|master|maestro|amex|american|diners|discover|jcb|union|v pay|vpay|cirrus/.test(s))
    return CARD_TYPE.international;
  return CARD_TYPE.other;
}

function approvalCode(code: string | undefined): string {
  const c = (code ?? '').replace(/[^\x20-\x7e]/g, '').trim();
  return c === '' ? '000000' : c.slice(0, 6).padStart(6, '0');
}

function processed(r: PaymentResult): number {
  const p = r.processedAmount && r.processedAmount.currency === r.amount.currency ? r.processedAmount : r.amount;
  return Math.min(99_999_999, p.minor);
}

/** Host action code (§5.2): `000` approved, else the host's code zero-padded to 3 digits; `100` when it gave none. */
function actionCode(r: PaymentResult | undefined): string {
  const h = r?.hostCode?.trim();
  if (h && /^[0-9]{1,3}$/.test(h) && r?.outcome !== 'approved') return h.padStart(3, '0');
  return r?.outcome === 'approved' ? '000' : '100';
}

/** Why a payment is not approved, in ≤ 24 characters (§8). */
export function reasonOf(view: Pick<PaymentView, 'outcome' | 'result' | 'reversed' | 'kind'>, locale?: string): string {
  return reasonText(reasonKeyOf(view), locale);
}

function reasonKeyOf(view: Pick<PaymentView, 'outcome' | 'result' | 'reversed' | 'kind'>): ReasonKey {
  const r = view.result;
  if (view.outcome === 'approved' && view.reversed) return 'reversed';
  switch (view.outcome) {
    case 'cancelled':
      // Approved at the terminal and reversed afterwards (the register never confirmed it).
      if (r?.message?.startsWith('Reversed') || r?.message?.includes('being reversed')) return 'reversed';
      return terminalReason(r) ?? 'cancelled';
    case 'declined':
      return terminalReason(r) ?? 'declined';
    case 'failed':
      return terminalReason(r) ?? 'unreachable';
    case 'in_doubt':
    case null:
      return 'resultUnknown';
    default:
      return 'refused';
  }
}

/** IPP terminal statuses with their own words (mypos-ipp.md: 5 no card, 10 PIN, 13 cancelled, 15 host). */
function terminalReason(r: PaymentResult | undefined): ReasonKey | undefined {
  switch (r?.terminalStatus?.trim()) {
    case '5':
      return 'cardTimeout';
    case '10':
      return 'wrongPin';
    case '13':
      return 'cancelled';
    case '15':
      return 'hostUnreachable';
    default:
      return undefined;
  }
}

/**
 * `DDDHHMM`: day of the year (1 January = 1) and time of the transaction, from the terminal's date and time when it
 * reported them, else the journal's creation time (so a replay shows the same value).
 */
export function dayOfYearTime(r: Pick<PaymentResult, 'txDate' | 'txTime'>, createdAt: string): string {
  const at = transactionDate(r, new Date(createdAt));
  const start = Date.UTC(at.getFullYear(), 0, 1);
  const day = Math.floor((Date.UTC(at.getFullYear(), at.getMonth(), at.getDate()) - start) / 86_400_000) + 1;
  return `${String(day).padStart(3, '0')}${two(at.getHours())}${two(at.getMinutes())}`;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** The terminal's local date/time fields read leniently ("2025-03-14", "20250314", "250314", "14:30:15", "1430"). */
function transactionDate(r: Pick<PaymentResult, 'txDate' | 'txTime'>, fallback: Date): Date {
  const d = new Date(fallback.getTime());
  if (Number.isNaN(d.getTime())) return new Date(0);
  const date = r.txDate?.trim().replace(/[^0-9]/g, '') ?? '';
  if (date.length === 8)
    d.setFullYear(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)));
  else if (date.length === 6)
    d.setFullYear(2000 + Number(date.slice(0, 2)), Number(date.slice(2, 4)) - 1, Number(date.slice(4, 6)));
  const time = r.txTime?.trim().replace(/[^0-9]/g, '') ?? '';
  if (time.length >= 4) d.setHours(Number(time.slice(0, 2)), Number(time.slice(2, 4)));
  return Number.isNaN(d.getTime()) ? new Date(fallback.getTime()) : d;
}

/** `DDMMYYhhmm` for the status answer (§5.4). */
export function statusDateTime(d: Date): string {
  return `${two(d.getDate())}${two(d.getMonth() + 1)}${two(d.getFullYear() % 100)}${two(d.getHours())}${two(d.getMinutes())}`;
}

/** The progress text for each of the bridge's stages (none for `done`). */
export const PROGRESS_KEY: Partial<Record<Stage, ProgressKey>> = {
  queued: 'wait',
  connecting: 'wait',
  sent: 'wait',
  accepted: 'wait',
  present_card: 'presentCard',
  pin_entry: 'enterPin',
  processing: 'processing',
  approved_open: 'confirming',
  confirming: 'confirming',
  cancelling: 'cancelling',
  recovering: 'wait',
};

/**
 * Net total of the register's period (§5.5, §5.6): approved payments not reversed, in the listener's currency;
 * sales and completions add, refunds subtract. Reversals are not counted themselves (their payment is flagged).
 */
export function periodTotal(views: readonly PaymentView[], currency: string): number {
  let total = 0;
  for (const v of views) {
    if (v.outcome !== 'approved' || v.reversed || v.amount.currency !== currency) continue;
    if (v.kind === 'sale' || v.kind === 'completion') total += v.amount.minor;
    else if (v.kind === 'refund') total -= v.amount.minor;
  }
  return Math.max(0, total);
}
