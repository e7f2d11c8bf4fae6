/**
 * Concert session: the bridge as a French payment terminal (Concert E / E+) toward an unmodified register — read
 * beside concert.md §4 (fields), §5 (A010 / A011), §7 (status), §8 (what each request becomes, the commit point).
 *
 * One session serves one open serial port (or HID-to-UART cable). Requests come from the link (link.ts) only after
 * the register closed its session with EOT; one transaction runs at a time and, meanwhile, ENQ is not acknowledged.
 *
 * Who and which payment. The register identity is the listener's plus the request's register number
 * (`<listener>/<nn>`). Concert carries no reference a register keeps unique across sessions — the 10-character
 * private field is free text, often spaces, and a new session with the same content is a new payment (§3) — so the
 * idempotency key is the bridge's own: `concert-<time>-<random>`, with the private field appended when it is not
 * blank (it is kept in the journal that way). A request frame repeated inside its session is ACKed again and paid
 * once (link.ts).
 *
 * The commit rule (§8):
 *   A010 (and protocol E): the register's ACK of the answer frame is the commit point → api.delivery('acknowledged')
 *   before the closing EOT. No ACK to our ENQ, NAK or silence after the frame repeats, or the port gone →
 *   api.delivery('rejected'): the bridge reverses an approval on myPOS and the journal says why.
 *   A011: the answer (status `0`) goes out at once, before the card is read; the payment starts only once the register
 *   ACKed it, and its outcome is never auto-reversed (the cashier reads it on the terminal) → api.delivery('written').
 *
 * Every request that is a well-formed frame is answered in the size its answer flag asks for: what the bridge cannot do
 * (cheque, other currencies, unknown type, TLV answers) gets status `9` (§7). Nothing here throws out of the session.
 */
import { randomBytes } from 'node:crypto';
import type { BridgeApi, Delivery, PaymentView, RegisterIdentity } from '../../bridge/api';
import { currencyByNumeric } from '../../domain/currency';
import { asBridgeError } from '../../domain/errors';
import type { PaymentRequest, PaymentResult } from '../../domain/payment';
import type { Logger } from '../../log/logger';
import type { ByteStream } from '../../transport/byte-stream';
import type { RegisterContext, RegisterProtocol } from '../protocol';
import { realTimers, type TimerHandle, type Timers } from '../zvt/timers';
import { ConcertLink, type SendOutcome } from './link';
import {
  ANSWER_FLAG,
  answerTo,
  ConcertFormatError,
  decodeRequest,
  encodeAnswer,
  isImmediate,
  STATUS,
  TRANSACTION_TYPE,
  type AnswerStatus,
  type ConcertRequest,
} from './messages';
import type { ConcertOptions } from './options';

export interface ConcertProtocolSetup {
  /** Timers (tests: a manual clock). */
  readonly timers?: Timers;
  /** The ref of a new payment; default `concert-<time>-<random>[-<private data>]`. */
  readonly newRef?: (privateData: string) => string;
}

/** The Concert protocol with the listener's options, parsed once by its factory (index.ts). */
export function concertProtocol(options: ConcertOptions, setup: ConcertProtocolSetup = {}): RegisterProtocol {
  return {
    name: 'concert',
    serve(stream, ctx) {
      try {
        new ConcertSession(stream, ctx, options, setup);
      } catch (e) {
        ctx.log.error({ err: e, peer: ctx.peer }, 'Concert session could not start');
      }
    },
  };
}

/** What a request asks the bridge to do, or why it cannot (status 9). */
type Plan =
  | { readonly kind: 'sale' | 'refund'; readonly minor: number; readonly currency: string }
  | { readonly kind: 'void'; readonly minor: number; readonly currency: string }
  | { readonly refuse: string };

function defaultRef(privateData: string): string {
  const tail = privateData.trim();
  return `concert-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}${tail ? `-${tail}` : ''}`;
}

export class ConcertSession {
  private readonly link: ConcertLink;
  private readonly log: Logger;
  private readonly api: BridgeApi;
  private readonly timers: Timers;
  private readonly newRef: (privateData: string) => string;
  /** A request is being served (from the register's EOT to the end of our answer session and its report). */
  private running = false;
  private lost = false;

  constructor(
    private readonly stream: ByteStream,
    private readonly ctx: RegisterContext,
    private readonly o: ConcertOptions,
    setup: ConcertProtocolSetup = {},
  ) {
    this.api = ctx.api;
    this.timers = setup.timers ?? realTimers;
    this.newRef = setup.newRef ?? defaultRef;
    this.log = ctx.log.child({ peer: ctx.peer, protocol: 'concert' });
    this.link = new ConcertLink(
      (bytes) => {
        stream.write(bytes);
      },
      {
        request: (message) => this.onRequest(message),
        rejected: (fault, detail) => this.log.warn({ fault, reason: detail }, 'frame refused (NAK sent)'),
        note: (text) => this.log.debug(text),
      },
      { ...o, ready: () => this.ready(), validate: (m) => this.validate(m), timers: this.timers },
    );
    stream.on('data', (chunk) => {
      try {
        this.link.push(chunk);
      } catch (e) {
        this.log.error({ err: e }, 'Concert input handling failed');
      }
    });
    stream.on('close', () => {
      this.lost = true;
      this.link.close();
      this.log.debug('register port closed');
    });
    // A port error is followed by 'close' when the port is gone; a failed write ends as a missing ACK.
    stream.on('error', (err) => this.log.debug({ reason: err.message }, 'register port error'));
  }

