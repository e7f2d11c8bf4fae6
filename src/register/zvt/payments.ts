/**
 * Payments on a ZVT connection (zvt.md §5 06 01 / 06 31 / 06 30, §6 04 FF, §10 the stored-transaction rule): the
 * payment is submitted to the bridge, the register is kept informed with 04 FF, and the result is delivered under the
 * commit rule — the register's 80 00 (or 84 00) to our 04 0F is the commit point → api.delivery(…, 'acknowledged'); a
 * refusal (84 xx), silence beyond the goods-issue timeout, a lost connection or a transmission error →
 * api.delivery(…, 'rejected') and the bridge reverses the myPOS payment. The session checks a command (registration,
 * password, amount) and answers 80 00 00 before it hands it over here.
 */
import type { BridgeApi, PaymentHandle, PaymentView, RegisterIdentity } from '../../bridge/api';
import { asBridgeError } from '../../domain/errors';
import type { PaymentRequest, PaymentResult } from '../../domain/payment';
import type { Stage, TransactionKind } from '../../domain/vocabulary';
import type { Logger } from '../../log/logger';
import type { RegisterTexts } from '../texts';
import { isPositiveReply } from './apdu';
import type { GivenCurrency, PaymentCommand, decodeReversal } from './commands';
import type { EcrDialogue, Operation } from './dialogue';
import { CONFIG, type ListenerState } from './listener-state';
import { COMPLETION_APDU, STATUS_INFORMATION_ABORTED, intermediateStatus, statusInformation } from './messages';
import type { ZvtOptions } from './options';
import type { ReceiptFacts } from './receipt';
import { RC, STAGE_STATUS, STATUS_PLEASE_WAIT, resultFor, resultForError, type ZvtResult } from './result-codes';
import { traceOf, transactionReport } from './result-fields';
import { delay, type TimerHandle, type Timers } from './timers';

/** A payment (or refund, reversal) in progress. */
interface PaymentOp {
  readonly kind: TransactionKind;
  ref?: string;
  /** The register aborted (06 B0) or the link was lost: cancel, and reverse if approved anyway. */
  aborted: boolean;
  cancelSent: boolean;
  /** The result is in: no more 04 FF. */
  finished: boolean;
  awaitingGoodsIssue: boolean;
  /** api.delivery was called for the result. */
  reported: boolean;
  /** The bridge accepted the payment (api.submit returned): a cancel can reach it. */
  submitted: boolean;
  lastStatus?: number;
  pendingStatus?: number;
  pumping: boolean;
  keepalive?: TimerHandle;
}

type GoodsIssue = 'accepted' | 'refused' | 'capped' | 'lost';

export interface PaymentsSetup {
  readonly dialogue: EcrDialogue;
  readonly api: BridgeApi;
  readonly who: RegisterIdentity;
  readonly opts: ZvtOptions;
  readonly log: Logger;
  readonly timers: Timers;
  readonly texts: RegisterTexts;
  /** The listener's Registration state (config byte, whether the register sent a CC). */
  readonly state: ListenerState;
  /** The ref for a new payment. */
  readonly newRef: () => string;
  /** What the 04 0F and the receipt say of a result. */
  readonly facts: (result: PaymentResult) => ReceiptFacts;
  /** The receipt lines after a committed payment, when the register prints them (06 D1 / 06 D3). */
  readonly printReceipt: (op: Operation, facts: ReceiptFacts) => Promise<void>;
}

export class ZvtPayments {
  private readonly dialogue: EcrDialogue;
  private readonly api: BridgeApi;
  private readonly who: RegisterIdentity;
  private readonly opts: ZvtOptions;
  private readonly log: Logger;
  private readonly timers: Timers;
  private readonly texts: RegisterTexts;
  private readonly state: ListenerState;
  private readonly newRef: () => string;
  /** The payment in progress on this connection. */
  private current: PaymentOp | undefined;

  constructor(private readonly s: PaymentsSetup) {
    this.dialogue = s.dialogue;
    this.api = s.api;
    this.who = s.who;
    this.opts = s.opts;
    this.log = s.log;
    this.timers = s.timers;
    this.texts = s.texts;
    this.state = s.state;
    this.newRef = s.newRef;
  }

  /** The connection closed: a running payment is cancelled (and reversed if approved anyway). */
  onClosed(): void {
    const pay = this.current;
    if (pay && !pay.finished) {
      pay.aborted = true;
      this.stopStatus(pay);
      this.requestCancel(pay);
    }
  }

