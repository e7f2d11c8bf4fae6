/**
 * The ePOS terminal driver: drives a myPOS Android Smart terminal (Ultra, Carbon) through the API Gateway
 * (../shared/specs/mypos-api-gateway.md §6, §7, §9).
 *
 * Sale: `POST /epos/v1/payments` with `reference_number` = the bridge's reference, then poll
 * `GET /epos/v1/payments/{id}` until a final status. Never creates twice: when the answer to a create is lost
 * (timeout, connection lost, 5xx) the payment is looked up by its reference before anything is sent again (§9.3);
 * if that cannot be told, the outcome is in_doubt and `lookup` resolves it later.
 * Register cancel → DELETE, keep polling; if the payment still ends Success it is reversed (§9.6, configurable).
 * Deadline (180 s) → DELETE, poll 60 s more, then in_doubt (§9.5).
 */
import { BridgeError, type ErrorCode } from '../../domain/errors';
import type { Money } from '../../domain/money';
import { checkMinor } from '../../domain/money';
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import type {
  DriverContext,
  HostDayQuery,
  HostTransaction,
  LookupQuery,
  SettleResult,
  TerminalCommand,
  TerminalDriver,
  TerminalHealth,
  TerminalInfo,
  TerminalOutcome,
} from '../driver';
import { systemClock, type Clock } from './clock';
import { isEposError, type EposError } from './errors';
import type { CreatePaymentBody, EposGatewayClient } from './gateway-client';
import { finalOutcome, resultFields } from './outcome';
import { reconcileByReference, type Reconciliation, type ScanOptions } from './reconcile';
import { classifyStatus, isFinalStatus, isKnownStatus } from './status';
import { listHostTransactions } from './host-transactions';
import type { EposPayment } from './wire';
import { coreText, said } from '../../i18n/say';
import { BoundedMap } from '../../shared/bounded-map';

export const EPOS_APP_NAME = 'Register Bridge';

export interface EposDriverOptions {
  /** The bridge's id of this terminal. */
  readonly id: string;
  /** The terminal's TID at myPOS. */
  readonly terminalId: string;
  readonly client: EposGatewayClient;
  readonly currency?: string;
  /** Human description of the link for the UI. */
  readonly link?: string;
  /** Demo or Live (the terminal's config): journalled with each payment, Demo never counted in a Live end of day. */
  readonly environment?: 'demo' | 'live';
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Poll interval while InProgress; default 1000 ms (§9.4: 1–2 s). */
  readonly pollIntervalMs?: number;
  /** After this long InProgress the interval doubles (up to 2 s with the default); default 30 s. */
  readonly slowPollAfterMs?: number;
  /** Longest wait between polls after errors; default 5 s. */
  readonly maxPollIntervalMs?: number;
  /** §9.5: InProgress for longer than this → DELETE; default 180 s. */
  readonly deadlineMs?: number;
  /** §9.5: polling after a cancel request before giving up with in_doubt; default 60 s. */
  readonly cancelGraceMs?: number;
  /** §9.3: time between the two reconciliation scans; default 10 s. */
  readonly reconcileGapMs?: number;
  readonly scan?: ScanOptions;
  /** Create requests per payment, including re-sends after a confirmed absence; default 3. */
  readonly maxCreateAttempts?: number;
  /** Smallest amount in minor units; default 1 (§9: one integrator uses 100). */
  readonly minAmountMinor?: number;
  /** Whether `amount.value` includes the tip (unknown, §5); default `separate`. */
  readonly tipMode?: 'separate' | 'included';
  /** Send `reference_number` with refunds (not in the reported refund body, §6.6); default false. */
  readonly refundReference?: boolean;
  /** Reverse a payment that ends Success after the register cancelled it (§9.6); default true. */
  readonly reverseLateApproval?: boolean;
  readonly appName?: string;
  readonly appVersion?: string;
}

/** The gateway's payment ids are 24 hex characters (§6.1). */
const PAYMENT_ID = /^[0-9a-f]{24}$/i;
/** §6.1: ≤ 50 Latin characters (older-API limit). */
const REFERENCE = /^[\x20-\x7e]{1,50}$/;

