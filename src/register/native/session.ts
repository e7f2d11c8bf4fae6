/**
 * Native register protocol v1 — one connection. See docs/register-protocol.md.
 * Every request is answered on the same connection, echoing its `id`; requests run concurrently, so a
 * register may ask `status` or `cancel` while its `sale` is still running. A bad line is answered with an
 * `error` and the connection lives on.
 */
import { asBridgeError, BridgeError } from '../../domain/errors';
import type { RegisterIdentity } from '../../bridge/api';
import type { ByteStream } from '../../transport/byte-stream';
import type { RegisterContext, RegisterProtocol } from '../protocol';
import { LineFramer } from './line-framer';
import {
  endOfDayMessage,
  parseRequest,
  PROTOCOL_VERSION,
  receiptMessage,
  resultMessage,
  statusMessage,
  terminalsMessage,
  toPaymentRequest,
  type NativeRequest,
} from './messages';
import type { ReceiptWidth } from '../../receipts/types';
import type { PaymentResult } from '../../domain/payment';
import { secretsEqual } from '../../security/keys';
import { listenerThrottle } from '../auth';
import type { AuthThrottle } from '../../security/auth-throttle';
import { parseNativeOptions, type NativeOptions } from './options';
import { registerTexts, type RegisterTexts } from '../texts';

/** The native protocol of one listener, its options parsed once (options.ts). */
export function nativeProtocol(options: unknown = {}): RegisterProtocol {
  const opts = parseNativeOptions(options);
  const throttle = listenerThrottle('key');
  return {
    name: 'native',
    guard: { lines: true },
    serve(stream, ctx) {
      new NativeSession(stream, ctx, opts, throttle).start();
    },
  };
}

class NativeSession {
  private identity: RegisterIdentity;
  private authorised: boolean;
  private closed = false;
  /** The register half-closed its side: answer what is pending, then close ours. */
  private peerEnded = false;
  private pending = 0;
  private readonly framer: LineFramer;
  /** The listener's key, and each register's own; with neither, no key is asked for. */
  private readonly listenerKey: string | undefined;
  private readonly registerKeys: ReadonlyMap<string, string>;
  /** Receipt lines with every result, as the register asked in `hello`. */
  private receipts: 'none' | 'text' = 'none';
  private receiptWidth: ReceiptWidth | undefined;
  /** Every `message` in the listener's language. */
  private readonly texts: RegisterTexts;
  /** Lines sent in this turn of the event loop, written together at its end (see `send`). */
  private outbox: { text: string; sent: Array<(written: boolean) => void> } | undefined;

  constructor(
    private readonly stream: ByteStream,
    private readonly ctx: RegisterContext,
    opts: NativeOptions,
    private readonly throttle: (ctx: RegisterContext) => AuthThrottle,
  ) {
    this.identity = ctx.identity;
    const token = ctx.auth?.key ?? opts.token;
    this.listenerKey = typeof token === 'string' && token.length > 0 ? token : undefined;
    this.registerKeys = ctx.auth?.registerKeys ?? new Map();
    this.authorised = this.listenerKey === undefined && this.registerKeys.size === 0;
    this.framer = new LineFramer(typeof opts.maxLineBytes === 'number' ? opts.maxLineBytes : 64 * 1024);
    this.texts = registerTexts(ctx.locale);
  }

  start(): void {
    this.ctx.log.info({ peer: this.ctx.peer, listener: this.identity.listener }, 'register connected');
    this.stream.on('data', (chunk) => {
      for (const ev of this.framer.push(chunk)) {
        if ('tooLong' in ev)
          this.send({ id: null, type: 'error', code: 'line_too_long', message: this.texts.lineTooLong(ev.tooLong) });
        else if (ev.line.trim() !== '') void this.handle(ev.line);
      }
    });
    this.stream.on('end', () => {
      this.peerEnded = true;
      this.endIfIdle();
    });
    this.stream.on('close', () => {
      this.closed = true;
      this.ctx.log.info({ peer: this.ctx.peer }, 'register disconnected');
    });
    this.stream.on('error', (err) =>
      this.ctx.log.warn({ peer: this.ctx.peer, err: err.message }, 'register connection error'),
    );
  }