  /** 06 B0 (already acknowledged): a running payment is cancelled and ends with 06 1E 6C (§5, §10 step 8). */
  onAbort(): void {
    const pay = this.current;
    if (!pay) return;
    if (pay.awaitingGoodsIssue) {
      pay.aborted = true;
      this.dialogue.abortPending();
      return;
    }
    if (pay.finished) return;
    pay.aborted = true;
    this.requestCancel(pay);
  }

  /** The register stopped answering (T3, transmission error): a running payment is cancelled. */
  onLost(): void {
    const pay = this.current;
    if (pay && !pay.finished) {
      pay.aborted = true;
      this.requestCancel(pay);
    }
  }

  /** The payment currency: the command's CC if it is ours, our currency when there is none; undefined = wrong. */
  private currencyFor(given: GivenCurrency | undefined): string | undefined {
    if (!given) return this.opts.currency;
    return given.alpha === this.opts.currency ? given.alpha : undefined;
  }

  /** §3: the PT echoes CC only if the register sent one (in this command, or at Registration). */
  private echoCurrency(cmd: PaymentCommand): boolean {
    return cmd.currency !== undefined || this.state.ecrSentCurrency;
  }

  /** 06 01 / 06 31 (after the session's checks and its 80 00 00): a new sale or refund. */
  async newPayment(op: Operation, kind: 'sale' | 'refund', amount: number, cmd: PaymentCommand): Promise<void> {
    const pay = this.beginPayment(kind);
    try {
      const alpha = this.currencyFor(cmd.currency);
      if (alpha === undefined) {
        pay.finished = true;
        await this.dialogue.finishAbort(op, { code: RC.WRONG_CURRENCY });
        return;
      }
      const ref = this.newRef();
      await this.execute(
        op,
        pay,
        { kind, ref, amount: { minor: amount, currency: alpha } },
        cmd,
        this.echoCurrency(cmd),
      );
    } finally {
      this.endPayment(pay);
    }
  }

  /** 06 30 (after the session's checks and its 80 00 00): the payment named by its receipt number, reversed. */
  async reversal(op: Operation, cmd: ReturnType<typeof decodeReversal>): Promise<void> {
    const pay = this.beginPayment('reversal');
    try {
      const original = cmd.receiptNo === undefined ? undefined : this.findByReceipt(cmd.receiptNo);
      let refusal: number | undefined;
      if (!original || original.kind === 'reversal' || original.kind === 'preauth_cancel')
        refusal = RC.REVERSAL_NOT_POSSIBLE;
      else if (original.reversed) refusal = RC.ALREADY_REVERSED;
      else if (original.outcome !== 'approved') refusal = RC.REVERSAL_NOT_POSSIBLE;
      else if (cmd.amount !== undefined && cmd.amount !== original.amount.minor) refusal = RC.REVERSAL_NOT_POSSIBLE;
      if (refusal !== undefined || !original) {
        this.log.info({ receiptNo: cmd.receiptNo, rc: refusal }, 'reversal refused');
        pay.finished = true;
        await this.dialogue.finishAbort(op, { code: refusal ?? RC.REVERSAL_NOT_POSSIBLE });
        return;
      }
      const originalTrace = original.result ? traceOf(original.result) : undefined;
      await this.execute(op, pay, { kind: 'reversal', ref: original.ref }, cmd, this.echoCurrency(cmd), {
        ...(originalTrace !== undefined && /^[0-9]{1,6}$/.test(originalTrace)
          ? { originalTrace: Number(originalTrace) }
          : {}),
      });
    } finally {
      this.endPayment(pay);
    }
  }

  private findByReceipt(receiptNo: number): PaymentView | undefined {
    return this.api.findByReceiptNo(this.who, receiptNo);
  }

  private beginPayment(kind: TransactionKind): PaymentOp {
    const pay: PaymentOp = {
      kind,
      aborted: false,
      cancelSent: false,
      finished: false,
      awaitingGoodsIssue: false,
      reported: false,
      submitted: false,
      pumping: false,
    };
    this.current = pay;
    return pay;
  }

  private endPayment(pay: PaymentOp): void {
    pay.finished = true;
    this.stopStatus(pay);
    if (this.current === pay) this.current = undefined;
  }