type Created = { payment?: EposPayment; paymentId: string } | { outcome: TerminalOutcome };

interface PollResult {
  readonly payment?: EposPayment;
  /** Why polling stopped without a final status. */
  readonly unresolved?: string;
  readonly cancel?: 'register' | 'deadline';
}

export class EposDriver implements TerminalDriver {
  readonly info: TerminalInfo;
  private readonly o: Required<
    Omit<EposDriverOptions, 'currency' | 'link' | 'clock' | 'log' | 'scan' | 'client' | 'environment'>
  > & {
    scan: ScanOptions;
  };
  private readonly client: EposGatewayClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly currency: string | undefined;
  /** reference → payment id of recent payments (the journal keeps the reference as the driver's handle). */
  private readonly ids = new BoundedMap<string, string>(2000);
  private readonly alerted = new Set<string>();
  private closed = false;

  constructor(options: EposDriverOptions) {
    this.client = options.client;
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? silentLogger();
    this.currency = options.currency;
    this.o = {
      id: options.id,
      terminalId: options.terminalId,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      slowPollAfterMs: options.slowPollAfterMs ?? 30_000,
      maxPollIntervalMs: options.maxPollIntervalMs ?? 5_000,
      deadlineMs: options.deadlineMs ?? 180_000,
      cancelGraceMs: options.cancelGraceMs ?? 60_000,
      reconcileGapMs: options.reconcileGapMs ?? 10_000,
      scan: options.scan ?? {},
      maxCreateAttempts: options.maxCreateAttempts ?? 3,
      minAmountMinor: options.minAmountMinor ?? 1,
      tipMode: options.tipMode ?? 'separate',
      refundReference: options.refundReference ?? false,
      reverseLateApproval: options.reverseLateApproval ?? true,
      appName: options.appName ?? EPOS_APP_NAME,
      appVersion: options.appVersion ?? '0.0.0',
    };
    this.info = {
      id: options.id,
      driver: 'epos',
      link: options.link ?? `myPOS API Gateway ${this.client.baseUrl}, terminal ${options.terminalId}`,
      ...(options.currency ? { currency: options.currency } : {}),
      // The gateway reverses any earlier successful payment by its id (§6.5).
      reversal: 'any',
      ...(options.environment ? { environment: options.environment } : {}),
    };
  }

  // ---------------------------------------------------------------- TerminalDriver

  async execute(command: TerminalCommand, ctx: DriverContext): Promise<TerminalOutcome> {
    switch (command.kind) {
      case 'sale':
        return this.sale(command, ctx);
      case 'refund':
        return this.refund(command, ctx);
      case 'reversal':
        return this.reversal(command, ctx);
      default:
        throw new BridgeError(
          'unsupported',
          `${command.kind} is not available on ePOS terminals: the myPOS API Gateway offers purchase, reversal and refund`,
        );
    }
  }

  /** ePOS has no two-phase completion: Success is final (§9.7). */
  async settle(): Promise<SettleResult> {
    return { ok: true, nothingOpen: true, message: 'ePOS payments are final when approved; nothing to settle' };
  }

  async lookup(query: LookupQuery): Promise<TerminalOutcome | undefined> {
    try {
      if (query.kind === 'reversal') return await this.lookupReversal(query);
      if (query.kind === 'sale' || query.kind === 'refund') return await this.lookupPayment(query);
      return undefined;
    } catch (e) {
      this.log.warn({ err: e, reference: query.reference }, 'ePOS lookup failed');
      return undefined;
    }
  }

  async health(): Promise<TerminalHealth> {
    const checkedAt = new Date(this.clock.now()).toISOString();
    try {
      const d = await this.client.getTerminal(this.o.terminalId);
      const active = d.status === undefined || d.status === 'Active';
      return {
        online: active,
        checkedAt,
        terminalId: d.terminalId,
        ...(d.model ? { model: d.model } : {}),
        ...(d.deviceCurrency ? { currency: d.deviceCurrency } : {}),
        ...said(
          'message',
          active
            ? coreText('health.eposActive', { tid: d.terminalId })
            : coreText('health.eposStatus', { tid: d.terminalId, status: d.status ?? '' }),
        ),
      };
    } catch (e) {
      return {
        online: false,
        checkedAt,
        terminalId: this.o.terminalId,
        message: e instanceof Error ? e.message : String(e),
      };
    }
  }

