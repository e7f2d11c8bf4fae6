/**
 * Caisse-AP session: the bridge acting as a French payment terminal toward an unmodified register over TCP — read
 * beside ../shared/specs/caisse-ap.md §1 (receive rule), §4 (what is refused, in which order), §6 (answers),
 * §9 (dialogue and timers) and §10 (commit point).
 *
 * One listener is one terminal: while one of its payments runs, every other request — on any connection — gets the
 * busy answer (AE=01 AF=07) at once (§4 step 1). Each answer goes out in one write (§9.1 step 4; a register that reads
 * once must get all of it), nothing is written while a payment runs (§9.1 step 3), and after the answer the bridge
 * half-closes and drains (§9.1 step 5, option closeAfterAnswer).
 *
 * The commit rule (§10): the whole answer written to a connection the register still holds is the commit point
 * → api.delivery(…, 'written'). A register gone before its answer (end of stream, reset, failed write, the deadline
 * passed) → 'rejected': the bridge reverses the approved payment on the terminal. In immediate mode (BA=1) the commit
 * happens outside the protocol: the bridge never reverses, it reports 'written' when the result is in.
 */
import type { BridgeApi, PaymentView, RegisterIdentity } from '../../bridge/api';
import { asBridgeError, type BridgeError } from '../../domain/errors';
import type { PaymentResult } from '../../domain/payment';
import type { TransactionKind } from '../../domain/vocabulary';
import type { Logger } from '../../log/logger';
import type { ByteStream } from '../../transport/byte-stream';
import type { RegisterContext, RegisterProtocol } from '../protocol';
import { realTimers, type TimerHandle, type Timers } from '../zvt/timers';
import { scanMessages, type Field } from './codec';
import {
  AE,
  AF,
  answer,
  cardFields,
  checkRequest,
  echoBlock,
  resultCodes,
  type AfCode,
  type ServedRequest,
} from './messages';
import { parseCaisseApOptions, type CaisseApOptions } from './options';

/** How long a half-closed connection may stay before it is closed anyway (the register should close at once). */
const LINGER_MS = 10_000;

/** What one listener — one impersonated terminal — keeps across its connections. */
class TerminalState {
  /** A payment of this listener is running (§4 step 1). */
  busy = false;
  /** §9.3: the final answer of the last transaction, for CD=T. */
  lastAnswer: Buffer | undefined;
  /** The last transaction number given per register (CA), for the refs (§4 "Duplicates"). */
  readonly numbers = new Map<string, number>();
}

export interface CaisseApSetup {
  /** Timers (tests, fuzzing: manual). */
  readonly timers?: Timers;
}

/**
 * The Caisse-AP protocol of one listener. `options` are checked here, once (a mistake throws with every problem
 * named); every connection of the listener shares the terminal state.
 */
export function caisseApProtocol(options: unknown = {}, setup: CaisseApSetup = {}): RegisterProtocol {
  const opts = parseCaisseApOptions(options);
  const terminal = new TerminalState();
  const timers = setup.timers ?? realTimers;
  return {
    name: 'caisse-ap',
    serve(stream, ctx) {
      try {
        new CaisseApConnection(stream, ctx, opts, terminal, timers);
      } catch (e) {
        ctx.log.error({ err: e, peer: ctx.peer }, 'Caisse-AP session could not start');
        stream.destroy();
      }
    },
  };
}

/** A payment request being served on this connection. */
interface Running {
  readonly echo: Field[];
  readonly request: ServedRequest;
  readonly who: RegisterIdentity;
  readonly kind: TransactionKind;
  ref?: string;
  /** The bridge accepted it (a cancel can reach it). */
  submitted: boolean;
  /** The bridge's abort at abortAfterMs was sent (§9.1). */
  aborted: boolean;
  /** The register got an answer already (the deadline answer, or the immediate one). */
  answered: boolean;
  cancelSent: boolean;
  timers: TimerHandle[];
}

class CaisseApConnection {
  private readonly log: Logger;
  private readonly api: BridgeApi;
  private buffer: Buffer = Buffer.alloc(0);
  private incompleteTimer: TimerHandle | undefined;
  private quietTimer: TimerHandle | undefined;
  private lingerTimer: TimerHandle | undefined;
  /** Requests of this connection whose answer is still to be written. */
  private open = 0;
  /** The register ended its side, reset or closed the connection. */
  private gone = false;
  /** We half-closed after the answer: what still arrives is drained. */
  private ended = false;
  private readonly running = new Set<Running>();
  /** The connection began with a Caisse-AP field (CZ); until then a bad frame means another protocol. */
  private trusted = false;
  /** Close after the answers even with closeAfterAnswer off: the peer is not a Caisse-AP register. */
  private refuseForeign = false;