  /** Submits to the bridge, keeps the register informed (04 FF), and delivers the result under the commit rule. */
  private async execute(
    op: Operation,
    pay: PaymentOp,
    request: PaymentRequest,
    cmd: PaymentCommand,
    echoCurrency: boolean,
    extra: { originalTrace?: number } = {},
  ): Promise<void> {
    pay.ref = request.ref;
    this.startStatus(op, pay);
    let handle: PaymentHandle;
    try {
      handle = await this.api.submit(
        this.who,
        this.opts.terminal ? { ...request, terminal: this.opts.terminal } : request,
        {
          stage: (e) => this.onStage(op, pay, e.stage),
        },
      );
    } catch (e) {
      pay.finished = true;
      this.stopStatus(pay);
      const err = asBridgeError(e);
      this.log.info({ code: err.code, reason: err.message }, 'the bridge refused the payment');
      if (!op.lost) await this.dialogue.finishAbort(op, resultForError(err, this.texts));
      return;
    }
    pay.submitted = true;
    if (pay.aborted) this.requestCancel(pay);
    let result: PaymentResult;
    try {
      result = await handle.result;
    } catch (e) {
      this.log.error({ err: e }, 'payment result lost inside the bridge');
      result = {
        ref: request.ref,
        kind: request.kind,
        outcome: 'in_doubt',
        amount: request.amount ?? { minor: 0, currency: this.opts.currency },
        terminal: '',
        message: 'the bridge lost the result',
      };
    }
    pay.finished = true;
    this.stopStatus(pay);
    try {
      await this.deliver(op, pay, result, cmd, echoCurrency, extra);
    } catch (e) {
      // Whatever went wrong, the bridge must hear how the result ended: an approval the register never confirmed
      // is reversed.
      if (!pay.reported)
        await this.report(pay, result.outcome === 'approved' && pay.kind !== 'reversal' ? 'rejected' : 'undeliverable');
      throw e;
    }
  }

  /** §10: the result under the commit rule. */
  private async deliver(
    op: Operation,
    pay: PaymentOp,
    result: PaymentResult,
    cmd: PaymentCommand,
    echoCurrency: boolean,
    extra: { originalTrace?: number },
  ): Promise<void> {
    const followUp = pay.kind === 'reversal';
    const gone = (): boolean => op.lost || this.dialogue.closed;
    if (result.outcome === 'approved') {
      if (gone() || (pay.aborted && !followUp)) {
        // Abort or lost link before the result: the register counts the payment as not made → reverse (§10 step 8).
        await this.report(pay, followUp ? 'undeliverable' : 'rejected');
        if (!gone()) await this.dialogue.finishAbort(op, { code: RC.ABORT });
        return;
      }
      const facts = this.s.facts(result);
      const info = statusInformation(transactionReport(result, { code: RC.OK }, facts, echoCurrency, extra));
      const goods = await this.awaitGoodsIssue(op, pay, info, cmd);
      if (goods === 'accepted') {
        await this.report(pay, 'acknowledged'); // ← the commit point
        await this.s.printReceipt(op, facts);
        if (!gone()) await this.dialogue.close(op, COMPLETION_APDU);
        return;
      }
      this.log.warn(
        { ref: pay.ref, goods },
        followUp ? 'register did not confirm the reversal' : 'register did not confirm the payment: reversing it',
      );
      await this.report(pay, followUp ? 'undeliverable' : 'rejected');
      if (goods === 'capped' && !gone()) {
        const ans = await this.dialogue.exchange(op, STATUS_INFORMATION_ABORTED, this.opts.t3Ms);
        this.dialogue.checkAnswer(op, ans);
      }
      if (!gone()) await this.dialogue.finishAbort(op, { code: RC.ABORT });
      return;
    }

    // Not approved: declined, cancelled, failed, in_doubt.
    const zr: ZvtResult = pay.aborted ? { code: RC.ABORT } : resultFor(result, this.texts);
    const how = result.outcome === 'in_doubt' ? 'rejected' : undefined;
    if (gone()) {
      await this.report(pay, how ?? 'undeliverable');
      return;
    }
    if (result.outcome === 'declined' && !pay.aborted) {
      // §9 (d): the decline's data in 04 0F, then 06 1E with the same code.
      const facts = this.s.facts(result);
      const info = statusInformation(transactionReport(result, zr, facts, echoCurrency, extra));
      const ans = await this.dialogue.exchange(op, info, this.goodsIssueTimeout(cmd));
      if (!this.dialogue.checkAnswer(op, ans)) {
        await this.report(pay, 'undeliverable');
        return;
      }
    }
    const acked = await this.dialogue.finishAbort(op, zr);
    await this.report(pay, how ?? (acked ? 'acknowledged' : 'undeliverable'));
  }

