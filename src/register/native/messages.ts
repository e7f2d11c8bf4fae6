/**
 * Native register protocol v1 — the messages. Read beside docs/register-protocol.md.
 * Requests are validated here; every refusal becomes a BridgeError whose code the session sends back.
 */
import { z } from 'zod';
import { BridgeError } from '../../domain/errors';
import { money } from '../../domain/money';
import type { PaymentRequest, PaymentResult } from '../../domain/payment';
import type { PaymentView, TerminalView } from '../../bridge/api';
import { TRANSACTION_KINDS } from '../../domain/vocabulary';
import type { ReceiptRendering } from '../../receipts/types';
import type { EndOfDayReport } from '../../reports/day-reports';
import type { RegisterTexts } from '../texts';

export const PROTOCOL_VERSION = 1;

const id = z.union([z.string().min(1).max(128), z.number().int()]).transform(String);
const ref = z.string().min(1).max(64);
const minor = z.unknown();
const currencyCode = z.unknown();

const base = { id };
const receiptWidth = z.union([z.literal(32), z.literal(40), z.literal(48)], { error: 'must be 32, 40 or 48' });
const payment = {
  ...base,
  ref,
  amount: minor,
  currency: currencyCode,
  tip: z.unknown().optional(),
  terminal: z.string().min(1).max(64).optional(),
};

export const requestSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('hello'),
    ...base,
    client: z.string().max(200).optional(),
    register: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\x21-\x7e]+$/)
      .optional(),
    key: z.string().max(512).optional(),
    token: z.string().max(512).optional(),
    receipts: z.enum(['none', 'text']).optional(),
    receiptWidth: receiptWidth.optional(),
  }),
  z.object({ op: z.literal('sale'), ...payment }),
  z.object({ op: z.literal('refund'), ...payment }),
  z.object({ op: z.literal('preauth'), ...payment }),
  z.object({ op: z.literal('reversal'), ...base, ref }),
  z.object({ op: z.literal('completion'), ...base, ref, amount: minor, currency: currencyCode.optional() }),
  z.object({ op: z.literal('preauth_cancel'), ...base, ref }),
  z.object({ op: z.literal('cancel'), ...base, ref }),
  z.object({ op: z.literal('status'), ...base, ref }),
  z.object({ op: z.literal('ack'), ...base, ref }),
  z.object({ op: z.literal('last'), ...base }),
  z.object({ op: z.literal('terminal'), ...base }),
  z.object({ op: z.literal('ping'), ...base }),
  z.object({
    op: z.literal('receipt'),
    ...base,
    ref,
    copy: z.enum(['merchant', 'customer']).optional(),
    kind: z.enum(TRANSACTION_KINDS).optional(),
    width: receiptWidth.optional(),
  }),
  z.object({
    op: z.literal('end_of_day'),
    ...base,
    day: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
      .optional(),
    scope: z.enum(['bridge', 'register']).optional(),
  }),
]);

export type NativeRequest = z.infer<typeof requestSchema>;
export const OPS = requestSchema.options.map((o) => o.shape.op.value);

/** Parses one line. Returns the request, or a BridgeError plus whatever id could be read for the answer. */
export function parseRequest(line: string): { request: NativeRequest } | { error: BridgeError; id: string | null } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: new BridgeError('bad_json', 'the line is not valid JSON'), id: null };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: new BridgeError('bad_json', 'each line must be one JSON object'), id: null };
  }
  const obj = value as Record<string, unknown>;
  const rawId = obj.id;
  const readId =
    typeof rawId === 'string' || (typeof rawId === 'number' && Number.isInteger(rawId)) ? String(rawId) : null;
  if (typeof obj.op !== 'string') return { error: new BridgeError('bad_request', 'missing "op"'), id: readId };
  if (!OPS.includes(obj.op as never)) {
    return {
      error: new BridgeError('unknown_op', `unknown op "${obj.op.slice(0, 40)}"; known: ${OPS.join(', ')}`),
      id: readId,
    };
  }
  const parsed = requestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'request';
    const code = field === 'ref' ? 'invalid_ref' : 'bad_request';
    return { error: new BridgeError(code, `${field}: ${issue.message}`, { field }), id: readId };
  }
  return { request: parsed.data };
}

