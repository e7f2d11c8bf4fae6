/**
 * ZVT session: the bridge acting as the payment terminal (PT) toward an unmodified register (ECR) — read beside
 * zvt.md §4 (master/slave rule, timers), §5 (commands), §6 (messages we send), §9 (dialogues) and §10 (the
 * stored-transaction rule).
 *
 * One session serves one connection (a TCP socket, or an open serial port). What a Registration sets up (config
 * byte, currency, the register's TLV) belongs to the listener, not to the connection: registers open a new TCP
 * connection per operation.
 *
 * The commit rule: the register's 80 00 (or 84 00) to our 04 0F is the commit point → api.delivery(…,
 * 'acknowledged'); a refusal (84 xx), silence beyond the goods-issue timeout, a lost connection or a transmission
 * error → api.delivery(…, 'rejected') and the bridge reverses the myPOS payment.
 */
import { randomBytes } from 'node:crypto';
import type { BridgeApi, PaymentHandle, PaymentView, RegisterIdentity } from '../../bridge/api';
import { panRules } from '../../domain/card-data';
import { asBridgeError } from '../../domain/errors';
import { currency as currencyOf } from '../../domain/currency';
import type { PaymentRequest, PaymentResult } from '../../domain/payment';
import type { Stage, TransactionKind } from '../../domain/vocabulary';
import type { Logger } from '../../log/logger';
import { BadFrameLog } from '../../log/bad-frames';
import type { ByteStream } from '../../transport/byte-stream';
import type { RegisterContext, RegisterProtocol } from '../protocol';
import { perListener } from '../listener-state';
import { commandName, isPositiveReply, isReply, type Apdu } from './apdu';
import type { ZvtDateTime } from './bcd';
import {
  CMD,
  STATUS_SERVICE,
  commandsListed,
  controlOf,
  decodeAuthorization,
  decodeEndOfDay,
  decodeRefund,
  decodeRegistration,
  decodeReversal,
  decodeStatusEnquiry,
  printerWidth,
  type GivenCurrency,
  type PaymentCommand,
} from './commands';
import { isMalformedCommand } from './errors';
import { tcpLink, serialLink, type ApduLink, type ApduLinkEvents } from './link';
import {
  ACK_APDU,
  COMPLETION_APDU,
  STATUS_INFORMATION_ABORTED,
  abortMessage,
  endOfDayInformation,
  errorTlv,
  intermediateStatus,
  negativeAck,
  printLine,
  printTextBlock,
  RECEIPT_TYPE,
  registrationCompletion,
  registrationWrongCurrency,
  statusEnquiryCompletion,
  statusInformation,
  type TotalsLine,
  type TransactionReport,
} from './messages';
import type { ReceiptRendering } from '../../receipts/types';
import { parseZvtOptions, type ZvtOptions, type ZvtOptionsInput } from './options';
import { registerTexts, type RegisterTexts } from '../texts';
import { languageOf } from '../../i18n/locale';
import { asciiText } from '../../i18n/transliterate';
import {
  DEFAULT_PRINTER_WIDTH,
  PRINT_LAST_LINE,
  RECEIPT_WIDTHS,
  PRINT_NORMAL,
  receiptLines,
  type ReceiptFacts,
} from './receipt';
import {
  RC,
  STAGE_STATUS,
  STATUS_PLEASE_WAIT,
  TERMINAL_STATUS,
  TOTALS_GROUPS,
  cardTypeFor,
  resultFor,
  resultForError,
  totalsGroupFor,
  type TotalsGroup,
  type ZvtResult,
} from './result-codes';
import { secretsEqual } from '../../security/keys';
import { peerAddress } from '../../security/auth-throttle';
import { throttleOf } from '../auth';
import { delay, realTimers, type TimerHandle, type Timers } from './timers';

// ---- listener state (Registration) -------------------------------------------------------------------------------

/** Registration config byte bits (§5). */
export const CONFIG = {
  ECR_PRINTS_PAYMENT_RECEIPTS: 0x02,
  ECR_PRINTS_ADMIN_RECEIPTS: 0x04,
  INTERMEDIATE_STATUS: 0x08,
  ECR_CONTROLS_PAYMENT: 0x10,
  ECR_CONTROLS_ADMINISTRATION: 0x20,
  RECEIPT_LINES_VIA_06D1: 0x80,
} as const;

/** Config in force until a Registration arrives, and again after Log-Off (§5: "config byte reverts to 86"). */
export const DEFAULT_CONFIG = 0x86;

export interface ListenerState {
  config: number;
  registered: boolean;
  /** With a password: the peer addresses that registered with it (the ECR may open a connection per command). */
  authenticated: Set<string>;
  /** The register sent a CC at Registration: we echo BMP 49 (§3). */
  ecrSentCurrency: boolean;
  /** PT → ECR commands the register listed in TLV 26. */
  ecrCommands: Set<number>;
  printerWidth: number;
}

function freshState(): ListenerState {
  return {
    config: DEFAULT_CONFIG,
    registered: false,
    authenticated: new Set(),
    ecrSentCurrency: false,
    ecrCommands: new Set(),
    printerWidth: DEFAULT_PRINTER_WIDTH,
  };
}

/** The Registration state of a listener, shared by all its connections. */
export const listenerState = perListener<ListenerState>(freshState);

// ---- protocol factories --------------------------------------------------------------------------------------------