  constructor(
    private readonly stream: ByteStream,
    private readonly ctx: RegisterContext,
    private readonly o: CaisseApOptions,
    private readonly terminal: TerminalState,
    private readonly timers: Timers,
  ) {
    this.api = ctx.api;
    this.log = ctx.log.child({ peer: ctx.peer, protocol: 'caisse-ap' });
    stream.on('data', (chunk) => this.guard(() => this.onData(chunk)));
    stream.on('end', () => this.guard(() => this.onGone('the register ended the connection')));
    stream.on('close', () => this.guard(() => this.onGone('connection closed')));
    stream.on('error', (err) => this.log.debug({ reason: err.message }, 'register connection error'));
  }

  /** Nothing a register sends may throw out of the session. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error({ err: e }, 'Caisse-AP input handling failed');
    }
  }

  // ---- receiving (§1) ------------------------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.ended || this.gone) return; // drained
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    this.scan();
  }

  /**
   * §1 receive rule: messages followed by the next CZ are whole; the last one is whole once its fields are whole,
   * CZ and CD are in, and nothing more arrived for quietMs. Bytes that make no sense are answered AE=01 AF=09 at once.
   */
  private scan(): void {
    this.quietTimer?.cancel();
    this.quietTimer = undefined;
    for (;;) {
      if (this.buffer.length === 0) {
        this.stopIncompleteTimer();
        return;
      }
      this.incompleteTimer ??= this.timers.after(this.o.incompleteMs, () => this.guard(() => this.onIncomplete()));
      const r = scanMessages(this.buffer);
      for (const m of r.messages) this.dispatch(m);
      if (r.problem) {
        // Everything received with a bad frame is dropped: bytes after it are never searched for a request (a
        // browser's POST body must not become a payment). A connection that did not start as Caisse-AP is no
        // register's: it gets its answer and is closed whatever closeAfterAnswer says (DESIGN: trust at the first byte).
        const foreign = !this.trusted && r.messages.length === 0;
        this.log.warn(
          { reason: r.problem.reason, at: r.problem.at, foreign },
          foreign ? 'not a Caisse-AP register: AE=01 AF=09, connection closed' : 'malformed request: AE=01 AF=09',
        );
        if (foreign) this.refuseForeign = true;
        this.refuse(r.tail.fields, AF.FORMAT_ERROR);
        this.restart(this.buffer.length);
        continue;
      }
      if (r.messages.length > 0 || r.tail.fields.length > 0) this.trusted = true;
      if (r.messages.length > 0) {
        this.restart(r.tail.start);
        continue;
      }
      if (this.buffer.length > this.o.maxRequestBytes) {
        this.log.warn({ bytes: this.buffer.length }, 'request too long: AE=01 AF=09');
        this.refuse(r.tail.fields, AF.FORMAT_ERROR);
        this.restart(this.buffer.length);
        continue;
      }
      const tags = new Set(r.tail.fields.map((f) => f.tag));
      if (r.tail.whole && tags.has('CZ') && tags.has('CD')) {
        const fields = r.tail.fields;
        this.quietTimer = this.timers.after(this.o.quietMs, () =>
          this.guard(() => {
            this.quietTimer = undefined;
            this.restart(this.buffer.length);
            this.stopIncompleteTimer();
            this.dispatch(fields);
          }),
        );
      }
      return;
    }
  }

  /** Drops the bytes before `offset`; the incomplete timer starts again with the next request. */
  private restart(offset: number): void {
    this.buffer = this.buffer.subarray(offset);
    this.stopIncompleteTimer();
  }

  private stopIncompleteTimer(): void {
    this.incompleteTimer?.cancel();
    this.incompleteTimer = undefined;
  }

  /** §1: still incomplete incompleteMs after its first byte → AE=01 AF=09; whatever came is dropped. */
  private onIncomplete(): void {
    this.incompleteTimer = undefined;
    if (this.buffer.length === 0 || this.gone || this.ended) return;
    this.quietTimer?.cancel();
    this.quietTimer = undefined;
    const r = scanMessages(this.buffer);
    this.log.warn({ bytes: this.buffer.length }, `request incomplete after ${this.o.incompleteMs} ms: AE=01 AF=09`);
    this.buffer = Buffer.alloc(0);
    this.refuse(r.tail.fields, AF.FORMAT_ERROR);
  }