/** The bridge's PaymentRequest for a payment op (validates money exactly: no floats, no negatives, known currency). */
export function toPaymentRequest(r: NativeRequest): PaymentRequest {
  switch (r.op) {
    case 'sale':
    case 'refund':
    case 'preauth': {
      const amount = money(r.amount, r.currency);
      const tip = r.tip === undefined || r.tip === null ? undefined : money(r.tip, r.currency, 'tip').minor;
      return {
        kind: r.op,
        ref: r.ref,
        amount,
        ...(tip !== undefined ? { tip } : {}),
        ...(r.terminal ? { terminal: r.terminal } : {}),
      };
    }
    case 'completion': {
      if (r.currency === undefined) throw new BridgeError('unknown_currency', 'completion needs "currency"');
      return { kind: 'completion', ref: r.ref, amount: money(r.amount, r.currency) };
    }
    case 'reversal':
    case 'preauth_cancel':
      return { kind: r.op, ref: r.ref };
    default:
      throw new BridgeError('internal', `op ${r.op} is not a payment`);
  }
}

/**
 * `result` message fields for a PaymentResult, its `message` in the register's language. Absent values stay undefined
 * and are left out of the line by JSON.stringify (deleting them made the object a slow dictionary: ~4 µs per result).
 */
export function resultMessage(
  id: string,
  result: PaymentResult,
  texts: RegisterTexts,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const msg: Record<string, unknown> = {
    id,
    type: 'result',
    ref: result.ref,
    kind: result.kind,
    outcome: result.outcome,
    amount: result.amount.minor,
    currency: result.amount.currency,
    ...(result.tip ? { tip: result.tip } : {}),
    authCode: result.authCode,
    rrn: result.rrn,
    stan: result.stan,
    cardScheme: result.cardScheme,
    panMasked: result.panMasked,
    terminalId: result.terminalId,
    merchantId: result.merchantId,
    aid: result.aid,
    applicationLabel: result.applicationLabel,
    entryMode: result.entryMode,
    hostCode: result.hostCode,
    preauthCode: result.preauthCode,
    receiptNo: result.receiptNo,
    terminal: result.terminal,
    cancelTookEffect: result.cancelTookEffect,
    message: texts.result(result),
    ...extra,
  };
  return msg;
}

export function statusMessage(id: string, view: PaymentView, texts: RegisterTexts): Record<string, unknown> {
  return {
    id,
    type: 'status',
    ref: view.ref,
    kind: view.kind,
    stage: view.stage,
    outcome: view.outcome,
    amount: view.amount.minor,
    currency: view.amount.currency,
    delivered: view.delivered,
    acknowledged: view.acknowledged,
    ...(view.reversed ? { reversed: true } : {}),
    message: texts.view(view),
    ...(view.result ? { result: resultMessage(id, view.result, texts) } : {}),
  };
}

export function terminalsMessage(terminals: TerminalView[]): Array<Record<string, unknown>> {
  return terminals.map((t) => ({
    id: t.id,
    state: t.state,
    driver: t.driver,
    ...(t.terminalId ? { terminalId: t.terminalId } : {}),
    queue: t.queue,
  }));
}

/** `receipt` answer: the asked copy (or both) as text lines. */
export function receiptMessage(
  id: string,
  r: ReceiptRendering,
  copy: 'merchant' | 'customer' | undefined,
): Record<string, unknown> {
  return {
    id,
    type: 'receipt',
    ref: r.ref,
    kind: r.kind,
    outcome: r.outcome,
    width: r.width,
    receipt: copy === undefined ? { merchant: r.merchant, customer: r.customer } : { [copy]: r[copy] },
  };
}

/** `end_of_day` answer: the closed day's totals (minor units per currency), open payments and batch results. */
export function endOfDayMessage(id: string, report: EndOfDayReport): Record<string, unknown> {
  return { id, type: 'end_of_day', ...report };
}