export interface ZvtProtocolSetup {
  /** Defaults under the listener's options (ctx.options wins). */
  options?: ZvtOptionsInput;
  /** Timers (tests: short or manual). */
  timers?: Timers;
  /** The ref for a new payment; default `zvt-<time>-<random>`, unique across restarts. */
  newRef?: () => string;
}

/** ZVT over TCP: raw APDUs (zvt.md §1.1). */
export function zvtTcpProtocol(setup: ZvtProtocolSetup = {}): RegisterProtocol {
  // A ZVT register opens a connection for a command and sends it at once (zvt.md §1.1).
  return {
    name: 'zvt',
    guard: { firstFrameTimeoutMs: 30_000 },
    serve: (stream, ctx) => startSession('tcp', stream, ctx, setup),
  };
}

/** ZVT over a serial line (RS-232, USB virtual COM, null-modem pair): DLE/STX frames with CRC (zvt.md §1.2). */
export function zvtSerialProtocol(setup: ZvtProtocolSetup = {}): RegisterProtocol {
  return { name: 'zvt', serve: (stream, ctx) => startSession('serial', stream, ctx, setup) };
}

/** Picks the framing from the listener: serial when ctx.options.transport.type is "serial" or the peer is a serial
 *  port ("serial …"), TCP otherwise. */
export function zvtProtocol(setup: ZvtProtocolSetup = {}): RegisterProtocol {
  return {
    name: 'zvt',
    serve: (stream, ctx) => {
      const t = ctx.options['transport'];
      const serial =
        (typeof t === 'object' && t !== null && (t as { type?: unknown }).type === 'serial') ||
        ctx.peer.startsWith('serial');
      startSession(serial ? 'serial' : 'tcp', stream, ctx, setup);
    },
  };
}

function startSession(
  transport: 'tcp' | 'serial',
  stream: ByteStream,
  ctx: RegisterContext,
  setup: ZvtProtocolSetup,
): void {
  let options: ZvtOptions;
  try {
    options = parseZvtOptions({ ...(setup.options ?? {}), ...ctx.options });
  } catch (e) {
    ctx.log.error({ peer: ctx.peer }, (e as Error).message);
    stream.destroy();
    return;
  }
  try {
    new ZvtSession(transport, stream, ctx, options, setup);
  } catch (e) {
    ctx.log.error({ err: e, peer: ctx.peer }, 'ZVT session could not start');
    stream.destroy();
  }
}

// ---- the session ---------------------------------------------------------------------------------------------------

/** How the register answered one of our messages. */
type EcrAnswer =
  | { kind: 'answer'; apdu: Apdu }
  | { kind: 'timeout' }
  | { kind: 'closed' }
  | { kind: 'transmission'; message: string }
  /** The register sent Abort (06 B0) while we waited for its answer to 04 0F. */
  | { kind: 'aborted' };

/** One command being served; while it exists the PT holds master rights (or is about to). */
interface Operation {
  readonly name: string;
  /** The register cannot be reached any more for this operation: say nothing more. */
  lost: boolean;
  /** We answered 80 00 00 to a command that hands master rights to us: it must end with 06 0F or 06 1E. */
  master: boolean;
}

interface Pending {
  readonly op: Operation;
  /** Our closing message (06 0F / 06 1E): its answer hands master rights back. */
  readonly final: boolean;
  resolve(a: EcrAnswer): void;
}

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

export class ZvtSession {
  private readonly link: ApduLink;
  private readonly timers: Timers;
  private readonly state: ListenerState;
  private readonly log: Logger;
  /** Malformed, unsupported and out-of-turn frames: logged a few per minute, then summarised. */
  private readonly badFrames: BadFrameLog;
  private readonly api: BridgeApi;
  private readonly who: RegisterIdentity;
  private readonly newRef: () => string;
  private readonly ctx: RegisterContext;
  private current: Operation | undefined;
  private payment: PaymentOp | undefined;
  private pending: Pending | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** Texts for the register (1F17, receipt lines) in the listener's language (German unless configured). */
  private readonly texts: RegisterTexts;
  private readonly locale: string | undefined;

  constructor(
    transport: 'tcp' | 'serial',
    stream: ByteStream,
    ctx: RegisterContext,
    private readonly opts: ZvtOptions,
    setup: ZvtProtocolSetup = {},
  ) {
    this.timers = setup.timers ?? realTimers;
    this.ctx = ctx;
    this.api = ctx.api;
    this.who = ctx.identity;
    this.locale = ctx.locale;
    this.texts = registerTexts(ctx.locale);
    this.log = ctx.log.child({ peer: ctx.peer, protocol: 'zvt' });
    this.badFrames = new BadFrameLog(this.log, ctx.peer, {
      listener: ctx.identity.listener,
      ...(ctx.security ? { security: ctx.security } : {}),
    });
    this.state = listenerState(ctx.api, ctx.identity.listener);
    this.newRef = setup.newRef ?? (() => `zvt-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`);
    currencyOf(opts.currency); // throws on a currency ISO does not know
    const events: ApduLinkEvents = {
      apdu: (a) => this.onApdu(a),
      malformed: (reason) => this.onMalformed(reason),
      rejected: (reason) => this.badFrames.note('warn', { reason }, 'serial frame rejected (NAK sent)'),
      closed: () => this.onClosed(),
    };
    this.link =
      transport === 'tcp'
        ? tcpLink(stream, events, { timers: this.timers, incompleteMs: opts.incompleteApduMs })
        : serialLink(stream, events, {
            timers: this.timers,
            t1Ms: opts.t1Ms,
            t2Ms: opts.t2Ms,
            repeats: opts.serialRepeats,
          });
  }

