/**
 * ZVT session: the bridge acting as the payment terminal (PT) toward an unmodified register (ECR) — read beside
 * zvt.md §4 (master/slave rule, timers), §5 (commands), §6 (messages we send), §9 (dialogues) and §10 (the
 * stored-transaction rule).
 *
 * One session serves one connection (a TCP socket, or an open serial port): it decodes the register's commands,
 * checks them (Registration, password, amount) and serves them — Registration, Log-Off, Status-Enquiry and
 * End-of-Day here, payments in payments.ts (the commit rule), our messages and the register's answers in dialogue.ts,
 * a result's ZVT fields in result-fields.ts. What a Registration sets up belongs to the listener, not to the
 * connection (listener-state.ts): registers open a new TCP connection per operation.
 */
import { randomBytes } from 'node:crypto';
import type { BridgeApi, PaymentView, RegisterIdentity } from '../../bridge/api';
import { asBridgeError } from '../../domain/errors';
import { currency as currencyOf } from '../../domain/currency';
import type { PaymentResult } from '../../domain/payment';
import type { Logger } from '../../log/logger';
import { BadFrameLog } from '../../log/bad-frames';
import type { ByteStream } from '../../transport/byte-stream';
import type { RegisterContext, RegisterProtocol } from '../protocol';
import { commandName, isReply, type Apdu } from './apdu';
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
  type PaymentCommand,
} from './commands';
import { EcrDialogue, type Operation } from './dialogue';
import { isMalformedCommand } from './errors';
import { tcpLink, serialLink, type ApduLink, type ApduLinkEvents } from './link';
import { freshState, type ListenerState } from './listener-state';
import {
  ACK_APDU,
  COMPLETION_APDU,
  abortMessage,
  endOfDayInformation,
  negativeAck,
  registrationCompletion,
  registrationWrongCurrency,
  statusEnquiryCompletion,
} from './messages';
import { parseZvtOptions, type ZvtOptions, type ZvtOptionsInput } from './options';
import { ZvtPayments } from './payments';
import { ReceiptPrinter } from './receipt-print';
import { registerTexts, type RegisterTexts } from '../texts';
import { languageOf } from '../../i18n/locale';
import { asciiText } from '../../i18n/transliterate';
import { DEFAULT_PRINTER_WIDTH, type ReceiptFacts } from './receipt';
import { RC, TERMINAL_STATUS, resultForError, type ZvtResult } from './result-codes';
import { dayTotals, numericTid, receiptFacts, toZvtDateTime } from './result-fields';
import { secretsEqual } from '../../security/keys';
import { peerAddress, type AuthThrottle } from '../../security/auth-throttle';
import { listenerThrottle } from '../auth';
import { realTimers, type Timers } from './timers';

export { CONFIG, DEFAULT_CONFIG, freshState, type ListenerState } from './listener-state';
export { dayTotals, resultDateTime, toZvtDateTime, traceOf } from './result-fields';

// ---- protocol factories --------------------------------------------------------------------------------------------

export interface ZvtProtocolSetup {
  /** The listener's options, parsed once when the protocol is built (a mistake throws, naming every problem). */
  options?: ZvtOptionsInput;
  /** The listener's Registration state, kept by the service (RegisterState.zvt); default: this protocol's own. */
  state?: ListenerState;
  /** Timers (tests: short or manual). */
  timers?: Timers;
  /** The ref for a new payment; default `zvt-<time>-<random>`, unique across restarts. */
  newRef?: () => string;
}

/** What every connection of a ZVT listener shares. */
interface ZvtListener {
  readonly opts: ZvtOptions;
  readonly state: ListenerState;
  readonly throttle: (ctx: RegisterContext) => AuthThrottle;
  readonly timers: Timers;
  readonly newRef: () => string;
}

/** ZVT over TCP: raw APDUs (zvt.md §1.1). */
export function zvtTcpProtocol(setup: ZvtProtocolSetup = {}): RegisterProtocol {
  // A ZVT register opens a connection for a command and sends it at once (zvt.md §1.1).
  return { name: 'zvt', guard: { firstFrameTimeoutMs: 30_000 }, serve: zvtServer('tcp', setup) };
}

/** ZVT over a serial line (RS-232, USB virtual COM, null-modem pair): DLE/STX frames with CRC (zvt.md §1.2). */
export function zvtSerialProtocol(setup: ZvtProtocolSetup = {}): RegisterProtocol {
  return { name: 'zvt', serve: zvtServer('serial', setup) };
}

function zvtServer(transport: 'tcp' | 'serial', setup: ZvtProtocolSetup): RegisterProtocol['serve'] {
  const listener: ZvtListener = {
    opts: parseZvtOptions(setup.options ?? {}),
    state: setup.state ?? freshState(),
    throttle: listenerThrottle('password'),
    timers: setup.timers ?? realTimers,
    newRef: setup.newRef ?? (() => `zvt-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`),
  };
  return (stream, ctx) => {
    try {
      new ZvtSession(transport, stream, ctx, listener);
    } catch (e) {
      ctx.log.error({ err: e, peer: ctx.peer }, 'ZVT session could not start');
      stream.destroy();
    }
  };
}

