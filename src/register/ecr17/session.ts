/**
 * ECR17 session: the bridge acting as an Italian Nexi terminal toward an unmodified register (ECR) — read beside
 * ecr17.md §3 (link rules, duplicates), §7 (dialogues) and §9 (commit point).
 *
 * One session serves one connection. Every good frame is ACKed at once, before any myPOS work; a frame that does not
 * decode, names another terminal, a code the bridge does not manage, or arrives while another command runs, is
 * NAKed. One command is served at a time.
 *
 * Idempotency: ECR17 requests carry no request identifier (the cash register ID names the register, the STAN is the
 * terminal's). Each payment gets a bridge-made ref under the register's identity `<listener>/<cash register ID>`;
 * a frame identical to the one being served is a resend (our ACK was lost) and is only ACKed again.
 *
 * Commit point: the register's ACK of the `E` result → api.delivery(…, 'acknowledged'). Without it (NAK or silence
 * after three resends, the connection gone) the payment stands by default ('held': the register recovers it with
 * "send last result", `G`), or is reversed when the listener's `reverseUnacknowledged` is on ('rejected').
 */
import { randomBytes } from 'node:crypto';
import type { BridgeApi, Delivery, PaymentView, RegisterIdentity } from '../../bridge/api';
import { asBridgeError, type BridgeError } from '../../domain/errors';
import type { PaymentResult } from '../../domain/payment';
import type { Stage, TransactionKind } from '../../domain/vocabulary';
import type { Logger } from '../../log/logger';
import type { ByteStream } from '../../transport/byte-stream';
import type { RegisterContext, RegisterProtocol } from '../protocol';
import { realTimers, type TimerHandle, type Timers } from '../zvt/timers';
import { Ecr17Link, LrcLearner, type SendOutcome } from './link';
import type { LrcMode } from './lrc';
import {
  Ecr17FormatError,
  MAX_RECEIPT_TEXT,
  RECEIPT_END,
  RECEIPT_NEW_LINE,
  decodeRequest,
  encodeAnswer,
  type AdditionalDataMsg,
  type Ecr17Request,
  type LastResultRequestMsg,
  type PaymentRequestMsg,
  type PeriodRequestMsg,
  type ReprintRequestMsg,
  type ResultFormat,
  type ReversalRequestMsg,
} from './messages';
import { parseEcr17Options, type Ecr17Options, type Ecr17OptionsInput } from './options';
import { wrap } from '../../receipts/text';
import {
  PROGRESS_KEY,
  periodTotal,
  reasonText,
  refusal,
  registerText,
  resultMessage,
  statusDateTime,
  type ReasonKey,
  type ResultContext,
} from './results';

// ---- state shared by the connections of a listener -----------------------------------------------------------------

/** One register as the listener knows it (by its address): its LRC mode and its receipt switch. */
interface PeerState {
  readonly lrc: LrcLearner;
  /** `E1` received: the next procedure's receipt goes to the ECR (§5.8); back to "terminal" after it. */
  ecrPrints: boolean;
  /** The cash register ID of its last command (for the messages that carry none: `s`, `R`). */
  registerId?: string;
}

interface ListenerState {
  readonly peers: Map<string, PeerState>;
  /** A payment or reversal still running for a register: "send last result" waits for it. */
  readonly running: Map<string, Promise<void>>;
  /** Results a register has not acknowledged: warn if it never asks for them (§9.3). */
  readonly unconfirmed: Map<string, TimerHandle>;
}

function freshState(): ListenerState {
  return { peers: new Map(), running: new Map(), unconfirmed: new Map() };
}

// ---- protocol factory ------------------------------------------------------------------------------------------------

export interface Ecr17ProtocolSetup {
  /** The listener's options, parsed once when the protocol is built (a mistake throws, naming every problem). */
  options?: Ecr17OptionsInput;
  timers?: Timers;
  /** The ref for a new payment; default `E17<code>-<register>-<time><random>`, unique across restarts. */
  newRef?: (code: 'P' | 'X', registerId: string) => string;
}