  private onGone(why: string): void {
    if (this.gone) return;
    this.gone = true;
    this.quietTimer?.cancel();
    this.stopIncompleteTimer();
    if (this.buffer.length > 0)
      this.log.info(
        { bytes: this.buffer.length },
        'the register left before its request was complete: nothing started',
      );
    this.buffer = Buffer.alloc(0);
    for (const run of this.running) {
      if (run.request.immediate || run.answered) continue;
      this.log.warn({ ref: run.ref, why }, 'the register left before its answer');
      if (this.o.cancelWhenRegisterLeaves) this.requestCancel(run);
    }
    if (this.open === 0) this.stream.destroy();
    else this.stream.end();
  }

  // ---- serving (§4) --------------------------------------------------------------------------------------------------

  private dispatch(fields: Field[]): void {
    const echo = echoBlock(fields);
    const cd = fields.find((f) => f.tag === 'CD')?.value;
    this.log.debug({ cd, fields: fields.length }, 'register request');
    // §4 step 1: one terminal, one transaction at a time.
    if (this.terminal.busy) {
      this.log.info({ cd }, 'request while a transaction runs: AE=01 AF=07 (busy)');
      void this.answerOnce(answer(echo, AE.NOT_DONE, AF.NOT_COMPLETED));
      return;
    }
    const check = checkRequest(fields, this.terminalCurrency());
    if (!check.ok) {
      this.log.info({ cd, af: check.af, reason: check.reason }, `request refused: AE=01 AF=${check.af}`);
      void this.answerOnce(answer(echo, AE.NOT_DONE, check.af));
      return;
    }
    const req = check.request;
    switch (req.op) {
      case 'identification':
        void this.answerOnce(this.healthy() ? answer(echo, AE.DONE) : answer(echo, AE.NOT_DONE, AF.NOT_COMPLETED));
        return;
      case 'status':
        void this.answerOnce(this.terminal.lastAnswer ?? answer(echo, AE.NOT_DONE, AF.UNKNOWN));
        return;
      default: {
        this.terminal.busy = true;
        const run: Running = {
          echo,
          request: req,
          who: { ...this.ctx.identity, register: `${this.ctx.identity.listener}/${req.register}` },
          kind: req.op === 'void' ? 'reversal' : req.op,
          submitted: false,
          aborted: false,
          answered: false,
          cancelSent: false,
          timers: [],
        };
        this.open++;
        this.running.add(run);
        void this.pay(run)
          .catch((e: unknown) => this.log.error({ err: e, ref: run.ref }, 'Caisse-AP payment handling failed'))
          .finally(() => {
            for (const t of run.timers) t.cancel();
            this.running.delete(run);
            this.terminal.busy = false;
            if (!run.answered) {
              run.answered = true;
              this.open--;
            }
            this.closeIfDone();
          });
      }
    }
  }

  /** A refusal: the echo block of what could be read, AE=01 and the code. */
  private refuse(fields: readonly Field[], af: AfCode): void {
    void this.answerOnce(answer(echoBlock(fields), AE.NOT_DONE, af));
  }

  /** An answer that needs no payment: written at once, then the connection may close. */
  private async answerOnce(bytes: Buffer): Promise<void> {
    this.open++;
    try {
      await this.write(bytes);
    } finally {
      this.open--;
      this.closeIfDone();
    }
  }

  private terminalCurrency(): string | undefined {
    try {
      return this.api.terminalFor(this.ctx.identity).currency;
    } catch {
      return undefined;
    }
  }

  /** §9.3 CD=I: the myPOS link is healthy when the bridge's view of the terminal is ready or busy. */
  private healthy(): boolean {
    try {
      const s = this.api.terminalFor(this.ctx.identity).state;
      return s === 'ready' || s === 'busy';
    } catch {
      return false;
    }
  }

  // ---- a payment (§9, §10) -------------------------------------------------------------------------------------------

