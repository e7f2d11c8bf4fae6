/**
 * The fake gateway's payments: creation, status changes on the gateway clock, cancel/reversal transitions and the
 * wire form of a payment (spec §6.1–§6.6, §7). Pure state, no HTTP.
 */
import { randomBytes } from 'node:crypto';
import type { FakeScript } from './epos-magic';

export type FakePaymentKind = 'purchase' | 'refund';

export interface FakePayment {
  readonly id: string;
  readonly kind: FakePaymentKind;
  readonly terminalId: string;
  readonly merchant: string;
  readonly value: number;
  readonly tip: number | undefined;
  readonly currency: string;
  readonly reference: string | undefined;
  readonly description: string | undefined;
  readonly appName: string | undefined;
  readonly appVersion: string | undefined;
  readonly operatorCode: string | undefined;
  readonly createdAt: number;
  readonly expireAt: number;
  status: string;
  updatedAt: number | null;
  /** Status changes still to come, at absolute gateway times. */
  pending: Array<{ at: number; status: string; responseCode?: string; statusMessage?: string }>;
  /** While held the payment stays as it is (a cardholder who has not finished yet). */
  held: boolean;
  cancellable: boolean;
  cancelRequested: boolean;
  responseCode: string | undefined;
  statusMessage: string | undefined;
  card: { authCode: string; rrn: string; stan: string; txDateLocal: string } | undefined;
  /** Every status the payment went through, in order. */
  readonly history: string[];
}

export interface NewFakePayment {
  kind: FakePaymentKind;
  terminalId: string;
  merchant: string;
  value: number;
  tip?: number;
  currency: string;
  reference?: string;
  description?: string;
  appName?: string;
  appVersion?: string;
  operatorCode?: string;
}

export type TimestampForm = 'local' | 'offset';

const MONTH_MS = 30 * 24 * 3600 * 1000;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Gateway timestamp: local without zone (`2025-10-27T09:56:24`) or with an offset (`…+03:00`), spec §5. */
export function gatewayTime(ms: number, form: TimestampForm): string {
  const shift = form === 'offset' ? 3 * 3600 * 1000 : 0;
  const d = new Date(ms + shift);
  const s = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return form === 'offset' ? `${s}+03:00` : s;
}

/** .NET's default DateTime, the gateway's "not set" (spec §5). */
export const UNSET_TIME = '0001-01-01T00:00:00';

function yymmddhhmmss(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

export class PaymentBook {
  private readonly payments = new Map<string, FakePayment>();
  private stan = 400;

  constructor(
    private readonly now: () => number,
    private readonly render: { timestampForm: TimestampForm; unsetTimestamps: boolean },
  ) {}

  create(input: NewFakePayment, script: FakeScript, held: boolean): FakePayment {
    const now = this.now();
    const id = randomBytes(12).toString('hex');
    const p: FakePayment = {
      id,
      kind: input.kind,
      terminalId: input.terminalId,
      merchant: input.merchant,
      value: input.value,
      tip: input.tip,
      currency: input.currency,
      reference: input.reference,
      description: input.description,
      appName: input.appName,
      appVersion: input.appVersion,
      operatorCode: input.operatorCode,
      createdAt: now,
      expireAt: now + MONTH_MS,
      status: 'InProgress',
      updatedAt: null,
      pending: script.steps.map((s) => ({ ...s, at: now + s.afterMs })),
      held,
      cancellable: script.cancellable !== false,
      cancelRequested: false,
      responseCode: undefined,
      statusMessage: undefined,
      card: undefined,
      history: ['InProgress'],
    };
    this.payments.set(id, p);
    return p;
  }

  get(id: string): FakePayment | undefined {
    const p = this.payments.get(id);
    if (p) this.advance(p);
    return p;
  }

  all(): FakePayment[] {
    const list = [...this.payments.values()];
    for (const p of list) this.advance(p);
    return list;
  }

  forTerminal(terminalId: string): FakePayment[] {
    return this.all().filter((p) => p.terminalId === terminalId);
  }

  /** Applies the status changes that are due (not while held). */
  advance(p: FakePayment): void {
    while (!p.held && p.pending.length > 0 && p.pending[0]!.at <= this.now()) {
      const step = p.pending.shift()!;
      this.setStatus(p, step.status, step.responseCode, step.statusMessage);
    }
  }

  setStatus(p: FakePayment, status: string, responseCode?: string, statusMessage?: string): void {
    p.status = status;
    p.updatedAt = this.now();
    p.history.push(status);
    if (responseCode !== undefined) p.responseCode = responseCode;
    if (statusMessage !== undefined) p.statusMessage = statusMessage;
    if (status === 'Success' && !p.card) {
      this.stan++;
      p.card = {
        authCode: 'VISSIM',
        rrn: String(500000000000 + this.stan),
        stan: pad(this.stan, 6),
        txDateLocal: yymmddhhmmss(this.now()),
      };
    }
  }

  /** DELETE on an unfinished payment (§6.4). `race`: the terminal approves anyway. */
  requestCancel(p: FakePayment, opts: { race: boolean; delayMs: number }): void {
    p.cancelRequested = true;
    if (!p.cancellable) return;
    const at = this.now() + opts.delayMs;
    if (opts.race) {
      p.pending = [{ at, status: 'Success', responseCode: '00', statusMessage: 'TRANSACTION_SUCCESS' }];
      p.held = false;
    } else {
      p.pending = [{ at, status: 'Canceled', statusMessage: 'CANCELED' }];
      p.held = false;
    }
    this.advance(p);
  }

  /** Reversal of a Success payment (§6.5): InProgress now, `finalStatus` after `delayMs`. */
  startReversal(p: FakePayment, delayMs: number, finalStatus: 'Reversed' | 'Failed'): void {
    this.setStatus(p, 'InProgress');
    p.pending = [
      {
        at: this.now() + delayMs,
        status: finalStatus,
        statusMessage: finalStatus === 'Reversed' ? 'TRANSACTION_REVERSED' : 'REVERSAL_FAILED',
      },
    ];
    this.advance(p);
  }

  /** The wire form (§6.1, §6.2), snake_case. */
  toWire(p: FakePayment): Record<string, unknown> {
    const t = (ms: number): string => gatewayTime(ms, this.render.timestampForm);
    const amount: Record<string, unknown> = { value: p.value, currency_code: p.currency };
    if (p.tip !== undefined) amount.tip = p.tip;
    const w: Record<string, unknown> = {
      payment_id: p.id,
      terminal_id: p.terminalId,
      status: p.status,
      amount,
      reference_number: p.reference ?? null,
      description: p.description ?? null,
      app_name: p.appName ?? null,
      app_version: p.appVersion ?? null,
      created_at: t(p.createdAt),
      updated_at: p.updatedAt === null ? (this.render.unsetTimestamps ? UNSET_TIME : t(p.createdAt)) : t(p.updatedAt),
      expire_at: t(p.expireAt),
    };
    if (p.operatorCode !== undefined) w.operator_code = p.operatorCode;
    if (p.statusMessage !== undefined) w.status_message = p.statusMessage;
    if (p.responseCode !== undefined) w.response_code = p.responseCode;
    if (p.card) {
      w.auth_code = p.card.authCode;
      w.rrn = p.card.rrn;
      w.stan = p.card.stan;
      w.transaction_date_local = p.card.txDateLocal;
      w.pan = '****6693';
      w.card_qualifier = 'VISA';
      w.aid = 'A0000000031010';
      w.signature_required = false;
      w.reference_type = 'OFF';
      w.dcc_available = false;
    }
    return w;
  }
}