/** The ECR17 protocol of one listener: its options parsed once, its state shared by all its connections. */
export function ecr17Protocol(setup: Ecr17ProtocolSetup = {}): RegisterProtocol {
  const options = parseEcr17Options(setup.options ?? {});
  const shared = freshState();
  return {
    name: 'ecr17',
    serve: (stream, ctx) => {
      try {
        new Ecr17Session(stream, ctx, options, shared, setup);
      } catch (e) {
        ctx.log.error({ err: e, peer: ctx.peer }, 'ECR17 session could not start');
        stream.destroy();
      }
    },
  };
}

/** The ref of a new payment: the request code (P or X) first, so that a replay of its result keeps its layout. */
function defaultRef(code: 'P' | 'X', registerId: string): string {
  const reg = registerId.replace(/[^A-Za-z0-9]/g, '') || '0';
  return `E17${code}-${reg}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** The layout a stored payment's result is replayed in. */
function formatOf(view: Pick<PaymentView, 'kind' | 'ref'>): ResultFormat {
  if (view.kind === 'reversal') return 'reversal';
  return view.ref.startsWith('E17X-') ? 'extended' : 'payment';
}

// ---- the session -----------------------------------------------------------------------------------------------------

interface Operation {
  /** The request's text: an identical frame is a resend. */
  readonly text: string;
  readonly request: Ecr17Request;
  /** Waiting for the `U` that the request announced. */
  awaitingU?: (u: AdditionalDataMsg | undefined) => void;
  /** The final frame is out: a new command means the register moved on. */
  sendingFinal: boolean;
}

export class Ecr17Session {
  private readonly link: Ecr17Link;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly api: BridgeApi;
  private readonly shared: ListenerState;
  private readonly peer: PeerState;
  private readonly newRef: (code: 'P' | 'X', registerId: string) => string;
  private readonly tcp: boolean;
  private current: Operation | undefined;
  private readonly queue: Array<{ text: string; request: Ecr17Request }> = [];

  constructor(
    stream: ByteStream,
    private readonly ctx: RegisterContext,
    private readonly opts: Ecr17Options,
    shared: ListenerState,
    setup: Ecr17ProtocolSetup = {},
  ) {
    this.timers = setup.timers ?? realTimers;
    this.api = ctx.api;
    this.log = ctx.log.child({ peer: ctx.peer, protocol: 'ecr17' });
    this.newRef = setup.newRef ?? defaultRef;
    this.tcp = !ctx.peer.startsWith('serial') && !ctx.peer.startsWith('hid');
    this.shared = shared;
    // "tcp 192.168.1.20:53122" → the register's address; a serial line is one register.
    const key = ctx.peer.replace(/:[0-9]+$/, '');
    let peer = this.shared.peers.get(key);
    if (!peer) {
      peer = { lrc: new LrcLearner(opts.lrcMode), ecrPrints: false };
      this.shared.peers.set(key, peer);
    }
    this.peer = peer;
    this.link = new Ecr17Link(
      stream,
      peer.lrc,
      {
        message: (m) => this.onMessage(m),
        rejected: (reason) => this.log.warn({ reason }, 'bad frame: NAK'),
        learnt: (mode: LrcMode) => this.log.info({ lrcMode: mode }, 'LRC mode of the register learnt'),
        closed: () => this.log.debug('register connection closed'),
      },
      {
        ackTimeoutMs: opts.ackTimeoutMs,
        retries: opts.retries,
        frameTimeoutMs: opts.frameTimeoutMs,
        timers: this.timers,
      },
    );
  }

  // ---- inbound ---------------------------------------------------------------------------------------------------

  private onMessage(message: Buffer): void {
    try {
      const text = message.toString('latin1');
      let request: Ecr17Request;
      try {
        request = decodeRequest(text);
      } catch (e) {
        if (!(e instanceof Ecr17FormatError)) throw e;
        this.log.warn({ reason: e.message }, 'malformed message: NAK');
        this.link.nak();
        return;
      }
      if (
        this.opts.checkTerminalId &&
        this.opts.terminalId &&
        request.terminalId !== '00000000' &&
        request.terminalId !== this.opts.terminalId
      ) {
        this.log.warn({ terminalId: request.terminalId }, 'message for another terminal ID: NAK');
        this.link.nak();
        return;
      }
      if (request.code === 'unsupported') {
        this.log.info({ code: request.letter }, 'message code the bridge does not manage: NAK');
        this.link.nak();
        return;
      }
      const op = this.current;
      if (op && op.text === text) {
        // Our ACK was lost and the register sent the same frame again: never a second transaction.
        this.log.info({ code: request.code }, 'resent frame: ACK again');
        this.link.ack();
        return;
      }
      if (request.code === 'U') {
        this.link.ack();
        if (op?.awaitingU) op.awaitingU(request);
        else this.log.debug('additional data (U) acknowledged and ignored');
        return;
      }
      if (request.code === 'E') {
        this.link.ack();
        this.peer.ecrPrints = request.ecrPrints;
        return;
      }
      if (op) {
        if (op.sendingFinal) {
          // The register did not acknowledge our last frame but sends its next command: it has moved on.
          this.link.ack();
          this.queue.push({ text, request });
          this.link.supersede();
          return;
        }
        this.log.warn({ code: request.code, running: op.request.code }, 'command while another runs: NAK');
        this.link.nak();
        return;
      }
      this.link.ack();
      this.start(text, request);
    } catch (e) {
      this.log.error({ err: e }, 'ECR17 frame handling failed');
    }
  }

  private start(text: string, request: Ecr17Request): void {
    const op: Operation = { text, request, sendingFinal: false };
    this.current = op;
    void this.run(op)
      .catch((e: unknown) => this.log.error({ err: e, code: request.code }, 'ECR17 command failed inside the bridge'))
      .finally(() => {
        if (this.current === op) this.current = undefined;
        const next = this.queue.shift();
        if (next) this.start(next.text, next.request);
      });
  }

  private run(op: Operation): Promise<void> {
    const r = op.request;
    if ('registerId' in r) this.noteRegister(r.registerId);
    switch (r.code) {
      case 'P':
      case 'X':
        return this.payment(op, r);
      case 'S':
        return this.reversal(op, r);
      case 's':
        return this.status(op);
      case 'G':
        return this.lastResult(op, r);
      case 'T':
        return this.totals(op, r);
      case 'C':
        return this.close(op, r);
      case 'R':
        return this.reprint(op, r);
      default:
        return Promise.resolve();
    }
  }

  // ---- identities ----------------------------------------------------------------------------------------------------

  private who(registerId: string | undefined): RegisterIdentity {
    const id = ctxRegister(registerId);
    return {
      ...this.ctx.identity,
      register: id === undefined ? this.ctx.identity.register : `${this.ctx.identity.listener}/${id}`,
    };
  }

  /** A command from the register: it is alive, so no warning about a result it has not asked for. */
  private noteRegister(registerId: string): void {
    this.peer.registerId = registerId;
    const reg = this.who(registerId).register;
    this.shared.unconfirmed.get(reg)?.cancel();
    this.shared.unconfirmed.delete(reg);
  }

  private resultContext(terminalId: string): ResultContext {
    return {
      terminalId,
      acquirerId: this.opts.acquirerId,
      panMask: this.opts.panMask,
      ...(this.ctx.locale ? { locale: this.ctx.locale } : {}),
    };
  }

  // ---- P / X payment ---------------------------------------------------------------------------------------------

  private async payment(op: Operation, req: PaymentRequestMsg): Promise<void> {
    const who = this.who(req.registerId);
    const format: ResultFormat = req.code === 'X' ? 'extended' : 'payment';
    const rc = this.resultContext(req.terminalId);
    const ecrPrints = this.takeReceiptSwitch();
    const additional = req.additionalData ? await this.awaitAdditionalData(op) : undefined;
    const ref = this.newRef(req.code, req.registerId);
    await this.whileRunning(who, async () => {
      const result = await this.execute(who, {
        kind: 'sale',
        ref,
        amount: { minor: req.amount, currency: this.opts.currency },
      });
      if ('refused' in result) {
        await this.finalFrame(op, encodeAnswer(refusal(format, result.refused, rc)));
        return;
      }
      const view = this.api.status(who, ref) ?? viewOfResult(who, result.result, this.timers.now());
      const message = encodeAnswer(resultMessage(view, format, rc));
      const outcome = await this.deliverWithReceipt(
        op,
        message,
        ecrPrints ? () => this.receiptTexts(who, ref, 'sale', req.terminalId) : undefined,
      );
      if (additional && additional.isoField !== '00' && outcome === 'acked')
        await this.link.send(encodeAnswer({ code: 'U', terminalId: req.terminalId }));
      await this.report(who, ref, 'sale', result.result, outcome);
      this.afterFinancial(outcome);
    });
  }

  /** The `U` a `P` announced (§7 "with additional data"); going on without it after the timeout. */
  private awaitAdditionalData(op: Operation): Promise<AdditionalDataMsg | undefined> {
    return new Promise((resolve) => {
      const timer = this.timers.after(this.opts.additionalDataTimeoutMs, () => done(undefined));
      const done = (u: AdditionalDataMsg | undefined): void => {
        timer.cancel();
        op.awaitingU = undefined;
        if (!u) this.log.info('the announced additional data (U) did not arrive: going on without it');
        resolve(u);
      };
      op.awaitingU = done;
    });
  }

  /** Submits to the bridge with progress frames; a refusal by the bridge comes back as a reason. */
  private async execute(
    who: RegisterIdentity,
    request: { kind: TransactionKind; ref: string; amount?: { minor: number; currency: string } },
  ): Promise<{ result: PaymentResult } | { refused: ReasonKey }> {
    const progress = this.startProgress();
    try {
      const full = { ...request, ...(this.opts.terminal ? { terminal: this.opts.terminal } : {}) };
      let handle;
      try {
        handle = await this.api.submit(who, full, { stage: (e) => progress.stage(e.stage) });
      } catch (e) {
        const err = asBridgeError(e);
        this.log.info({ code: err.code, reason: err.message }, 'the bridge refused the request');
        return { refused: reasonForError(err) };
      }
      try {
        return { result: await handle.result };
      } catch (e) {
        this.log.error({ err: e, ref: request.ref }, 'payment result lost inside the bridge');
        return { refused: 'resultUnknown' };
      }
    } finally {
      progress.stop();
    }
  }

  /** Progress frames (§7 step 3) for the bridge's stages, the last one repeated while myPOS works. */
  private startProgress(): { stage(s: Stage): void; stop(): void } {
    if (!this.opts.progress) return { stage: () => undefined, stop: () => undefined };
    let last: string | undefined;
    let timer: TimerHandle | undefined;
    let stopped = false;
    const tick = (): void => {
      timer = this.timers.after(this.opts.progressIntervalMs, () => {
        if (stopped) return;
        if (last) this.link.progress(last);
        tick();
      });
    };
    tick();
    return {
      stage: (stage) => {
        const key = PROGRESS_KEY[stage];
        const text = key && registerText(`progress.${key}`, 20, this.ctx.locale);
        if (stopped || !text || text === last) return;
        last = text;
        this.link.progress(text);
      },
      stop: () => {
        stopped = true;
        timer?.cancel();
      },
    };
  }

  /** Runs a payment or reversal for a register; "send last result" for that register waits for it. */
  private async whileRunning(who: RegisterIdentity, work: () => Promise<void>): Promise<void> {
    let release!: () => void;
    const running = new Promise<void>((r) => (release = r));
    this.shared.running.set(who.register, running);
    try {
      await work();
    } finally {
      release();
      if (this.shared.running.get(who.register) === running) this.shared.running.delete(who.register);
    }
  }

  /** Receipt lines (`S`) and the result (`E`) in the configured order; the outcome is the result's. */
  private async deliverWithReceipt(
    op: Operation,
    result: string,
    receipt: (() => string[]) | undefined,
  ): Promise<SendOutcome> {
    const texts = receipt && this.opts.receipts === 'auto' ? receipt() : [];
    const lines = async (): Promise<void> => {
      for (const t of texts) {
        const o = await this.link.send(t);
        if (o !== 'acked') {
          this.log.info({ outcome: o }, 'receipt lines not taken by the register: stopped');
          return;
        }
      }
    };
    if (this.opts.receiptOrder === 'before-result') await lines();
    const outcome = await this.finalFrame(op, result);
    if (this.opts.receiptOrder === 'after-result' && outcome === 'acked') await lines();
    return outcome;
  }

  /** The frame that answers the command; a new command from the register while it waits supersedes it. */
  private finalFrame(op: Operation, message: string): Promise<SendOutcome> {
    op.sendingFinal = true;
    return this.link.send(message);
  }

  /** §9: how the result reached the register decides the commit. */
  private async report(
    who: RegisterIdentity,
    ref: string,
    kind: TransactionKind,
    result: PaymentResult,
    outcome: SendOutcome,
  ): Promise<void> {
    let how: Delivery;
    // In doubt: the register was told "not approved", so an approval found later must not stand.
    if (result.outcome === 'in_doubt') how = 'rejected';
    else if (outcome === 'acked') how = 'acknowledged';
    else if (result.outcome === 'approved') {
      const moneyMoved = kind !== 'reversal';
      how = moneyMoved && this.opts.reverseUnacknowledged ? 'rejected' : 'held';
      this.log.warn(
        { ref, kind, outcome },
        how === 'rejected'
          ? 'the register did not acknowledge the approved result: reversing it (reverseUnacknowledged)'
          : 'the register did not acknowledge the result: it stands, the register can ask for it with "send last result"',
      );
      if (how === 'held') this.watchUnconfirmed(who, ref);
    } else how = 'undeliverable';
    try {
      await this.api.delivery(who, ref, how, kind);
    } catch (e) {
      this.log.error({ err: e, ref, how }, 'could not report the delivery to the bridge');
    }
  }

  /** §9.3: alert the operator when the register neither asks for the result nor sends anything else. */
  private watchUnconfirmed(who: RegisterIdentity, ref: string): void {
    const reg = who.register;
    this.shared.unconfirmed.get(reg)?.cancel();
    const alert = (): void => {
      this.shared.unconfirmed.delete(reg);
      this.log.warn(
        { ref, register: reg },
        `the register has not asked for an unacknowledged result within ${Math.round(this.opts.unconfirmedAlertMs / 1000)} s: check the payment on the register`,
      );
    };
    this.shared.unconfirmed.set(
      reg,
      this.timers === realTimers
        ? background(this.opts.unconfirmedAlertMs, alert)
        : this.timers.after(this.opts.unconfirmedAlertMs, alert),
    );
  }

  /** §1: a Nexi terminal closes the TCP connection after the final acknowledgement of a financial command. */
  private afterFinancial(outcome: SendOutcome): void {
    if (outcome === 'acked' && this.tcp && this.opts.closeAfterPayment && this.queue.length === 0) this.link.end();
  }

  private takeReceiptSwitch(): boolean {
    const on = this.peer.ecrPrints;
    this.peer.ecrPrints = false;
    return on;
  }

  // ---- S reversal ----------------------------------------------------------------------------------------------------

  private async reversal(op: Operation, req: ReversalRequestMsg): Promise<void> {
    const who = this.who(req.registerId);
    const rc = this.resultContext(req.terminalId);
    const ecrPrints = this.takeReceiptSwitch();
    await this.shared.running.get(who.register);
    const last = this.api.last(who);
    const refuse = async (reason: ReasonKey): Promise<void> => {
      this.log.info({ reason, stan: req.stan }, 'reversal refused');
      const outcome = await this.finalFrame(op, encodeAnswer(refusal('reversal', reason, rc)));
      this.afterFinancial(outcome);
    };
    if (
      !last ||
      last.kind === 'reversal' ||
      last.reversed ||
      last.outcome !== 'approved' ||
      (last.kind !== 'sale' && last.kind !== 'completion')
    ) {
      return refuse('nothingToReverse');
    }
    const stan = String((last.result?.receiptNo ?? 0) % 1_000_000).padStart(6, '0');
    if (req.stan !== '000000' && req.stan !== stan) return refuse('stanMismatch');
    await this.whileRunning(who, async () => {
      const result = await this.execute(who, { kind: 'reversal', ref: last.ref });
      if ('refused' in result) return refuse(result.refused);
      const latest = this.api.last(who);
      const view =
        latest && latest.kind === 'reversal' && latest.ref === last.ref
          ? latest
          : viewOfResult(who, result.result, this.timers.now());
      const message = encodeAnswer(resultMessage(view, 'reversal', rc));
      const outcome = await this.deliverWithReceipt(
        op,
        message,
        ecrPrints ? () => this.receiptTexts(who, last.ref, 'reversal', req.terminalId) : undefined,
      );
      await this.report(who, last.ref, 'reversal', result.result, outcome);
      this.afterFinancial(outcome);
    });
  }

  // ---- G send last result --------------------------------------------------------------------------------------------

  private async lastResult(op: Operation, req: LastResultRequestMsg): Promise<void> {
    const who = this.who(req.registerId);
    const rc = this.resultContext(req.terminalId);
    await this.shared.running.get(who.register);
    const view = this.api.last(who);
    let message: string;
    if (!view) message = encodeAnswer(refusal('payment', 'noLastResult', rc));
    else if (view.outcome === null) message = encodeAnswer(refusal(formatOf(view), 'resultUnknown', rc));
    else message = encodeAnswer(resultMessage(view, formatOf(view), rc));
    const outcome = await this.finalFrame(op, message);
    if (outcome === 'acked' && view && view.outcome !== null && view.outcome !== 'in_doubt' && !view.acknowledged) {
      this.shared.unconfirmed.get(who.register)?.cancel();
      this.shared.unconfirmed.delete(who.register);
      try {
        await this.api.delivery(who, view.ref, 'acknowledged', view.kind);
      } catch (e) {
        this.log.error({ err: e, ref: view.ref }, 'could not report the delivery to the bridge');
      }
    }
  }

  // ---- s status, T totals, C close -----------------------------------------------------------------------------------

  /** §5.4, §8: `2` operative when myPOS is reachable, `3` not aligned otherwise — from the bridge's cached state. */
  private async status(op: Operation): Promise<void> {
    let state: number;
    try {
      const t = this.api.terminalFor(this.who(this.peer.registerId), this.opts.terminal);
      state = t.state === 'offline' ? 3 : 2;
    } catch {
      state = 3;
    }
    const terminalId = op.request.terminalId;
    await this.finalFrame(
      op,
      encodeAnswer({
        code: 's',
        terminalId,
        dateTime: statusDateTime(this.timers.now()),
        status: state,
        releases: [this.softwareRelease()],
      }),
    );
  }

  private softwareRelease(): string {
    if (this.opts.softwareRelease) return this.opts.softwareRelease;
    const digits = this.api.version.replace(/[^0-9]/g, '');
    return `MPBRG${digits.padEnd(3, '0').slice(0, 3)}`;
  }

  private async totals(op: Operation, req: PeriodRequestMsg): Promise<void> {
    const who = this.who(req.registerId);
    const views = this.api.periodPayments(who);
    await this.finalFrame(
      op,
      encodeAnswer({
        code: 'T',
        terminalId: req.terminalId,
        result: '00',
        total: periodTotal(views, this.opts.currency),
      }),
    );
  }

  /** `C`: the register's period closes in the bridge (api.closeDay); its totals answer; the business day follows. */
  private async close(op: Operation, req: PeriodRequestMsg): Promise<void> {
    const who = this.who(req.registerId);
    let views: PaymentView[];
    try {
      views = await this.api.closeDay(who);
    } catch (e) {
      this.log.error({ err: e }, 'close session: the register period could not be closed');
      await this.finalFrame(
        op,
        encodeAnswer({
          code: 'C',
          terminalId: req.terminalId,
          result: '01',
          reason: reasonText('closeFailed', this.ctx.locale).slice(0, 19),
          actionCode: '100',
        }),
      );
      return;
    }
    const total = periodTotal(views, this.opts.currency);
    await this.finalFrame(
      op,
      encodeAnswer({ code: 'C', terminalId: req.terminalId, result: '00', terminalTotal: total, hostTotal: total }),
    );
    if (this.opts.closeBusinessDay) {
      try {
        const report = await this.api.endOfDay({});
        this.log.info({ day: report.businessDay }, 'close session: business day closed');
      } catch (e) {
        this.log.warn({ err: e }, 'close session: the business day could not be closed; the register has its totals');
      }
    }
  }

  // ---- R reprint, receipt lines ---------------------------------------------------------------------------------------

  private async reprint(op: Operation, req: ReprintRequestMsg): Promise<void> {
    if (!req.toEcr || this.opts.receipts === 'off') return;
    const who = this.who(this.peer.registerId);
    const last = this.api.last(who);
    if (!last || last.outcome === null) return;
    op.sendingFinal = true;
    for (const t of this.receiptTexts(who, last.ref, last.kind, req.terminalId)) {
      if ((await this.link.send(t)) !== 'acked') return;
    }
  }

  /**
   * The customer receipt as `S` messages (§5.10): 24-character lines separated by 7D, cut into messages of at most
   * 200 characters, the last ending with six 7D and 1B. The bridge's journaled receipt (docs/receipts.md) at its
   * narrowest width, fitted to 24 columns.
   */
  private receiptTexts(who: RegisterIdentity, ref: string, kind: TransactionKind, terminalId: string): string[] {
    let lines: string[] = [];
    try {
      const r = this.api.receipt(who, ref, {
        kind,
        width: 32,
        ascii: true,
        ...(this.ctx.locale ? { locale: this.ctx.locale } : {}),
      });
      if (r) lines = r.customer;
    } catch (e) {
      this.log.warn({ err: e, ref }, 'the journaled receipt is not available: no receipt lines sent');
    }
    if (lines.length === 0) return [];
    return receiptMessages(lines, terminalId);
  }
}

// ---- helpers -------------------------------------------------------------------------------------------------------

/** A result as a view, for the rare case the journal has no view of it (the result itself is what counts). */
function viewOfResult(who: RegisterIdentity, r: PaymentResult, now: Date): PaymentView {
  const at = now.toISOString();
  return {
    id: '',
    register: who.register,
    ref: r.ref,
    kind: r.kind,
    amount: r.amount,
    terminal: r.terminal,
    stage: 'done',
    outcome: r.outcome,
    message: r.message,
    result: r,
    delivered: false,
    acknowledged: false,
    createdAt: at,
    updatedAt: at,
  };
}

/** A timer that does not keep the process alive (a stopping bridge does not wait ten minutes for a warning). */
function background(ms: number, fn: () => void): TimerHandle {
  const t = setTimeout(fn, ms);
  t.unref();
  return { cancel: () => clearTimeout(t) };
}

function ctxRegister(registerId: string | undefined): string | undefined {
  if (registerId === undefined) return undefined;
  const id = registerId.trim();
  return id === '' ? '-' : id;
}

function reasonForError(e: BridgeError): ReasonKey {
  switch (e.code) {
    case 'terminal_offline':
    case 'unknown_terminal':
    case 'terminal_error':
      return 'unreachable';
    case 'terminal_busy':
      return 'terminalBusy';
    case 'invalid_amount':
      return 'invalidAmount';
    case 'not_reversible':
    case 'unknown_ref':
      return 'nothingToReverse';
    default:
      return 'refused';
  }
}

export const ECR17_LINE = 24;

/** Width of the bridge's receipt the register's lines are made from. */
const SOURCE_WIDTH = 32;

/**
 * A line of the bridge's 32-column receipt in the register's 24 columns: a rule is cut, a centred line centred
 * again, a right-aligned line right-aligned again, a "label … value" line keeps its value right-aligned (on a line of
 * its own when both do not fit), other text wraps at spaces.
 */
export function fitLine(line: string, width = ECR17_LINE): string[] {
  const clean = line.replace(/[^\x20-\x7e]/g, '?').replace(/\s+$/, '');
  const text = clean.trim();
  if (text === '') return [''];
  if (clean.startsWith(' ')) {
    const right = clean.length === SOURCE_WIDTH;
    return wrap(text, width).map((l) =>
      right ? l.padStart(width) : ' '.repeat(Math.floor((width - l.length) / 2)) + l,
    );
  }
  if (clean.length <= width) return [clean];
  if (/^(.)\1*$/.test(text)) return [text.slice(0, width)];
  const pair = /^(\S.*?) {2,}(\S.*)$/.exec(text);
  if (pair) {
    const [left, right] = [pair[1]!, pair[2]!];
    if (left.length + 1 + right.length <= width) return [left + ' '.repeat(width - left.length - right.length) + right];
    return [...wrap(left, width), ...wrap(right, width).map((l) => l.padStart(width))];
  }
  return wrap(text, width);
}

/** Receipt lines → the texts of `S` messages (without the `TID 0 S` header). */
export function receiptMessages(lines: readonly string[], terminalId: string): string[] {
  const body = lines.flatMap((l) => fitLine(l)).join(RECEIPT_NEW_LINE) + RECEIPT_END;
  const room = MAX_RECEIPT_TEXT;
  const out: string[] = [];
  for (let i = 0; i < body.length; i += room)
    out.push(encodeAnswer({ code: 'S', terminalId, text: body.slice(i, i + room) }));
  return out;
}