  /** The gateway's transaction list for reconciliation (§8, §9.9); decimal amounts converted exactly. */
  async transactions(query: HostDayQuery): Promise<HostTransaction[]> {
    return listHostTransactions(this.client, this.o.terminalId, query, this.currency);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  // ---------------------------------------------------------------- sale

  private async sale(command: TerminalCommand, ctx: DriverContext): Promise<TerminalOutcome> {
    const amount = this.checkAmount(command.amount, 'sale');
    const reference = this.checkReference(command.reference);
    const tip = command.tip ?? 0;
    checkMinor(tip, 'tip');
    const body: CreatePaymentBody = {
      terminal_id: this.o.terminalId,
      amount: {
        value: this.o.tipMode === 'included' ? amount.minor + tip : amount.minor,
        currency_code: amount.currency,
        ...(tip > 0 ? { tip } : {}),
      },
      app_name: this.o.appName,
      app_version: this.o.appVersion,
      reference_number: reference,
    };

    ctx.stage('connecting');
    const auth = await this.authenticate();
    if (auth) return auth;
    if (ctx.signal.aborted) return this.cancelledBeforeSend();
    await ctx.beforeSend(reference);

    const created = await this.create(reference, ctx, () => this.client.createPayment(body), true);
    if ('outcome' in created) return created.outcome;
    return this.follow(created.paymentId, created.payment, reference, ctx, true);
  }

  /**
   * Sends a create (payment or refund) and resolves lost answers by reference (§9.3). `reconcilable` is false when
   * the request carries no reference (a refund without `refundReference`): then a lost answer is in_doubt.
   */
  private async create(
    reference: string,
    ctx: DriverContext,
    send: () => Promise<EposPayment>,
    reconcilable: boolean,
  ): Promise<Created> {
    let lostBefore = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const p = await send();
        this.remember(reference, p.paymentId);
        this.log.info({ reference, paymentId: p.paymentId, status: p.status }, 'ePOS payment created');
        ctx.stage('accepted');
        return { payment: p, paymentId: p.paymentId };
      } catch (e) {
        const err = asEposError(e);
        const lost = err === undefined || err.mayHaveBeenProcessed;
        // A 409 after a lost answer may be our own first request (duplicate reference refused, terminal busy).
        const needsLookup = lost || (lostBefore && err?.code === 'conflict');
        if (err?.code === 'rate_limited') {
          // 429 is a definite "not processed": wait as told, check once by reference (defensive), then send again.
          if (attempt >= this.o.maxCreateAttempts) return { outcome: this.refusal(err, 'terminal_busy', true) };
          await this.clock.sleep(Math.min(err.retryAfterMs ?? this.o.pollIntervalMs, 60_000));
          if (reconcilable) {
            const r = await this.reconcile(reference, 1);
            if (r.kind === 'found') return this.adopt(reference, r.item.paymentId, ctx);
            if (r.kind === 'unknown')
              return {
                outcome: this.inDoubt(
                  undefined,
                  'The gateway was rate-limiting and could not be asked whether the payment exists',
                ),
              };
          }
          if (ctx.signal.aborted) return { outcome: this.cancelledBeforeSend() };
          continue;
        }
        if (!needsLookup) return { outcome: this.refusal(err!) };
        this.log.warn(
          { reference, code: err?.code, status: err?.status },
          'ePOS create: answer lost, looking the payment up by reference',
        );
        if (!reconcilable) {
          return {
            outcome: this.inDoubt(
              undefined,
              `The answer to the refund request was lost (${describe(e)}); check the terminal`,
            ),
          };
        }
        ctx.stage('recovering', 'Answer lost; looking the payment up by its reference');
        lostBefore = true;
        const r = await this.reconcile(reference, 2);
        if (r.kind === 'found') return this.adopt(reference, r.item.paymentId, ctx);
        if (r.kind === 'unknown') {
          return {
            outcome: this.inDoubt(
              undefined,
              `The answer was lost and the gateway could not be asked whether the payment exists (${describe(r.error)})`,
            ),
          };
        }
        // Absent in two scans ≥ 10 s apart: not created (§9.3); a new request may use the same reference —
        // unless the register has cancelled meanwhile.
        if (ctx.signal.aborted) return { outcome: this.cancelledBeforeSend() };
        if (attempt >= this.o.maxCreateAttempts) {
          return {
            outcome: {
              outcome: 'failed',
              fields: { terminalId: this.o.terminalId },
              refused: { code: 'terminal_offline', status: String(err?.status ?? 0), retryable: true },
              message: `The gateway did not take the payment after ${attempt} attempts (${describe(e)}); nothing was charged`,
            },
          };
        }
      }
    }
  }

  private adopt(reference: string, paymentId: string, ctx: DriverContext): Created {
    this.remember(reference, paymentId);
    this.log.info({ reference, paymentId }, 'ePOS payment found by reference after a lost answer');
    ctx.stage('accepted');
    return { paymentId };
  }

  private reconcile(reference: string, scans: number): Promise<Reconciliation> {
    return reconcileByReference(this.client, this.clock, this.o.terminalId, reference, {
      ...this.o.scan,
      gapMs: this.o.reconcileGapMs,
      scans,
    });
  }

  /**
   * Polls a created payment to its end, handling register cancel, the deadline and a late approval (§9.4–§9.6).
   * `cancellable`: sales and refunds can be cancelled while InProgress; reversals cannot.
   */
  private async follow(
    paymentId: string,
    initial: EposPayment | undefined,
    reference: string,
    ctx: DriverContext,
    cancellable: boolean,
  ): Promise<TerminalOutcome> {
    ctx.stage('present_card');
    const r = await this.poll(paymentId, initial, ctx.signal, cancellable ? ctx : undefined);
    if (!r.payment) {
      return this.inDoubt(
        paymentId,
        `${r.unresolved ?? 'No final status'}; check the terminal. The bridge keeps asking the gateway.`,
      );
    }
    const p = r.payment;
    const cls = classifyStatus(p.status);
    if (r.cancel === 'register') {
      if (cls === 'cancelled')
        return finalOutcome(p, this.o.terminalId, {
          cancelTookEffect: true,
          message: 'Cancelled by the register; nothing was charged',
        });
      if (cls === 'approved') return this.lateApproval(p, ctx);
      return finalOutcome(p, this.o.terminalId, { cancelTookEffect: false });
    }
    if (r.cancel === 'deadline' && cls === 'cancelled') {
      return finalOutcome(p, this.o.terminalId, {
        message: `No result within ${Math.round(this.o.deadlineMs / 1000)} s; the payment was cancelled`,
      });
    }
    this.log.info({ reference, paymentId, status: p.status }, 'ePOS payment finished');
    return finalOutcome(p, this.o.terminalId);
  }

  /** §9.6: the register cancelled, but the payment ended Success → reverse it (configurable). */
  private async lateApproval(p: EposPayment, ctx: DriverContext): Promise<TerminalOutcome> {
    if (!this.o.reverseLateApproval) {
      return finalOutcome(p, this.o.terminalId, {
        cancelTookEffect: false,
        message: 'Approved before the cancel reached the terminal',
      });
    }
    ctx.stage('cancelling', 'Approved before the cancel arrived; reversing');
    const reversed = await this.reverse(p.paymentId);
    if (reversed.payment && classifyStatus(reversed.payment.status) === 'reversed') {
      return {
        ...finalOutcome(reversed.payment, this.o.terminalId),
        outcome: 'cancelled',
        fields: resultFields(p, this.o.terminalId),
        cancelTookEffect: true,
        message:
          'The payment was approved before the cancel reached the terminal and has been reversed; nothing was charged',
        raw: { ...p.raw, status: reversed.payment.status, late_cancel_reversed: 'true' },
      };
    }
    return finalOutcome(p, this.o.terminalId, {
      cancelTookEffect: false,
      message: `Approved before the cancel reached the terminal; reversing it failed (${reversed.unresolved ?? reversed.payment?.status ?? 'unknown'}): reverse or refund it`,
    });
  }

  // ---------------------------------------------------------------- polling

  private async poll(
    paymentId: string,
    initial: EposPayment | undefined,
    signal: AbortSignal,
    cancelCtx: DriverContext | undefined,
  ): Promise<PollResult> {
    const started = this.clock.now();
    let cancel: 'register' | 'deadline' | undefined;
    let cancelAt = 0;
    let cancelAcked = false;
    let cancelTries = 0;
    let errors = 0;
    let waitHint: number | undefined;
    let last: EposPayment | undefined = initial;
    const requestCancel = async (why: 'register' | 'deadline'): Promise<void> => {
      if (!cancel) {
        cancel = why;
        cancelAt = this.clock.now();
        cancelCtx?.stage(
          'cancelling',
          why === 'deadline' ? 'No result in time; cancelling on the terminal' : undefined,
        );
      }
      if (cancelAcked || cancelTries >= 3) return;
      cancelTries++;
      try {
        await this.client.cancelPayment(paymentId);
        cancelAcked = true;
      } catch (e) {
        const err = asEposError(e);
        // 400/409: already final (or not cancellable) — the next poll tells which.
        if (err && (err.code === 'bad_request' || err.code === 'conflict' || err.code === 'not_found'))
          cancelAcked = true;
        this.log.warn({ paymentId, code: err?.code }, 'ePOS cancel request failed');
      }
    };

    for (let first = true; ; first = false) {
      if (last && isFinalStatus(last.status)) return { payment: last, ...(cancel ? { cancel } : {}) };
      if (this.closed) return { unresolved: 'The bridge is stopping', ...(cancel ? { cancel } : {}) };
      if (cancelCtx) {
        if (signal.aborted && cancel !== 'register' && !cancel) await requestCancel('register');
        else if (!cancel && this.clock.now() - started >= this.o.deadlineMs) await requestCancel('deadline');
        else if (cancel && !cancelAcked) await requestCancel(cancel);
      } else if (this.clock.now() - started >= this.o.deadlineMs + this.o.cancelGraceMs) {
        return { unresolved: 'No final status in time' };
      }
      if (cancel && this.clock.now() - cancelAt >= this.o.cancelGraceMs) {
        return {
          unresolved: `Still ${last?.status ?? 'unknown'} ${Math.round(this.o.cancelGraceMs / 1000)} s after the cancel request`,
          cancel,
        };
      }
      // Sleep before each poll, except a first poll of a payment adopted without a known status.
      if (!first || initial) {
        const wait = this.interval(this.clock.now() - started, errors, waitHint);
        // Wake at once when the register cancels (unless a cancel was already sent).
        await this.clock.sleep(wait, cancelCtx && !cancel ? signal : undefined);
        if (cancelCtx && signal.aborted && !cancel) continue;
      }
      waitHint = undefined;
      try {
        last = await this.client.getPayment(paymentId);
        errors = 0;
        if (!isKnownStatus(last.status) && !this.alerted.has(`${paymentId}:${last.status}`)) {
          // §7: an unknown value is not final; keep polling and raise an alert.
          this.alerted.add(`${paymentId}:${last.status}`);
          this.log.warn(
            { paymentId, status: last.status },
            'ePOS payment has an unknown status; treating it as not final',
          );
        }
      } catch (e) {
        errors++;
        const err = asEposError(e);
        waitHint = err?.retryAfterMs;
        this.log.warn({ paymentId, code: err?.code, errors }, 'ePOS poll failed');
      }
    }
  }

  /** Adaptive interval (§9.4): the base for the first 30 s, then doubled; longer after errors or when told to wait. */
  private interval(elapsedMs: number, errors: number, retryAfterMs: number | undefined): number {
    let ms = this.o.pollIntervalMs * (elapsedMs >= this.o.slowPollAfterMs ? 2 : 1);
    if (errors > 0) ms = Math.min(ms * 2 ** errors, Math.max(this.o.maxPollIntervalMs, ms));
    if (retryAfterMs !== undefined) ms = Math.max(ms, Math.min(retryAfterMs, 60_000));
    return ms;
  }

  // ---------------------------------------------------------------- reversal

  private async reversal(command: TerminalCommand, ctx: DriverContext): Promise<TerminalOutcome> {
    const original = command.original;
    if (!original) throw new BridgeError('bad_request', 'a reversal needs the original payment');
    ctx.stage('connecting');
    const auth = await this.authenticate();
    if (auth) return auth;
    let paymentId: string | undefined;
    try {
      paymentId = await this.resolvePaymentId(original.driverRef, original.reference);
    } catch (e) {
      return this.inDoubt(
        undefined,
        `Could not look up the original payment at the gateway (${describe(e)}); try again`,
        false,
      );
    }
    if (!paymentId) {
      return {
        outcome: 'failed',
        fields: { terminalId: this.o.terminalId },
        refused: { code: 'unknown_ref', status: '404', retryable: false },
        message: `The gateway has no payment with reference "${original.reference}" on terminal ${this.o.terminalId}`,
      };
    }
    await ctx.beforeSend(paymentId);
    ctx.stage('processing', 'Reversing the payment');
    const r = await this.reverse(paymentId);
    if (r.refusal) return r.refusal;
    if (!r.payment)
      return this.inDoubt(paymentId, `${r.unresolved ?? 'No final status for the reversal'}; check the terminal`);
    return this.reversalOutcome(r.payment);
  }

  private reversalOutcome(p: EposPayment): TerminalOutcome {
    const fields = resultFields(p, this.o.terminalId);
    switch (classifyStatus(p.status)) {
      case 'reversed':
        return {
          outcome: 'approved',
          fields,
          driverRef: p.paymentId,
          message: 'Reversed; the funds are returned to the cardholder',
          raw: { ...p.raw },
        };
      case 'approved':
        return {
          outcome: 'failed',
          fields,
          driverRef: p.paymentId,
          message: 'The payment was not reversed (it is still approved)',
          raw: { ...p.raw },
        };
      default:
        return {
          outcome: 'declined',
          fields,
          driverRef: p.paymentId,
          message: `The reversal was refused: ${p.statusMessage ?? p.status}`,
          raw: { ...p.raw },
        };
    }
  }

  /**
   * POST reversal and poll to Reversed/Failed (§6.5). A lost answer is checked with a GET: InProgress or Reversed
   * means it arrived; still Success means it did not, and it is sent once more (a second reversal of one payment is
   * refused by the gateway, so this cannot reverse twice).
   */
  private async reverse(
    paymentId: string,
  ): Promise<{ payment?: EposPayment; unresolved?: string; refusal?: TerminalOutcome }> {
    const body = {
      terminal_id: this.o.terminalId,
      app_name: this.o.appName,
      app_version: this.o.appVersion,
      description: 'Reversal',
    };
    let started: EposPayment | undefined;
    for (let attempt = 1; attempt <= 2 && !started; attempt++) {
      try {
        started = await this.client.reversePayment(paymentId, body);
      } catch (e) {
        const err = asEposError(e);
        if (err && !err.mayHaveBeenProcessed) {
          if (attempt > 1) break; // our first request took effect after all; poll below tells
          return { refusal: this.refusal(err, 'not_reversible') };
        }
        let now: EposPayment;
        try {
          now = await this.client.getPayment(paymentId);
        } catch (e2) {
          return {
            unresolved: `The answer to the reversal was lost and the payment could not be read (${describe(e2)})`,
          };
        }
        if (classifyStatus(now.status) !== 'approved') {
          started = now;
          break;
        }
      }
    }
    // Reversal progress: Success may still show until the terminal starts; only Reversed/Failed/… end it.
    const deadline = this.clock.now() + this.o.cancelGraceMs;
    let last = started;
    let errors = 0;
    for (;;) {
      if (last && isFinalStatus(last.status) && classifyStatus(last.status) !== 'approved') return { payment: last };
      if (this.clock.now() >= deadline || this.closed) {
        return last && classifyStatus(last.status) === 'approved'
          ? { payment: last }
          : { unresolved: `The reversal is still ${last?.status ?? 'unknown'}` };
      }
      await this.clock.sleep(this.interval(0, errors, undefined));
      try {
        last = await this.client.getPayment(paymentId);
        errors = 0;
      } catch {
        errors++;
      }
    }
  }

  // ---------------------------------------------------------------- refund

  private async refund(command: TerminalCommand, ctx: DriverContext): Promise<TerminalOutcome> {
    const amount = this.checkAmount(command.amount, 'refund');
    const reference = this.checkReference(command.reference);
    ctx.stage('connecting');
    const auth = await this.authenticate();
    if (auth) return auth;
    // The terminal's flags tell before anything is sent whether refunds are allowed at all.
    try {
      const d = await this.client.getTerminal(this.o.terminalId);
      if (d.forbiddenRefund) {
        return {
          outcome: 'failed',
          fields: { terminalId: this.o.terminalId },
          refused: { code: 'unsupported', status: 'forbidden_refund', retryable: false },
          message: `Refunds are disabled for terminal ${this.o.terminalId} at myPOS (forbidden_refund); refund from the myPOS account instead`,
        };
      }
    } catch (e) {
      this.log.warn({ err: e }, 'ePOS terminal details unavailable before a refund; sending it anyway');
    }
    if (ctx.signal.aborted) return this.cancelledBeforeSend();
    await ctx.beforeSend(reference);
    const body = {
      terminal_id: this.o.terminalId,
      amount: { value: amount.minor, currency_code: amount.currency },
      app_name: this.o.appName,
      app_version: this.o.appVersion,
      description: `Refund ${reference}`.slice(0, 100),
      ...(this.o.refundReference ? { reference_number: reference } : {}),
    };
    const created = await this.create(reference, ctx, () => this.client.refund(body), this.o.refundReference);
    if ('outcome' in created) {
      const o = created.outcome;
      if (o.refused && o.refused.code !== 'terminal_busy') {
        return {
          ...o,
          refused: { ...o.refused, code: o.refused.code === 'bad_request' ? 'unsupported' : o.refused.code },
          message: `The gateway refused the refund: ${o.message}. ePOS refunds are unreferenced and need the card on the terminal; if the gateway cannot refund here, refund from the myPOS account`,
        };
      }
      return o;
    }
    return this.follow(created.paymentId, created.payment, reference, ctx, true);
  }

  // ---------------------------------------------------------------- lookup

  private async lookupPayment(query: LookupQuery): Promise<TerminalOutcome | undefined> {
    const paymentId = this.knownId(query.driverRef, query.reference);
    if (paymentId) {
      try {
        const p = await this.client.getPayment(paymentId);
        return this.lookedUp(p);
      } catch (e) {
        if (asEposError(e)?.code !== 'not_found') return undefined;
      }
    }
    if (query.kind === 'refund' && !this.o.refundReference) return undefined;
    const r = await this.reconcile(query.reference, 2);
    if (r.kind === 'unknown') return undefined;
    if (r.kind === 'absent') {
      return {
        outcome: 'failed',
        fields: { terminalId: this.o.terminalId },
        message: 'The payment never reached the gateway (not found by its reference); nothing was charged',
      };
    }
    this.remember(query.reference, r.item.paymentId);
    return this.lookedUp(await this.client.getPayment(r.item.paymentId));
  }

  private lookedUp(p: EposPayment): TerminalOutcome | undefined {
    if (!isFinalStatus(p.status)) return undefined;
    return finalOutcome(p, this.o.terminalId);
  }

  private async lookupReversal(query: LookupQuery): Promise<TerminalOutcome | undefined> {
    const paymentId = this.knownId(query.driverRef, query.reference);
    if (!paymentId) return undefined;
    const p = await this.client.getPayment(paymentId);
    if (p.status === 'InProgress' || !isKnownStatus(p.status)) return undefined;
    return this.reversalOutcome(p);
  }

  // ---------------------------------------------------------------- helpers

  /** A payment id from a driver reference (when it is one) or from memory. */
  private knownId(driverRef: string | undefined, reference: string): string | undefined {
    if (driverRef && driverRef !== reference && PAYMENT_ID.test(driverRef)) return driverRef;
    const byReference = this.ids.get(reference);
    if (byReference) return byReference;
    return driverRef === undefined ? undefined : this.ids.get(driverRef);
  }

  private async resolvePaymentId(driverRef: string | undefined, reference: string): Promise<string | undefined> {
    const known = this.knownId(driverRef, reference);
    if (known) return known;
    const r = await this.reconcile(reference, 1);
    if (r.kind === 'unknown') throw r.error;
    if (r.kind === 'absent') return undefined;
    this.remember(reference, r.item.paymentId);
    return r.item.paymentId;
  }

  private remember(reference: string, paymentId: string): void {
    this.ids.put(reference, paymentId);
  }

  /** Token and session before anything is committed: a credentials problem is a clean refusal. */
  private async authenticate(): Promise<TerminalOutcome | undefined> {
    try {
      await this.client.session();
      return undefined;
    } catch (e) {
      const err = asEposError(e);
      const offline =
        !err ||
        err.code === 'network' ||
        err.code === 'timeout' ||
        err.code === 'server' ||
        err.code === 'rate_limited';
      return {
        outcome: 'failed',
        fields: { terminalId: this.o.terminalId },
        refused: {
          code: offline ? 'terminal_offline' : 'config_invalid',
          status: String(err?.status ?? 0),
          retryable: offline,
        },
        message: offline ? `The myPOS gateway is not reachable: ${describe(e)}` : describe(e),
      };
    }
  }

  private refusal(err: EposError, fallback?: ErrorCode, retryable?: boolean): TerminalOutcome {
    let code: ErrorCode;
    switch (err.code) {
      case 'forbidden':
        code = 'config_invalid';
        break;
      case 'unauthorized':
        code = 'config_invalid';
        break;
      case 'not_found':
        code = 'unknown_terminal';
        break;
      case 'conflict':
        code = 'terminal_busy';
        break;
      case 'rate_limited':
        code = 'terminal_busy';
        break;
      case 'bad_request':
        code =
          err.fieldErrors && Object.keys(err.fieldErrors).some((f) => f.includes('currency'))
            ? 'currency_mismatch'
            : (fallback ?? 'bad_request');
        break;
      default:
        code = fallback ?? 'terminal_error';
    }
    const message =
      err.code === 'not_found'
        ? `The gateway does not know terminal ${this.o.terminalId} for this merchant (${err.message})`
        : err.code === 'conflict'
          ? `The terminal is busy with another payment (${err.message})`
          : err.message;
    return {
      outcome: 'failed',
      fields: { terminalId: this.o.terminalId },
      refused: {
        code,
        status: String(err.status),
        retryable: retryable ?? (err.code === 'conflict' || err.code === 'rate_limited'),
      },
      message,
    };
  }

  private inDoubt(paymentId: string | undefined, message: string, warn = true): TerminalOutcome {
    if (warn) this.log.warn({ paymentId }, `ePOS payment in doubt: ${message}`);
    return {
      outcome: 'in_doubt',
      fields: { terminalId: this.o.terminalId },
      ...(paymentId ? { driverRef: paymentId } : {}),
      message,
    };
  }

  private cancelledBeforeSend(): TerminalOutcome {
    return {
      outcome: 'cancelled',
      fields: { terminalId: this.o.terminalId },
      cancelTookEffect: true,
      message: 'Cancelled by the register before the payment reached the terminal; nothing was charged',
    };
  }

  private checkAmount(amount: Money | undefined, what: string): Money {
    if (!amount) throw new BridgeError('invalid_amount', `a ${what} needs an amount`);
    checkMinor(amount.minor);
    if (amount.minor < this.o.minAmountMinor) {
      throw new BridgeError(
        'invalid_amount',
        `the smallest amount on this ePOS terminal is ${this.o.minAmountMinor} minor units, got ${amount.minor}`,
      );
    }
    if (this.currency && amount.currency !== this.currency) {
      throw new BridgeError(
        'currency_mismatch',
        `terminal ${this.o.id} takes ${this.currency}, not ${amount.currency}`,
      );
    }
    return amount;
  }

  private checkReference(reference: string): string {
    if (!REFERENCE.test(reference)) {
      throw new BridgeError(
        'invalid_ref',
        `an ePOS reference_number must be 1–50 Latin characters, got ${JSON.stringify(reference)}`,
      );
    }
    return reference;
  }
}

function asEposError(e: unknown): EposError | undefined {
  return isEposError(e) ? e : undefined;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