  private async pay(run: Running): Promise<void> {
    const { request: req, echo, who } = run;
    let ref: string;
    if (req.op === 'void') {
      // §4 CD=2: the last transaction, original amount only.
      const last = this.api.last(who);
      const why = voidRefusal(last, req);
      if (why || !last) {
        this.log.info({ why }, 'cancellation refused: AE=01 AF=07');
        await this.finalAnswer(run, answer(echo, AE.NOT_DONE, AF.NOT_COMPLETED));
        return;
      }
      ref = last.ref;
    } else {
      ref = this.nextRef(who, req.register);
    }
    run.ref = ref;
    this.log.info(
      {
        ref,
        kind: run.kind,
        register: who.register,
        amount: req.amountMinor,
        currency: req.currency?.code,
        ...(req.externalRef ? { externalRef: req.externalRef } : {}),
        immediate: req.immediate,
      },
      'Caisse-AP request',
    );

    if (!req.immediate) {
      // §9.1 timers: abort at abortAfterMs, answer at the latest at answerDeadlineMs.
      run.timers.push(
        this.timers.after(this.o.abortAfterMs, () =>
          this.guard(() => {
            run.aborted = true;
            this.log.warn({ ref }, `no result after ${this.o.abortAfterMs} ms: asking the terminal to abort`);
            this.requestCancel(run);
          }),
        ),
      );
      run.timers.push(
        this.timers.after(this.o.answerDeadlineMs, () =>
          this.guard(() => {
            this.log.warn(
              { ref },
              `no result after ${this.o.answerDeadlineMs} ms: AE=01 AF=08; an approval after this is reversed`,
            );
            void this.finalAnswer(run, answer(echo, AE.NOT_DONE, AF.TIME_OUT));
          }),
        ),
      );
    }

    let result: PaymentResult;
    try {
      const handle = await this.api.submit(who, {
        kind: run.kind,
        ref,
        ...(req.op !== 'void' && req.amountMinor !== undefined && req.currency
          ? { amount: { minor: req.amountMinor, currency: req.currency.code } }
          : {}),
      });
      run.submitted = true;
      if (handle.attached)
        this.log.warn({ ref }, 'the ref was known already: its result is answered, nothing new was charged');
      if (req.immediate) {
        // §6.3, §9.2: the immediate answer, at once and in one write; the payment runs on.
        const immediate = answer(echo, this.o.immediateStatus);
        if (this.o.pushFinalAnswer) await this.write(immediate);
        else await this.finalAnswer(run, immediate);
      } else if (this.gone && this.o.cancelWhenRegisterLeaves) {
        this.requestCancel(run);
      }
      result = await handle.result.catch((e: unknown): PaymentResult => {
        this.log.error({ err: e, ref }, 'payment result lost inside the bridge');
        return {
          ref,
          kind: run.kind,
          outcome: 'in_doubt',
          amount: { minor: req.amountMinor ?? 0, currency: req.currency?.code ?? 'EUR' },
          terminal: '',
          message: 'the bridge lost the result',
        };
      });
    } catch (e) {
      const err = asBridgeError(e);
      const af = afForRefusal(err);
      this.log.info({ ref, code: err.code, reason: err.message }, `the bridge refused the payment: AE=01 AF=${af}`);
      await this.finalAnswer(run, answer(echo, AE.NOT_DONE, af));
      return;
    }
    for (const t of run.timers) t.cancel();
    await this.deliver(run, result);
  }

  /** §10: the result under the commit rule. */
  private async deliver(run: Running, result: PaymentResult): Promise<void> {
    const codes = resultCodes(result, run.aborted);
    const approved = result.outcome === 'approved';
    const done = approved
      ? answer(run.echo, AE.DONE, this.o.authorisedCode ? AF.AUTHORISED : undefined, cardFields(result, this.o))
      : answer(run.echo, codes.ae, codes.af);
    const ref = run.ref!;

    if (run.request.immediate) {
      // §10 rule 7: committed outside the protocol (the cashier, or CD=T) — never reversed by the bridge.
      this.terminal.lastAnswer = done;
      if (this.o.pushFinalAnswer && !run.answered && !this.gone && !this.ended) await this.finalAnswer(run, done);
      await this.report(run, 'written');
      return;
    }

    // An approval the register can no longer take is reversed (§10 rules 2, 4, 5) — a reversal itself cannot be.
    const lost: 'rejected' | 'undeliverable' =
      (approved || result.outcome === 'in_doubt') && run.kind !== 'reversal' ? 'rejected' : 'undeliverable';
    const notDone = answer(run.echo, AE.NOT_DONE, approved ? AF.NOT_COMPLETED : codes.af);
    if (run.answered) {
      this.log.warn({ ref, outcome: result.outcome }, 'the result came after the deadline answer');
      this.terminal.lastAnswer = lost === 'rejected' ? notDone : done;
      await this.report(run, lost);
      return;
    }
    if (this.gone || this.ended) {
      this.log.warn(
        { ref, outcome: result.outcome },
        lost === 'rejected' && approved
          ? 'the register left before its answer: the approved payment is reversed'
          : 'the register left before its answer',
      );
      this.terminal.lastAnswer = lost === 'rejected' ? notDone : done;
      await this.report(run, lost);
      return;
    }
    const written = await this.finalAnswer(run, done);
    this.terminal.lastAnswer = written || lost === 'undeliverable' ? done : notDone;
    if (!written)
      this.log.warn({ ref, outcome: result.outcome }, 'the answer could not be written: the register is gone');
    // in_doubt was answered "not done, unknown": should it turn out approved, it is reversed.
    await this.report(run, written ? (result.outcome === 'in_doubt' ? 'rejected' : 'written') : lost); // ← the commit point
  }