  /** ENQ gets ACK when nothing runs and the myPOS terminal is reachable (§8 "status"). */
  private ready(): boolean {
    if (this.running) return false;
    if (!this.o.silentWhenOffline) return true;
    try {
      return this.api.terminalFor(this.ctx.identity).state !== 'offline';
    } catch {
      return false;
    }
  }

  /** Only framing faults get a NAK: a message that is not 26 or 34 printable characters (§3, §7). */
  private validate(message: Buffer): string | undefined {
    try {
      decodeRequest(message.toString('latin1'));
      return undefined;
    } catch (e) {
      return e instanceof ConcertFormatError ? e.message : String(e);
    }
  }

  private onRequest(message: Buffer): void {
    let request: ConcertRequest;
    try {
      request = decodeRequest(message.toString('latin1'));
    } catch (e) {
      this.log.warn({ reason: (e as Error).message }, 'request dropped');
      return;
    }
    this.running = true;
    void this.serve(request)
      .catch((e: unknown) => this.log.error({ err: e }, 'Concert request failed inside the bridge'))
      .finally(() => {
        this.running = false;
      });
  }

  private who(r: ConcertRequest): RegisterIdentity {
    return { ...this.ctx.identity, register: `${this.ctx.identity.register}/${r.register}` };
  }

  private async serve(r: ConcertRequest): Promise<void> {
    const immediate = isImmediate(r);
    this.log.info(
      {
        register: r.register,
        type: r.transactionType,
        mode: r.paymentMode,
        amount: r.amount,
        currency: r.currency,
        timing: r.timing ?? 'E',
        answer: r.answerFlag,
        line: this.link.lineMode,
      },
      'register request',
    );
    const who = this.who(r);
    const request = this.requestFor(r, who);
    if ('refuse' in request) {
      this.log.info({ reason: request.refuse }, 'request not supported: status 9');
      await this.answer(answerTo(r, STATUS.failed, this.privateFor(r)));
      return;
    }
    if (immediate) {
      // §5: answer before the cardholder does anything; the payment starts only once the register took the answer.
      const sent = await this.answer(answerTo(r, this.o.immediateStatus, this.privateFor(r)));
      if (sent !== 'acknowledged') {
        this.log.warn({ outcome: sent }, 'the register did not take the immediate answer: no payment started');
        return;
      }
    }
    const result = await this.pay(who, request, !immediate);
    if (!result) {
      if (!immediate) await this.answer(answerTo(r, STATUS.failed, this.privateFor(r)));
      return;
    }
    if (immediate) {
      // The cashier reads the outcome on the terminal: never reversed by the protocol (§8 rule 5).
      this.log.info(
        { ref: result.ref, outcome: result.outcome },
        'A011 payment ended (outcome shown on the terminal and in the bridge)',
      );
      await this.report(who, result, 'written');
      return;
    }
    const answer = answerTo(r, statusFor(result), {
      ...(result.panMasked !== undefined ? { panMasked: result.panMasked } : {}),
      ...this.privateFor(r, result),
    });
    const followUp = request.kind === 'reversal';
    const sent = await this.answer(answer, async () => {
      // ← the commit point: the register ACKed the answer frame (an in_doubt result stays open: reversed if approved).
      await this.report(who, result, result.outcome === 'in_doubt' ? 'rejected' : 'acknowledged');
    });
    if (sent === 'acknowledged') return;
    const how: Delivery =
      result.outcome === 'approved'
        ? followUp
          ? 'undeliverable'
          : 'rejected'
        : result.outcome === 'in_doubt'
          ? 'rejected'
          : 'undeliverable';
    this.log.warn(
      { ref: result.ref, outcome: result.outcome, sent },
      how === 'rejected'
        ? 'the register did not take the answer: the payment is reversed'
        : 'the register did not take the answer',
    );
    await this.report(who, result, how);
  }

  /** The bridge request for a well-formed Concert request, or why there is none (status 9). */
  private requestFor(r: ConcertRequest, who: RegisterIdentity): PaymentRequest | { refuse: string } {
    const plan = this.plan(r);
    if ('refuse' in plan) return plan;
    if (plan.kind !== 'void')
      return {
        kind: plan.kind,
        ref: this.newRef(r.privateData),
        amount: { minor: plan.minor, currency: plan.currency },
      };
    const original = this.api.last(who);
    const why = voidRefusal(original, plan);
    if (why !== undefined || !original) return { refuse: `void: ${why ?? 'nothing to void'}` };
    return { kind: 'reversal', ref: original.ref };
  }