  /** Sends the 04 0F and waits for goods issue (§6 "ECR answers to 04 0F"). */
  private async awaitGoodsIssue(op: Operation, pay: PaymentOp, info: Buffer, cmd: PaymentCommand): Promise<GoodsIssue> {
    const timeout = this.goodsIssueTimeout(cmd);
    const cap = cmd.maxStatusInfos ?? this.opts.maxStatusRepeats;
    for (let repeats = 0; ;) {
      if (pay.aborted) return 'refused';
      pay.awaitingGoodsIssue = true;
      const ans = await this.dialogue.exchange(op, info, timeout);
      pay.awaitingGoodsIssue = false;
      switch (ans.kind) {
        case 'answer':
          if (isPositiveReply(ans.apdu)) return 'accepted';
          if (ans.apdu.instr === RC.PLEASE_WAIT) {
            if (repeats >= cap) return 'capped';
            repeats++;
            await delay(this.timers, this.opts.statusRepeatDelayMs);
            if (op.lost || this.dialogue.closed) return 'lost';
            continue;
          }
          return 'refused'; // 84 9D partial issue (unsupported) and any other 84 yy: goods not issued
        case 'aborted':
        case 'timeout':
          return 'refused';
        case 'transmission':
          this.dialogue.lose(op, ans.message);
          return 'lost';
        case 'closed':
          return 'lost';
      }
    }
  }

  private goodsIssueTimeout(cmd: PaymentCommand): number {
    return cmd.timeoutSeconds !== undefined && cmd.timeoutSeconds > 0
      ? cmd.timeoutSeconds * 1000
      : this.opts.goodsIssueTimeoutMs;
  }

  private async report(pay: PaymentOp, how: 'acknowledged' | 'rejected' | 'undeliverable'): Promise<void> {
    if (!pay.ref) return;
    pay.reported = true;
    try {
      await this.api.delivery(this.who, pay.ref, how, pay.kind);
    } catch (e) {
      this.log.error({ err: e, ref: pay.ref, how }, 'could not report the delivery to the bridge');
    }
  }

  private requestCancel(pay: PaymentOp): void {
    if (!pay.ref || !pay.submitted || pay.cancelSent || pay.finished) return;
    pay.cancelSent = true;
    const ref = pay.ref;
    // api.cancel resolves only when the payment has ended; its result arrives through the payment's handle.
    this.api.cancel(this.who, ref).then(
      (answer) => this.log.info({ ref, tookEffect: answer.tookEffect, message: answer.message }, 'cancel answered'),
      (e: unknown) => this.log.info({ ref, reason: asBridgeError(e).message }, 'cancel refused'),
    );
  }

  // ---- 04 FF intermediate status ----------------------------------------------------------------------------------

  private wantsStatus(): boolean {
    return (this.state.config & CONFIG.INTERMEDIATE_STATUS) !== 0;
  }

  private startStatus(op: Operation, pay: PaymentOp): void {
    if (!this.wantsStatus()) return;
    const tick = (): void => {
      pay.keepalive = undefined;
      if (pay.finished || op.lost) return;
      // §4: keep the register's T4 alive while myPOS works.
      pay.pendingStatus = pay.lastStatus ?? STATUS_PLEASE_WAIT;
      void this.pump(op, pay);
      pay.keepalive = this.timers.after(this.opts.statusIntervalMs, tick);
    };
    pay.keepalive = this.timers.after(this.opts.statusIntervalMs, tick);
  }

  private stopStatus(pay: PaymentOp): void {
    pay.keepalive?.cancel();
    pay.keepalive = undefined;
    pay.pendingStatus = undefined;
  }

  private onStage(op: Operation, pay: PaymentOp, stage: Stage): void {
    const status = STAGE_STATUS[stage];
    if (status === undefined || pay.finished || op.lost || !this.wantsStatus()) return;
    if (status === (pay.pendingStatus ?? pay.lastStatus)) return;
    pay.pendingStatus = status;
    void this.pump(op, pay);
  }

  private async pump(op: Operation, pay: PaymentOp): Promise<void> {
    if (pay.pumping) return;
    pay.pumping = true;
    try {
      while (pay.pendingStatus !== undefined && !pay.finished && !op.lost) {
        const status = pay.pendingStatus;
        pay.pendingStatus = undefined;
        pay.lastStatus = status;
        const ans = await this.dialogue.exchange(op, intermediateStatus(status), this.opts.t3Ms);
        if (!this.dialogue.checkAnswer(op, ans)) break;
      }
    } finally {
      pay.pumping = false;
    }
  }
}