  // ---- inbound ---------------------------------------------------------------------------------------------------

  private onApdu(a: Apdu): void {
    try {
      if (isReply(a)) {
        this.onReply(a);
        return;
      }
      const control = controlOf(a);
      this.log.debug({ command: commandName(a), length: a.data.length }, 'register command');
      if (control === CMD.ABORT) {
        this.onAbort();
        return;
      }
      if (this.current) {
        this.badFrames.note(
          'warn',
          { command: commandName(a), running: this.current.name },
          'command while another runs: 84 83 00',
        );
        void this.reply(negativeAck(RC.FUNCTION_NOT_POSSIBLE));
        return;
      }
      const op: Operation = { name: commandName(a), lost: false, master: false };
      this.current = op;
      void this.run(op, a)
        .catch((e: unknown) => this.failed(op, e))
        .finally(() => {
          if (this.current === op) this.current = undefined;
        });
    } catch (e) {
      this.log.error({ err: e }, 'ZVT APDU handling failed');
    }
  }

  private onReply(a: Apdu): void {
    const p = this.pending;
    if (!p) {
      this.log.debug({ reply: commandName(a) }, 'reply without a pending message ignored');
      return;
    }
    // Master rights go back with the answer to our closing message: a command right behind it is served.
    if (p.final && this.current === p.op) this.current = undefined;
    p.resolve({ kind: 'answer', apdu: a });
  }

  private onMalformed(reason: string): void {
    this.badFrames.note('warn', { reason }, 'malformed APDU: 84 9A 00');
    void this.reply(negativeAck(RC.PROTOCOL_ERROR));
  }

  private onClosed(): void {
    this.log.debug('register connection closed');
    this.badFrames.close();
    if (this.current) this.current.lost = true;
    this.pending?.resolve({ kind: 'closed' });
    const pay = this.payment;
    if (pay && !pay.finished) {
      pay.aborted = true;
      this.stopStatus(pay);
      this.requestCancel(pay);
    }
  }

  /** 06 B0: acknowledged at once; a running payment is cancelled and ends with 06 1E 6C (§5, §10 step 8). */
  private onAbort(): void {
    void this.reply(ACK_APDU);
    const pay = this.payment;
    if (!pay) return;
    if (pay.awaitingGoodsIssue) {
      pay.aborted = true;
      this.pending?.resolve({ kind: 'aborted' });
      return;
    }
    if (pay.finished) return;
    pay.aborted = true;
    this.requestCancel(pay);
  }

  /** An unexpected error inside the bridge: the register still gets its answer and its master rights back. */
  private async failed(op: Operation, e: unknown): Promise<void> {
    this.log.error({ err: e, command: op.name }, 'ZVT command failed inside the bridge');
    if (this.current !== op || op.lost || this.link.closed) return;
    if (op.master)
      await this.finishAbort(op, { code: RC.SYSTEM_ERROR, text: this.texts.zvtInternal() }).catch(() => undefined);
    else await this.finalReply(op, negativeAck(RC.SYSTEM_ERROR));
  }

  /** 80 00 00 to a command that hands master rights to us (§4). */
  private accept(op: Operation): Promise<void> {
    op.master = true;
    return this.reply(ACK_APDU);
  }

  private async run(op: Operation, a: Apdu): Promise<void> {
    switch (controlOf(a)) {
      case CMD.REGISTRATION:
        return this.withDecoded(op, a, decodeRegistration, (cmd) => this.registration(op, cmd));
      case CMD.AUTHORIZATION:
        return this.withDecoded(op, a, decodeAuthorization, (cmd) => this.sale(op, cmd));
      case CMD.REFUND:
        return this.withDecoded(op, a, decodeRefund, (cmd) => this.refund(op, cmd));
      case CMD.REVERSAL:
        return this.withDecoded(op, a, decodeReversal, (cmd) => this.reversal(op, cmd));
      case CMD.END_OF_DAY:
        return this.withDecoded(op, a, decodeEndOfDay, (cmd) => this.endOfDay(op, cmd.password));
      case CMD.STATUS_ENQUIRY:
        return this.withDecoded(op, a, decodeStatusEnquiry, (cmd) =>
          this.statusEnquiry(op, cmd.password, cmd.serviceByte),
        );
      case CMD.LOG_OFF:
        return this.logOff(op);
      default:
        this.badFrames.note('info', { command: commandName(a) }, 'unsupported command: 84 83 00');
        return this.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    }
  }

  private async withDecoded<T>(
    op: Operation,
    a: Apdu,
    decode: (data: Buffer) => T,
    serve: (cmd: T) => Promise<void>,
  ): Promise<void> {
    let cmd: T;
    try {
      cmd = decode(a.data);
    } catch (e) {
      if (isMalformedCommand(e)) {
        this.badFrames.note('warn', { command: commandName(a), reason: e.message }, 'malformed command: 84 9A 00');
        return this.finalReply(op, negativeAck(RC.PROTOCOL_ERROR));
      }
      throw e;
    }
    return serve(cmd);
  }