// ---- the session ---------------------------------------------------------------------------------------------------

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
  private readonly opts: ZvtOptions;
  /** Failed password tries of this listener, per peer address. */
  private readonly throttle: (ctx: RegisterContext) => AuthThrottle;
  /** Which command is served, our replies and the messages the register must answer (§4). */
  private readonly dialogue: EcrDialogue;
  private readonly payments: ZvtPayments;
  /** Receipt lines after a committed payment (06 D1 / 06 D3). */
  private readonly receipts: ReceiptPrinter;
  /** Texts for the register (1F17, receipt lines) in the listener's language (German unless configured). */
  private readonly texts: RegisterTexts;
  private readonly locale: string | undefined;

  constructor(transport: 'tcp' | 'serial', stream: ByteStream, ctx: RegisterContext, listener: ZvtListener) {
    const opts = listener.opts;
    this.opts = opts;
    this.timers = listener.timers;
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
    this.state = listener.state;
    this.throttle = listener.throttle;
    this.newRef = listener.newRef;
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
    this.dialogue = new EcrDialogue({
      link: this.link,
      timers: this.timers,
      log: this.log,
      t3Ms: opts.t3Ms,
      abortMessage: (r) => this.abortMessage(r),
      onLost: () => this.payments.onLost(),
    });
    this.receipts = new ReceiptPrinter({
      dialogue: this.dialogue,
      api: this.api,
      who: this.who,
      opts,
      state: this.state,
      log: this.log,
      locale: this.locale,
    });
    this.payments = new ZvtPayments({
      dialogue: this.dialogue,
      api: this.api,
      who: this.who,
      opts,
      log: this.log,
      timers: this.timers,
      texts: this.texts,
      state: this.state,
      newRef: this.newRef,
      facts: (result) => this.facts(result),
      printReceipt: (op, facts) => this.receipts.print(op, facts),
    });
  }

  // ---- inbound ---------------------------------------------------------------------------------------------------

  private onApdu(a: Apdu): void {
    try {
      if (isReply(a)) {
        this.dialogue.onReply(a);
        return;
      }
      const control = controlOf(a);
      this.log.debug({ command: commandName(a), length: a.data.length }, 'register command');
      if (control === CMD.ABORT) {
        this.onAbort();
        return;
      }
      if (this.dialogue.current) {
        this.badFrames.note(
          'warn',
          { command: commandName(a), running: this.dialogue.current.name },
          'command while another runs: 84 83 00',
        );
        void this.dialogue.reply(negativeAck(RC.FUNCTION_NOT_POSSIBLE));
        return;
      }
      const op: Operation = { name: commandName(a), lost: false, master: false };
      this.dialogue.current = op;
      void this.run(op, a)
        .catch((e: unknown) => this.failed(op, e))
        .finally(() => {
          if (this.dialogue.current === op) this.dialogue.current = undefined;
        });
    } catch (e) {
      this.log.error({ err: e }, 'ZVT APDU handling failed');
    }
  }

  private onMalformed(reason: string): void {
    this.badFrames.note('warn', { reason }, 'malformed APDU: 84 9A 00');
    void this.dialogue.reply(negativeAck(RC.PROTOCOL_ERROR));
  }

  private onClosed(): void {
    this.log.debug('register connection closed');
    this.badFrames.close();
    this.dialogue.onClosed();
    this.payments.onClosed();
  }

  /** 06 B0: acknowledged at once; a running payment is cancelled and ends with 06 1E 6C (§5, §10 step 8). */
  private onAbort(): void {
    void this.dialogue.reply(ACK_APDU);
    this.payments.onAbort();
  }

  /** An unexpected error inside the bridge: the register still gets its answer and its master rights back. */
  private async failed(op: Operation, e: unknown): Promise<void> {
    this.log.error({ err: e, command: op.name }, 'ZVT command failed inside the bridge');
    if (this.dialogue.current !== op || op.lost || this.dialogue.closed) return;
    if (op.master)
      await this.dialogue
        .finishAbort(op, { code: RC.SYSTEM_ERROR, text: this.texts.zvtInternal() })
        .catch(() => undefined);
    else await this.dialogue.finalReply(op, negativeAck(RC.SYSTEM_ERROR));
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
        return this.dialogue.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
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
        return this.dialogue.finalReply(op, negativeAck(RC.PROTOCOL_ERROR));
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
    const throttle = this.throttle(this.ctx);
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
    await this.dialogue.finalReply(op, negativeAck(RC.NOT_REGISTERED));
  }

  // ---- 06 00 Registration, 06 02 Log-Off, 05 01 Status-Enquiry ------------------------------------------------

  private async registration(op: Operation, cmd: ReturnType<typeof decodeRegistration>): Promise<void> {
    if (!this.passwordOk(cmd.password)) {
      this.log.warn('Registration with a wrong password: 84 83 00');
      return this.dialogue.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    }
    try {
      this.api.permit(this.who, 'registration');
    } catch (e) {
      return this.dialogue.finalReply(op, negativeAck(resultForError(asBridgeError(e), this.texts).code));
    }
    if (cmd.currency && cmd.currency.alpha !== this.opts.currency) {
      this.log.warn({ currency: cmd.currency.numeric }, 'Registration with a currency the terminal does not take');
      return this.dialogue.finalReply(op, registrationWrongCurrency(this.ourCurrencyNumeric()));
    }
    const s = this.state;
    s.config = cmd.config;
    s.registered = true;
    if (this.opts.password !== undefined) s.authenticated.add(peerAddress(this.ctx.peer));
    s.ecrSentCurrency = cmd.currency !== undefined;
    s.ecrCommands = commandsListed(cmd.tlv);
    s.printerWidth = printerWidth(cmd.tlv) ?? DEFAULT_PRINTER_WIDTH;
    this.log.info({ config: cmd.config.toString(16).padStart(2, '0') }, 'register registered');
    await this.dialogue.accept(op);
    const tid = this.terminalId();
    await this.dialogue.close(
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
    await this.dialogue.finalReply(op, ACK_APDU);
  }

  private async statusEnquiry(op: Operation, password: string | undefined, serviceByte: number): Promise<void> {
    // The enquiry's password is optional (§5): only one that is sent is checked.
    if (password !== undefined && !this.passwordOk(password))
      return this.dialogue.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    await this.dialogue.accept(op);
    const version =
      serviceByte & STATUS_SERVICE.OMIT_VERSION ? undefined : (this.opts.softwareVersion ?? this.api.version);
    await this.dialogue.close(
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
      return this.dialogue.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    }
    await this.dialogue.accept(op);
    await this.payments.newPayment(op, 'sale', cmd.amount, cmd);
  }

  private async refund(op: Operation, cmd: ReturnType<typeof decodeRefund>): Promise<void> {
    if (!this.registeredPeer()) return this.notRegistered(op);
    if (!this.passwordOk(cmd.password)) return this.dialogue.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    if (cmd.amount === undefined) {
      this.log.warn('Refund without amount: 84 83 00');
      return this.dialogue.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    }
    await this.dialogue.accept(op);
    await this.payments.newPayment(op, 'refund', cmd.amount, cmd);
  }

  private async reversal(op: Operation, cmd: ReturnType<typeof decodeReversal>): Promise<void> {
    if (!this.registeredPeer()) return this.notRegistered(op);
    if (!this.passwordOk(cmd.password)) return this.dialogue.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    await this.dialogue.accept(op);
    await this.payments.reversal(op, cmd);
  }

  // ---- 06 50 End-of-Day ---------------------------------------------------------------------------------------------

  private async endOfDay(op: Operation, password: string): Promise<void> {
    if (!this.registeredPeer()) return this.notRegistered(op);
    if (!this.passwordOk(password)) return this.dialogue.finalReply(op, negativeAck(RC.FUNCTION_NOT_POSSIBLE));
    await this.dialogue.accept(op);
    let views: PaymentView[];
    try {
      views = await this.api.closeDay(this.who);
    } catch (e) {
      await this.dialogue.finishAbort(op, resultForError(asBridgeError(e), this.texts));
      return;
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
    const ans = await this.dialogue.exchange(op, info, this.opts.t3Ms);
    if (!this.dialogue.checkAnswer(op, ans)) return;
    await this.dialogue.close(op, COMPLETION_APDU);
  }

  /**
   * End-of-Day also closes the bridge's business day (docs/receipts.md): the day's totals are stored, each terminal's
   * batch is closed where its link can, and the reconciliation with the host follows. The register's own totals
   * (above) do not wait for it and do not depend on it.
   */
  private async closeBusinessDay(): Promise<void> {
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

  // ---- data for the messages -------------------------------------------------------------------------------------

  /** 06 1E with a result code (and our CC with 6F, TLV 1F16/1F17 with a text). */
  private abortMessage(r: ZvtResult): Buffer {
    return abortMessage({
      resultCode: r.code,
      ...(r.code === RC.WRONG_CURRENCY ? { currencyNumeric: this.ourCurrencyNumeric() } : {}),
      ...(r.extendedCode !== undefined ? { extendedCode: r.extendedCode } : {}),
      ...(r.text !== undefined ? { text: asciiText(r.text, languageOf(this.locale)) } : {}),
    });
  }

  private ourCurrencyNumeric(): string {
    return currencyOf(this.opts.currency).numeric;
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
    return receiptFacts(result, tid, this.timers.now());
  }
}