  /**
   * Writes one message; resolves true when it was handed to the OS completely, false when the connection is gone.
   * Lines sent in the same turn of the event loop (a sale's `queued` and `connecting` progress, `accepted` and
   * `present_card` from one read of the terminal's answers) go out in one write: each write to a socket is a system
   * call and a wake-up of the register, the most expensive part of sending a line.
   */
  private send(msg: Record<string, unknown>): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    const line = JSON.stringify(msg) + '\n';
    return new Promise((resolve) => {
      if (!this.outbox) {
        this.outbox = { text: '', sent: [] };
        process.nextTick(() => this.flush());
      }
      this.outbox.text += line;
      this.outbox.sent.push(resolve);
    });
  }

  private flush(): void {
    const box = this.outbox;
    this.outbox = undefined;
    if (!box) return;
    const done = (written: boolean): void => {
      for (const resolve of box.sent) resolve(written);
    };
    if (this.closed) return done(false);
    try {
      this.stream.write(Buffer.from(box.text, 'utf8'), (err) => done(!err));
    } catch {
      done(false);
    }
  }

  private error(id: string | null, e: unknown, ref?: string): void {
    const err = asBridgeError(e);
    if (err.code === 'internal') this.ctx.log.error({ err: e }, 'native request failed');
    void this.send({
      id,
      type: 'error',
      code: err.code,
      message: this.texts.error(err, ref === undefined ? {} : { ref }),
      ...(err.details ?? {}),
    });
  }

  private endIfIdle(): void {
    if (this.peerEnded && this.pending === 0 && !this.closed) {
      this.flush();
      this.stream.end();
    }
  }

  private async handle(line: string): Promise<void> {
    this.pending++;
    try {
      await this.handleLine(line);
    } finally {
      this.pending--;
      this.endIfIdle();
    }
  }

  private async handleLine(line: string): Promise<void> {
    const parsed = parseRequest(line);
    if ('error' in parsed) {
      this.error(parsed.id, parsed.error);
      return;
    }
    const r = parsed.request;
    try {
      if (!this.authorised && r.op !== 'hello') {
        throw new BridgeError('unauthorized', 'this listener requires "hello" with the register\'s "key" first');
      }
      await this.dispatch(r);
    } catch (e) {
      this.error(r.id, e, 'ref' in r ? r.ref : undefined);
    }
  }

  private async dispatch(r: NativeRequest): Promise<void> {
    const api = this.ctx.api;
    switch (r.op) {
      case 'hello': {
        if (this.listenerKey !== undefined || this.registerKeys.size > 0)
          this.authenticate(r.register, r.key ?? r.token);
        this.authorised = true;
        this.receipts = r.receipts ?? 'none';
        this.receiptWidth = r.receiptWidth;
        if (r.register)
          this.identity = { ...this.ctx.identity, register: `${this.ctx.identity.listener}/${r.register}` };
        await this.send({
          id: r.id,
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          bridge: api.version,
          register: this.identity.register,
          terminals: terminalsMessage(api.terminals()),
        });
        for (const view of api.undelivered(this.identity)) {
          if (view.result) await this.deliver(r.id, view.result, { redelivered: true });
        }
        return;
      }
      case 'sale':
      case 'refund':
      case 'preauth':
      case 'reversal':
      case 'completion':
      case 'preauth_cancel': {
        const request = toPaymentRequest(r);
        const handle = await api.submit(this.identity, request, {
          stage: (ev) =>
            void this.send({
              id: r.id,
              type: 'progress',
              ref: ev.ref,
              stage: ev.stage,
              message: this.texts.stage(ev.stage),
            }),
        });
        if (handle.attached)
          void this.send({ id: r.id, type: 'progress', ref: r.ref, stage: 'queued', message: this.texts.attached() });
        const result = await handle.result;
        await this.deliver(r.id, result, handle.attached ? { attached: true } : {});
        return;
      }
      case 'cancel': {
        const answer = await api.cancel(this.identity, r.ref);
        await this.send({
          id: r.id,
          type: 'cancel',
          ref: r.ref,
          tookEffect: answer.tookEffect,
          ...(answer.outcome ? { outcome: answer.outcome } : {}),
          message: this.texts.cancel(answer),
        });
        return;
      }
      case 'status': {
        const view = api.status(this.identity, r.ref);
        if (!view) throw new BridgeError('unknown_ref', `no payment with ref "${r.ref}" is known for this register`);
        const sent = await this.send(statusMessage(r.id, view, this.texts));
        if (sent && view.result && !view.delivered) await api.delivery(this.identity, r.ref, 'written', view.kind);
        return;
      }
      case 'last': {
        const view = api.last(this.identity);
        const sent = await this.send({
          id: r.id,
          type: 'last',
          payment: view ? statusMessage(r.id, view, this.texts) : null,
        });
        if (sent && view?.result && !view.delivered) await api.delivery(this.identity, view.ref, 'written', view.kind);
        return;
      }
      case 'ack': {
        const view = api.status(this.identity, r.ref);
        if (!view) throw new BridgeError('unknown_ref', `no payment with ref "${r.ref}" is known for this register`);
        await api.delivery(this.identity, r.ref, 'acknowledged');
        await this.send({ id: r.id, type: 'ack', ref: r.ref });
        return;
      }
      case 'terminal':
        await this.send({ id: r.id, type: 'terminal', terminals: terminalsMessage(api.terminals()) });
        return;
      case 'ping':
        await this.send({ id: r.id, type: 'pong', bridge: api.version });
        return;
      case 'receipt': {
        const width = r.width ?? this.receiptWidth;
        const rendering = api.receipt(this.identity, r.ref, {
          duplicate: true,
          ...(r.kind ? { kind: r.kind } : {}),
          ...(width ? { width } : {}),
          ...this.locale(),
        });
        if (!rendering)
          throw new BridgeError(
            'unknown_ref',
            `no ${r.kind ?? 'payment'} with ref "${r.ref}" is known for this register`,
          );
        await this.send(receiptMessage(r.id, rendering, r.copy));
        return;
      }
      case 'end_of_day': {
        const report = await api.endOfDay({
          ...(r.day ? { day: r.day } : {}),
          ...(r.scope === 'register' ? { register: this.identity.register } : {}),
        });
        await this.send(endOfDayMessage(r.id, report));
        return;
      }
    }
  }

  /**
   * Checks the key of a `hello`: a register with a key of its own must present that key (the listener's key does
   * not let anyone take its name); any other name is accepted with the listener's key. Tries are throttled per peer
   * address: one before its time is refused without looking at the key.
   */
  private authenticate(register: string | undefined, presented: string | undefined): void {
    const throttle = this.throttle(this.ctx);
    const verdict = throttle.check(this.ctx.peer);
    if (!verdict.allowed) {
      const retryAfter = Math.ceil(verdict.retryAfterMs / 1000);
      this.authorised = false;
      throw new BridgeError(
        'throttled',
        verdict.reason === 'locked_out'
          ? `locked out after too many wrong keys; try again in ${retryAfter} s`
          : `too many wrong keys; try again in ${retryAfter} s`,
        { retryAfter, lockedOut: verdict.reason === 'locked_out' },
      );
    }
    const own = register === undefined ? undefined : this.registerKeys.get(register);
    // Hash-compare against a key in every case, so that a name without a key of its own takes as long as one with.
    const expected = own ?? this.listenerKey;
    const good = presented !== undefined && expected !== undefined && secretsEqual(presented, expected);
    if (!good) {
      this.authorised = false;
      throttle.failure(this.ctx.peer);
      throw new BridgeError(
        'unauthorized',
        register === undefined && this.listenerKey === undefined
          ? 'wrong or missing key (name the register in "register")'
          : 'wrong or missing key',
      );
    }
    throttle.success(this.ctx.peer);
  }

  /** The listener's locale for a receipt request (none: the bridge's default, merchant.locale). */
  private locale(): { locale?: string } {
    return this.ctx.locale ? { locale: this.ctx.locale } : {};
  }

  private async deliver(id: string, result: PaymentResult, extra: Record<string, unknown>): Promise<void> {
    const receipt = this.receiptFor(result);
    const written = await this.send(resultMessage(id, result, this.texts, receipt ? { ...extra, receipt } : extra));
    await this.ctx.api.delivery(this.identity, result.ref, written ? 'written' : 'undeliverable', result.kind);
  }

  /** Both copies as text lines for a final result, when the register asked for receipts in `hello`. */
  private receiptFor(result: PaymentResult): { merchant: string[]; customer: string[] } | undefined {
    if (this.receipts !== 'text' || result.outcome === 'in_doubt') return undefined;
    try {
      const r = this.ctx.api.receipt(this.identity, result.ref, {
        kind: result.kind,
        ...(this.receiptWidth ? { width: this.receiptWidth } : {}),
        ...this.locale(),
      });
      return r ? { merchant: r.merchant, customer: r.customer } : undefined;
    } catch (e) {
      // A result is never held back for its receipt; the register can ask with `receipt` later.
      this.ctx.log.warn({ err: e, ref: result.ref }, 'receipt lines could not be built');
      return undefined;
    }
  }
}