  /**
   * A command's password against the listener's (when one is set): constant-time, and throttled per peer address
   * — a try before its time is refused without looking at it, and every refusal reads the same (84 83 00), so the
   * answer tells a guesser nothing (zvt.md "Password").
   */
  private passwordOk(given: string | undefined): boolean {
    const expected = this.opts.password;
    if (expected === undefined) return true;
    const throttle = throttleOf(this.ctx, 'password');
    const verdict = throttle.check(this.ctx.peer);
    if (!verdict.allowed) {
      this.log.info(
        { reason: verdict.reason, retryAfterS: Math.ceil(verdict.retryAfterMs / 1000) },
        'password try refused before its time: 84 83 00',
      );
      return false;
    }
    if (given === undefined || !secretsEqual(given, expected)) {
      throttle.failure(this.ctx.peer);
      return false;
    }
    throttle.success(this.ctx.peer);
    return true;
  }

  /**
   * With a password, money commands (and End-of-Day) are served only to a peer that registered with it first;
   * another gets 84 6B 00 ("PT not registered"). Without a password nothing changes.
   */
  private registeredPeer(): boolean {
    return this.opts.password === undefined || this.state.authenticated.has(peerAddress(this.ctx.peer));
  }

  private async notRegistered(op: Operation): Promise<void> {
    this.log.warn({ command: op.name }, 'command before a Registration with the password: 84 6B 00');
    await this.finalReply(op, negativeAck(RC.NOT_REGISTERED));
  }

  // ---- 06 00 Registration, 06 02 Log-Off, 05 01 Status-Enquiry ------------------------------------------------

  private async registration(op: Operation, cmd: ReturnType<typeof decodeRegistration>): Promise<void> {
    if (!this.passwordOk(cmd.password)) {
      this.log.warn('Registration with a wrong password: 84 83 00');
      return this.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    }
    try {
      this.api.permit?.(this.who, 'registration');
    } catch (e) {
      return this.finalReply(op, negativeAck(resultForError(asBridgeError(e), this.texts).code));
    }
    if (cmd.currency && cmd.currency.alpha !== this.opts.currency) {
      this.log.warn({ currency: cmd.currency.numeric }, 'Registration with a currency the terminal does not take');
      return this.finalReply(op, registrationWrongCurrency(this.ourCurrencyNumeric()));
    }
    const s = this.state;
    s.config = cmd.config;
    s.registered = true;
    if (this.opts.password !== undefined) s.authenticated.add(peerAddress(this.ctx.peer));
    s.ecrSentCurrency = cmd.currency !== undefined;
    s.ecrCommands = commandsListed(cmd.tlv);
    s.printerWidth = printerWidth(cmd.tlv) ?? DEFAULT_PRINTER_WIDTH;
    this.log.info({ config: cmd.config.toString(16).padStart(2, '0') }, 'register registered');
    await this.accept(op);
    const tid = this.terminalId();
    await this.close(
      op,
      registrationCompletion({
        statusByte: 0x00,
        ...(tid !== undefined ? { terminalId: tid } : {}),
        ...(cmd.currency ? { currencyNumeric: this.ourCurrencyNumeric() } : {}),
      }),
    );
  }

  private async logOff(op: Operation): Promise<void> {
    if (!this.registeredPeer()) return this.notRegistered(op);
    Object.assign(this.state, freshState());
    await this.finalReply(op, ACK_APDU);
  }

  private async statusEnquiry(op: Operation, password: string | undefined, serviceByte: number): Promise<void> {
    // The enquiry's password is optional (§5): only one that is sent is checked.
    if (password !== undefined && !this.passwordOk(password))
      return this.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    await this.accept(op);
    const version =
      serviceByte & STATUS_SERVICE.OMIT_VERSION ? undefined : (this.opts.softwareVersion ?? this.api.version);
    await this.close(
      op,
      statusEnquiryCompletion({
        ...(version !== undefined ? { softwareVersion: version } : {}),
        terminalStatus: this.terminalStatus(),
        ...(serviceByte & STATUS_SERVICE.SEND_TLV ? { tlv: [] } : {}),
      }),
    );
  }

  /** §8: 00 when the myPOS link is healthy, 9C while a transaction runs, DF when myPOS is unreachable — from the
   *  bridge's cached terminal state, never by talking to myPOS per enquiry. */
  private terminalStatus(): number {
    try {
      const t = this.api.terminalFor(this.who, this.opts.terminal);
      if (t.state === 'ready') return TERMINAL_STATUS.READY;
      if (t.state === 'offline') return TERMINAL_STATUS.OUT_OF_ORDER;
      return TERMINAL_STATUS.PLEASE_WAIT;
    } catch {
      return TERMINAL_STATUS.OUT_OF_ORDER;
    }
  }

  // ---- 06 01 Authorization, 06 31 Refund, 06 30 Reversal ----------------------------------------------------------

  private async sale(op: Operation, cmd: PaymentCommand): Promise<void> {
    if (!this.registeredPeer()) return this.notRegistered(op);
    if (cmd.amount === undefined) {
      // Without BMP 04 a PT would ask for the amount on its keypad; the bridge cannot.
      this.log.warn('Authorization without amount: 84 83 00');
      return this.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    }
    await this.accept(op);
    await this.newPayment(op, 'sale', cmd.amount, cmd);
  }

  private async refund(op: Operation, cmd: ReturnType<typeof decodeRefund>): Promise<void> {
    if (!this.registeredPeer()) return this.notRegistered(op);
    if (!this.passwordOk(cmd.password)) return this.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    if (cmd.amount === undefined) {
      this.log.warn('Refund without amount: 84 83 00');
      return this.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    }
    await this.accept(op);
    await this.newPayment(op, 'refund', cmd.amount, cmd);
  }