  /** Submits and waits for the result; A010 cancels on myPOS after the deadline (§8). Undefined: the bridge refused. */
  private async pay(
    who: RegisterIdentity,
    request: PaymentRequest,
    deadline: boolean,
  ): Promise<PaymentResult | undefined> {
    let timer: TimerHandle | undefined;
    try {
      const handle = await this.api.submit(who, request);
      if (deadline) {
        timer = this.timers.after(this.o.answerDeadlineMs, () => {
          this.log.warn(
            { ref: request.ref },
            `no outcome within ${this.o.answerDeadlineMs} ms: cancelling on the terminal`,
          );
          this.api
            .cancel(who, request.ref)
            .catch((e: unknown) => this.log.info({ reason: asBridgeError(e).message }, 'cancel refused'));
        });
      }
      return await handle.result.catch((e: unknown): PaymentResult => {
        this.log.error({ err: e }, 'payment result lost inside the bridge');
        return {
          ref: request.ref,
          kind: request.kind,
          outcome: 'in_doubt',
          amount: request.amount ?? { minor: 0, currency: 'XXX' },
          terminal: '',
          message: 'the bridge lost the result',
        };
      });
    } catch (e) {
      const err = asBridgeError(e);
      this.log.info({ code: err.code, reason: err.message }, 'the bridge refused the request: status 9');
      return undefined;
    } finally {
      timer?.cancel();
    }
  }

  private async report(who: RegisterIdentity, result: PaymentResult, how: Delivery): Promise<void> {
    try {
      await this.api.delivery(who, result.ref, how, result.kind);
    } catch (e) {
      this.log.error({ err: e, ref: result.ref, how }, 'could not report the delivery to the bridge');
    }
  }

  private async answer(a: Parameters<typeof encodeAnswer>[0], beforeEot?: () => Promise<void>): Promise<SendOutcome> {
    if (this.lost) return 'closed';
    let message: string;
    try {
      message = encodeAnswer(a);
    } catch (e) {
      this.log.error({ err: e }, 'answer could not be encoded');
      return 'no-frame-ack';
    }
    const outcome = await this.link.send(message, beforeEot);
    this.log.debug({ status: a.status, outcome, length: message.length }, 'answer session ended');
    return outcome;
  }

  private privateFor(r: ConcertRequest, result?: PaymentResult): { privateData: string } {
    if (this.o.answerPrivate === 'echo') return { privateData: r.privateData };
    const no = result?.receiptNo;
    return {
      privateData: String(no ?? 0)
        .padStart(10, '0')
        .slice(-10),
    };
  }

  /** §4 "field handling" and §8: what the bridge does with a well-formed request. */
  private plan(r: ConcertRequest): Plan {
    if (r.answerFlag !== ANSWER_FLAG.short && r.answerFlag !== ANSWER_FLAG.full)
      return { refuse: `answer flag "${r.answerFlag}" (only 0 and 1 are offered)` };
    if (!/^[0-9]{2}$/.test(r.register)) return { refuse: `register number "${r.register}" is not two digits` };
    if (!this.o.cardModes.includes(r.paymentMode))
      return { refuse: `payment mode "${r.paymentMode}" is not a card payment on myPOS` };
    if (!/^[0-9]{8}$/.test(r.amount)) return { refuse: 'the amount is not eight digits' };
    const minor = Number(r.amount);
    if (minor === 0) return { refuse: 'the amount is zero' };
    let currency: string;
    try {
      currency = currencyByNumeric(r.currency).code;
    } catch {
      return { refuse: `currency "${r.currency}" is not an ISO 4217 numeric code` };
    }
    switch (r.transactionType) {
      case TRANSACTION_TYPE.debit:
        return { kind: 'sale', minor, currency };
      case TRANSACTION_TYPE.credit:
        return { kind: 'refund', minor, currency };
      case TRANSACTION_TYPE.void:
        return this.o.type2 === 'void'
          ? { kind: 'void', minor, currency }
          : { refuse: 'transaction type 2 is refused on this listener' };
      default:
        return { refuse: `transaction type "${r.transactionType}"` };
    }
  }
}

/** §8: a void undoes the register's last transaction if it is an approved, unreversed sale or refund of that amount. */
function voidRefusal(last: PaymentView | undefined, plan: { minor: number; currency: string }): string | undefined {
  if (!last) return 'this register has no transaction to void';
  if (last.kind !== 'sale' && last.kind !== 'refund') return `the last transaction is a ${last.kind}`;
  if (last.outcome !== 'approved') return `the last transaction is ${last.outcome ?? 'still running'}`;
  if (last.reversed) return 'the last transaction is already voided';
  if (last.amount.minor !== plan.minor || last.amount.currency !== plan.currency)
    return 'the amount does not match the last transaction';
  return undefined;
}

/** §7: `0` approved; `7` refused by the issuer, the card, the cardholder or the cashier; `9` any other failure. */
export function statusFor(result: Pick<PaymentResult, 'outcome'>): AnswerStatus {
  switch (result.outcome) {
    case 'approved':
      return STATUS.approved;
    case 'declined':
    case 'cancelled':
      return STATUS.refused;
    default:
      return STATUS.failed;
  }
}