  private async report(run: Running, how: 'written' | 'rejected' | 'undeliverable'): Promise<void> {
    try {
      await this.api.delivery(run.who, run.ref!, how, run.kind);
    } catch (e) {
      this.log.error({ err: e, ref: run.ref, how }, 'could not report the delivery to the bridge');
    }
  }

  private requestCancel(run: Running): void {
    if (!run.ref || !run.submitted || run.cancelSent) return;
    run.cancelSent = true;
    const ref = run.ref;
    this.api.cancel(run.who, ref).then(
      (a) => this.log.info({ ref, tookEffect: a.tookEffect, message: a.message }, 'cancel answered'),
      (e: unknown) => this.log.info({ ref, reason: asBridgeError(e).message }, 'cancel refused'),
    );
  }

  /**
   * The bridge's own transaction number per register (§4 "Duplicates": the request has no identifier of its own):
   * ref `CA<register>-<number>`, numbered on from the register's last payment in the journal, skipping any ref the
   * journal knows — a new request never attaches to an old payment.
   */
  private nextRef(who: RegisterIdentity, register: string): string {
    let n = this.terminal.numbers.get(who.register);
    if (n === undefined) {
      const m = /^CA[0-9A-Za-z]{1,2}-([0-9]{1,9})$/.exec(this.api.last(who)?.ref ?? '');
      n = m ? Number(m[1]) : 0;
    }
    let ref: string;
    do {
      n = n >= 999_999_999 ? 1 : n + 1;
      ref = `CA${register}-${String(n).padStart(6, '0')}`;
    } while (this.api.status(who, ref) !== undefined);
    this.terminal.numbers.set(who.register, n);
    return ref;
  }

  // ---- writing (§9.1 steps 4–5) -----------------------------------------------------------------------------------

  /** The one answer of a payment request; true when it was written completely to the open connection. */
  private async finalAnswer(run: Running, bytes: Buffer): Promise<boolean> {
    if (run.answered) return false;
    run.answered = true;
    try {
      return await this.write(bytes);
    } finally {
      this.open--;
      this.closeIfDone();
    }
  }

  /**
   * One write call per answer; true when the OS took all of it on a connection the register still held when the write
   * began. (The register may read and close before the write's callback runs: that is a delivery, not a loss.)
   */
  private write(bytes: Buffer): Promise<boolean> {
    if (this.gone || this.ended) return Promise.resolve(false);
    return new Promise((resolve) => {
      try {
        this.stream.write(bytes, (err) => resolve(!err));
      } catch {
        resolve(false);
      }
    });
  }

  /** §9.1 step 5: after the last answer, half-close (the register's read ends) and drain until it closes. */
  private closeIfDone(): void {
    if (
      !(this.o.closeAfterAnswer || this.refuseForeign) ||
      this.open > 0 ||
      this.buffer.length > 0 ||
      this.ended ||
      this.gone
    )
      return;
    this.ended = true;
    this.quietTimer?.cancel();
    this.stopIncompleteTimer();
    this.stream.end();
    this.lingerTimer = this.timers.after(LINGER_MS, () => this.stream.destroy());
    this.stream.on('close', () => this.lingerTimer?.cancel());
  }
}

/** §4 CD=2: why the register's last transaction cannot be cancelled (undefined: it can). */
function voidRefusal(last: PaymentView | undefined, req: ServedRequest): string | undefined {
  if (!last) return 'no earlier transaction of this register';
  if (last.kind !== 'sale') return `the last transaction is a ${last.kind}`;
  if (last.outcome !== 'approved') return `the last transaction is ${last.outcome ?? 'still running'}`;
  if (last.reversed) return 'the last transaction is cancelled already';
  if (last.amount.minor !== req.amountMinor || last.amount.currency !== req.currency?.code)
    return 'CB/CE differ from the last transaction';
  return undefined;
}

/** §7: the bridge's refusals in AF codes. */
function afForRefusal(e: BridgeError): AfCode {
  switch (e.code) {
    case 'currency_mismatch':
    case 'unknown_currency':
      return AF.CURRENCY_NOT_SUPPORTED;
    case 'invalid_amount':
      return AF.FORMAT_ERROR;
    case 'unsupported':
      return AF.UNKNOWN_ACTION;
    default:
      return AF.NOT_COMPLETED;
  }
}