  private async newPayment(op: Operation, kind: 'sale' | 'refund', amount: number, cmd: PaymentCommand): Promise<void> {
    const pay = this.beginPayment(kind);
    try {
      const alpha = this.currencyFor(cmd.currency);
      if (alpha === undefined) {
        pay.finished = true;
        await this.finishAbort(op, { code: RC.WRONG_CURRENCY });
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

  private async reversal(op: Operation, cmd: ReturnType<typeof decodeReversal>): Promise<void> {
    if (!this.registeredPeer()) return this.notRegistered(op);
    if (!this.passwordOk(cmd.password)) return this.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    await this.accept(op);
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
        await this.finishAbort(op, { code: refusal ?? RC.REVERSAL_NOT_POSSIBLE });
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
    if (this.api.findByReceiptNo) return this.api.findByReceiptNo(this.who, receiptNo);
    const last = this.api.last(this.who);
    return last?.result?.receiptNo === receiptNo ? last : undefined;
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
    this.payment = pay;
    return pay;
  }

  private endPayment(pay: PaymentOp): void {
    pay.finished = true;
    this.stopStatus(pay);
    if (this.payment === pay) this.payment = undefined;
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
      if (!op.lost) await this.finishAbort(op, resultForError(err, this.texts));
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
    const gone = (): boolean => op.lost || this.link.closed;
    if (result.outcome === 'approved') {
      if (gone() || (pay.aborted && !followUp)) {
        // Abort or lost link before the result: the register counts the payment as not made → reverse (§10 step 8).
        await this.report(pay, followUp ? 'undeliverable' : 'rejected');
        if (!gone()) await this.finishAbort(op, { code: RC.ABORT });
        return;
      }
      const facts = this.facts(result);
      const info = statusInformation(this.transactionReport(result, { code: RC.OK }, facts, echoCurrency, extra));
      const goods = await this.awaitGoodsIssue(op, pay, info, cmd);
      if (goods === 'accepted') {
        await this.report(pay, 'acknowledged'); // ← the commit point
        await this.printReceipt(op, facts);
        if (!gone()) await this.close(op, COMPLETION_APDU);
        return;
      }
      this.log.warn(
        { ref: pay.ref, goods },
        followUp ? 'register did not confirm the reversal' : 'register did not confirm the payment: reversing it',
      );
      await this.report(pay, followUp ? 'undeliverable' : 'rejected');
      if (goods === 'capped' && !gone()) {
        const ans = await this.exchange(op, STATUS_INFORMATION_ABORTED, this.opts.t3Ms);
        this.checkAnswer(op, ans);
      }
      if (!gone()) await this.finishAbort(op, { code: RC.ABORT });
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
      const facts = this.facts(result);
      const info = statusInformation(this.transactionReport(result, zr, facts, echoCurrency, extra));
      const ans = await this.exchange(op, info, this.goodsIssueTimeout(cmd));
      if (!this.checkAnswer(op, ans)) {
        await this.report(pay, 'undeliverable');
        return;
      }
    }
    const acked = await this.finishAbort(op, zr);
    await this.report(pay, how ?? (acked ? 'acknowledged' : 'undeliverable'));
  }

  /** Sends the 04 0F and waits for goods issue (§6 "ECR answers to 04 0F"). */
  private async awaitGoodsIssue(op: Operation, pay: PaymentOp, info: Buffer, cmd: PaymentCommand): Promise<GoodsIssue> {
    const timeout = this.goodsIssueTimeout(cmd);
    const cap = cmd.maxStatusInfos ?? this.opts.maxStatusRepeats;
    for (let repeats = 0; ;) {
      if (pay.aborted) return 'refused';
      pay.awaitingGoodsIssue = true;
      const ans = await this.exchange(op, info, timeout);
      pay.awaitingGoodsIssue = false;
      switch (ans.kind) {
        case 'answer':
          if (isPositiveReply(ans.apdu)) return 'accepted';
          if (ans.apdu.instr === RC.PLEASE_WAIT) {
            if (repeats >= cap) return 'capped';
            repeats++;
            await delay(this.timers, this.opts.statusRepeatDelayMs);
            if (op.lost || this.link.closed) return 'lost';
            continue;
          }
          return 'refused'; // 84 9D partial issue (unsupported) and any other 84 yy: goods not issued
        case 'aborted':
        case 'timeout':
          return 'refused';
        case 'transmission':
          this.lose(op, ans.message);
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
        const ans = await this.exchange(op, intermediateStatus(status), this.opts.t3Ms);
        if (!this.checkAnswer(op, ans)) break;
      }
    } finally {
      pay.pumping = false;
    }
  }

  // ---- 06 50 End-of-Day ---------------------------------------------------------------------------------------------

  private async endOfDay(op: Operation, password: string): Promise<void> {
    if (!this.registeredPeer()) return this.notRegistered(op);
    if (!this.passwordOk(password)) return this.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    await this.accept(op);
    let views: PaymentView[] = [];
    if (this.api.closeDay) {
      try {
        views = await this.api.closeDay(this.who);
      } catch (e) {
        await this.finishAbort(op, resultForError(asBridgeError(e), this.texts));
        return;
      }
    } else {
      this.log.info('the bridge keeps no day totals: End-of-Day answered with zero totals');
    }
    const totals = dayTotals(views, this.opts.currency);
    await this.closeBusinessDay();
    const info = endOfDayInformation({
      totalMinor: totals.total,
      trace: totals.receiptTo,
      at: toZvtDateTime(this.timers.now()),
      receiptFrom: totals.receiptFrom,
      receiptTo: totals.receiptTo,
      groups: totals.groups,
      ...(this.state.ecrSentCurrency ? { currencyNumeric: this.ourCurrencyNumeric() } : {}),
    });
    const ans = await this.exchange(op, info, this.opts.t3Ms);
    if (!this.checkAnswer(op, ans)) return;
    await this.close(op, COMPLETION_APDU);
  }

  /**
   * End-of-Day also closes the bridge's business day (docs/receipts.md): the day's totals are stored, each terminal's
   * batch is closed where its link can, and the reconciliation with the host follows. The register's own totals
   * (above) do not wait for it and do not depend on it.
   */
  private async closeBusinessDay(): Promise<void> {
    if (!this.api.endOfDay) return;
    try {
      const report = await this.api.endOfDay({});
      this.log.info(
        { day: report.businessDay, reconciliation: report.reconciliation },
        'End-of-Day: business day closed',
      );
    } catch (e) {
      this.log.warn(
        { err: e },
        'End-of-Day: the business day could not be closed; the register gets its totals anyway',
      );
    }
  }

  // ---- receipts (06 D1 / 06 D3) -------------------------------------------------------------------------------------

  /**
   * The payment's receipts for a register that prints them (config bits 02 and 80): the bridge's merchant and
   * customer copies (docs/receipts.md) at the widest of 48/40/32 columns that fits the register's printer (TLV 12),
   * as one 06 D3 text block per copy when the register listed 06 D3 at Registration (TLV 26), else as 06 D1 lines
   * with the last line of each copy marked (attribute 81). A printer narrower than 32 columns, or a bridge without
   * journaled receipts, gets the short customer receipt of receipt.ts.
   */
  private async printReceipt(op: Operation, facts: ReceiptFacts): Promise<void> {
    const c = this.state.config;
    if (
      this.opts.receipts !== 'auto' ||
      !(c & CONFIG.ECR_PRINTS_PAYMENT_RECEIPTS) ||
      !(c & CONFIG.RECEIPT_LINES_VIA_06D1)
    )
      return;
    let copies: Array<{ type: number; lines: string[] }>;
    try {
      copies = this.receiptCopies(facts);
    } catch (e) {
      this.log.error({ err: e }, 'receipt lines could not be built; none sent');
      return;
    }
    const blocks = this.state.ecrCommands.has(CMD.PRINT_TEXT_BLOCK);
    const messages = blocks
      ? copies.map((copy) => printTextBlock(copy.type, copy.lines))
      : copies.flatMap((copy) =>
          copy.lines.map((line, i) => printLine(i === copy.lines.length - 1 ? PRINT_LAST_LINE : PRINT_NORMAL, line)),
        );
    for (const m of messages) {
      if (op.lost || this.link.closed) return;
      const ans = await this.exchange(op, m, this.opts.t3Ms);
      if (!this.checkAnswer(op, ans)) return;
      if (ans.kind === 'answer' && !isPositiveReply(ans.apdu)) {
        this.log.info(
          { rc: ans.apdu.instr },
          `register cannot print (84 xx to ${blocks ? '06 D3' : '06 D1'}): receipt stopped`,
        );
        return;
      }
    }
  }

  private receiptCopies(facts: ReceiptFacts): Array<{ type: number; lines: string[] }> {
    const width = RECEIPT_WIDTHS.find((w) => w <= this.state.printerWidth);
    if (width && this.api.receipt) {
      let rendering: ReceiptRendering | undefined;
      try {
        rendering = this.api.receipt(this.who, facts.result.ref, {
          kind: facts.result.kind,
          width,
          ascii: true,
          ...(this.locale ? { locale: this.locale } : {}),
        });
      } catch (e) {
        this.log.warn(
          { err: e, ref: facts.result.ref },
          'the journaled receipt is not available: the short receipt is printed',
        );
      }
      if (rendering) {
        return [
          { type: RECEIPT_TYPE.merchant, lines: rendering.merchant },
          { type: RECEIPT_TYPE.customer, lines: rendering.customer },
        ];
      }
    }
    return [{ type: RECEIPT_TYPE.customer, lines: receiptLines(facts, this.state.printerWidth, this.locale) }];
  }

  // ---- outbound ----------------------------------------------------------------------------------------------------

  /** A reply to a register command (80 00 00 / 84 xx 00): sent, never answered. */
  private async reply(bytes: Buffer): Promise<void> {
    if (this.link.closed) return;
    try {
      await this.link.send(bytes);
    } catch (e) {
      this.log.warn({ reason: (e as Error).message }, 'reply could not be sent');
    }
  }

  /** A reply that ends the command (84 xx refusals, Log-Off): master rights never left the register, so the next
   *  command may follow at once. */
  private finalReply(op: Operation, bytes: Buffer): Promise<void> {
    if (this.current === op) this.current = undefined;
    return this.reply(bytes);
  }

  /** Our closing message (06 0F / 06 1E): returns true when the register acknowledged it. */
  private async close(op: Operation, bytes: Buffer): Promise<boolean> {
    const ans = await this.exchange(op, bytes, this.opts.t3Ms, true);
    return this.checkAnswer(op, ans) && ans.kind === 'answer' && isPositiveReply(ans.apdu);
  }

  /** 06 1E with a result code (and our CC with 6F, TLV 1F16/1F17 with a text). */
  private finishAbort(op: Operation, r: ZvtResult): Promise<boolean> {
    return this.close(
      op,
      abortMessage({
        resultCode: r.code,
        ...(r.code === RC.WRONG_CURRENCY ? { currencyNumeric: this.ourCurrencyNumeric() } : {}),
        ...(r.extendedCode !== undefined ? { extendedCode: r.extendedCode } : {}),
        ...(r.text !== undefined ? { text: asciiText(r.text, languageOf(this.locale)) } : {}),
      }),
    );
  }

  /** False when the register did not answer (T3, transmission error, link closed); the operation is then lost. */
  private checkAnswer(op: Operation, ans: EcrAnswer): boolean {
    if (ans.kind === 'timeout') {
      this.lose(op, `no answer within T3 (${this.opts.t3Ms} ms)`);
      return false;
    }
    if (ans.kind === 'transmission') {
      this.lose(op, ans.message);
      return false;
    }
    return ans.kind !== 'closed';
  }

  /** §4: an expired T3 (or a transmission error) aborts the operation; on TCP the socket is closed. */
  private lose(op: Operation, reason: string): void {
    if (op.lost) return;
    op.lost = true;
    this.log.warn({ command: op.name, reason }, 'register stopped answering: operation aborted');
    const pay = this.payment;
    if (pay && !pay.finished) {
      pay.aborted = true;
      this.requestCancel(pay);
    }
    this.link.drop();
  }

  /** A message the register must answer with 80 00 / 84 xx; sent one at a time, in order. */
  private exchange(op: Operation, bytes: Buffer, timeoutMs: number, final = false): Promise<EcrAnswer> {
    const run = this.chain.then(() => this.exchangeNow(op, bytes, timeoutMs, final));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private exchangeNow(op: Operation, bytes: Buffer, timeoutMs: number, final: boolean): Promise<EcrAnswer> {
    if (this.link.closed || op.lost) return Promise.resolve({ kind: 'closed' });
    return new Promise<EcrAnswer>((resolve) => {
      let timer: TimerHandle | undefined;
      let done = false;
      const entry: Pending = {
        op,
        final,
        resolve: (answer) => {
          if (done) return;
          done = true;
          timer?.cancel();
          if (this.pending === entry) this.pending = undefined;
          resolve(answer);
        },
      };
      this.pending = entry;
      this.link.send(bytes).then(
        () => {
          // The register's timer runs from when the message reached it (serial: from the ACK).
          if (!done) timer = this.timers.after(timeoutMs, () => entry.resolve({ kind: 'timeout' }));
        },
        (e: unknown) => entry.resolve({ kind: 'transmission', message: (e as Error).message }),
      );
    });
  }

  // ---- data for the messages -------------------------------------------------------------------------------------

  private ourCurrencyNumeric(): string {
    return currencyOf(this.opts.currency).numeric;
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

  /** BMP 29: the configured TID, else the myPOS terminal id when it is numeric (§5 details). */
  private terminalId(fromResult?: string): string | undefined {
    if (this.opts.terminalId) return this.opts.terminalId.padStart(8, '0');
    const direct = numericTid(fromResult);
    if (direct) return direct;
    try {
      return numericTid(this.api.terminalFor(this.who, this.opts.terminal).terminalId);
    } catch {
      return undefined;
    }
  }

  private facts(result: PaymentResult): ReceiptFacts {
    const tid = this.terminalId(result.terminalId);
    const trace = traceOf(result);
    const cardName = result.applicationLabel ?? result.cardScheme;
    return {
      result,
      at: resultDateTime(result, this.timers.now()),
      ...(tid !== undefined ? { terminalId: tid } : {}),
      ...(trace !== undefined ? { trace } : {}),
      ...(result.receiptNo !== undefined ? { receiptNo: result.receiptNo } : {}),
      ...(cardName !== undefined ? { cardName } : {}),
    };
  }

  /** §7: the BMPs of 04 0F from a result. */
  private transactionReport(
    result: PaymentResult,
    zr: ZvtResult,
    facts: ReceiptFacts,
    echoCurrency: boolean,
    extra: { originalTrace?: number },
  ): TransactionReport {
    const amount =
      result.processedAmount && result.processedAmount.currency === result.amount.currency
        ? result.processedAmount
        : result.amount;
    const pan = panRules.register(result.panMasked);
    const cardType = cardTypeFor(result);
    const tlv = zr.text !== undefined || zr.extendedCode !== undefined ? errorTlv(zr) : [];
    return {
      resultCode: zr.code,
      amountMinor: amount.minor,
      trace: facts.trace ?? '0',
      ...(extra.originalTrace !== undefined ? { originalTrace: extra.originalTrace } : {}),
      at: facts.at,
      ...(pan !== undefined ? { panMasked: pan } : {}),
      ...(facts.terminalId !== undefined ? { terminalId: facts.terminalId } : {}),
      ...(result.merchantId ? { vuNumber: result.merchantId.slice(0, 15) } : {}),
      ...(result.authCode ? { authCode: result.authCode.slice(0, 8) } : {}),
      ...(result.receiptNo !== undefined ? { receiptNo: result.receiptNo % 10_000 } : {}),
      ...(cardType !== undefined ? { cardType } : {}),
      ...(result.applicationLabel ? { cardName: result.applicationLabel.slice(0, 98) } : {}),
      ...(echoCurrency ? { currencyNumeric: currencyOf(result.amount.currency).numeric } : {}),
      ...(tlv.length > 0 ? { tlv } : {}),
    };
  }
}

// ---- helpers -----------------------------------------------------------------------------------------------------------

function numericTid(tid: string | undefined): string | undefined {
  const t = tid?.trim();
  return t && /^[0-9]{1,8}$/.test(t) ? t.padStart(8, '0') : undefined;
}

/** BMP 0B: the terminal's trace (STAN) when it is numeric, else the bridge's receipt number (§7, §11). */
export function traceOf(result: Pick<PaymentResult, 'stan' | 'receiptNo'>): string | undefined {
  const stan = result.stan?.trim();
  if (stan && /^[0-9]+$/.test(stan)) return stan.replace(/^0+(?=[0-9])/, '');
  return result.receiptNo !== undefined ? String(result.receiptNo) : undefined;
}

export function toZvtDateTime(d: Date): ZvtDateTime {
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
  };
}

/**
 * The transaction's date and time from the terminal's fields, read leniently (the myPOS formats are not public):
 * time "143015" or "14:30:15"; date "2025-11-25", "20251125", "251125" (YYMMDD), "25.11.2025", "1125" (MMDD), or an
 * ISO timestamp. Falls back to `now` for whatever cannot be read.
 */
export function resultDateTime(result: Pick<PaymentResult, 'txDate' | 'txTime'>, now: Date): ZvtDateTime {
  const base = toZvtDateTime(now);
  let { year, month, day, hour, minute, second } = base;
  const iso = result.txDate && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?/.exec(result.txDate);
  if (iso) {
    const [y, mo, d] = result.txDate!.slice(0, 10).split('-').map(Number) as [number, number, number];
    const [h, mi, s] = result.txDate!.slice(11, 19).split(':').map(Number) as [number, number, number?];
    return validDateTime({ year: y, month: mo, day: d, hour: h, minute: mi, second: s ?? 0 }, base);
  }
  const t = result.txTime?.trim();
  if (t) {
    const parts = /^(\d{2}):?(\d{2}):?(\d{2})?/.exec(t);
    if (parts) {
      hour = Number(parts[1]);
      minute = Number(parts[2]);
      second = parts[3] !== undefined ? Number(parts[3]) : 0;
    }
  }
  const dt = result.txDate?.trim();
  if (dt) {
    const groups = dt.split(/[^0-9]+/).filter((g) => g.length > 0);
    if (groups.length === 3) {
      const [a, b, c] = groups as [string, string, string];
      if (a.length === 4) [year, month, day] = [Number(a), Number(b), Number(c)];
      else if (c.length === 4) [day, month, year] = [Number(a), Number(b), Number(c)];
      else [year, month, day] = [2000 + Number(a), Number(b), Number(c)];
    } else if (groups.length === 1) {
      const g = groups[0] as string;
      if (g.length === 8) [year, month, day] = [Number(g.slice(0, 4)), Number(g.slice(4, 6)), Number(g.slice(6, 8))];
      else if (g.length === 6)
        [year, month, day] = [2000 + Number(g.slice(0, 2)), Number(g.slice(2, 4)), Number(g.slice(4, 6))];
      else if (g.length === 4) [month, day] = [Number(g.slice(0, 2)), Number(g.slice(2, 4))];
    }
  }
  return validDateTime({ year, month, day, hour, minute, second }, base);
}

function validDateTime(t: ZvtDateTime, fallback: ZvtDateTime): ZvtDateTime {
  const okDate = t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31 && t.year >= 1 && t.year <= 9999;
  const okTime = t.hour <= 23 && t.minute <= 59 && t.second <= 59 && t.hour >= 0 && t.minute >= 0 && t.second >= 0;
  return {
    ...(okDate
      ? { year: t.year, month: t.month, day: t.day }
      : { year: fallback.year, month: fallback.month, day: fallback.day }),
    ...(okTime
      ? { hour: t.hour, minute: t.minute, second: t.second }
      : { hour: fallback.hour, minute: fallback.minute, second: fallback.second }),
  };
}

/**
 * End-of-Day totals (§7 BMP 60, §11) from the payments the bridge closed the day with: approved, not reversed, in
 * the listener's currency. Sales count and add; refunds count and subtract (a group never goes below zero).
 */
export function dayTotals(
  views: readonly PaymentView[],
  currency: string,
): {
  total: number;
  receiptFrom: number;
  receiptTo: number;
  groups: TotalsLine[];
} {
  const groups = new Map<TotalsGroup, { count: number; totalMinor: number }>(
    TOTALS_GROUPS.map((g) => [g, { count: 0, totalMinor: 0 }]),
  );
  let receiptFrom = 0;
  let receiptTo = 0;
  for (const v of views) {
    if (v.outcome !== 'approved' || v.reversed || v.amount.currency !== currency) continue;
    if (v.kind !== 'sale' && v.kind !== 'refund' && v.kind !== 'completion') continue;
    const group = groups.get(totalsGroupFor(v.result ? cardTypeFor(v.result) : undefined))!;
    group.count++;
    group.totalMinor += v.kind === 'refund' ? -v.amount.minor : v.amount.minor;
    const no = v.result?.receiptNo;
    if (no !== undefined) {
      receiptFrom = receiptFrom === 0 ? no : Math.min(receiptFrom, no);
      receiptTo = Math.max(receiptTo, no);
    }
  }
  const lines = TOTALS_GROUPS.map((g) => {
    const v = groups.get(g)!;
    return { count: v.count, totalMinor: Math.max(0, v.totalMinor) };
  });
  return { total: lines.reduce((s, l) => s + l.totalMinor, 0), receiptFrom, receiptTo, groups: lines };
}
