/**
 * The simple text protocol — one connection (TCP socket, serial port or HID cable alike). Lines are handled
 * as they come, so a register may send STATUS or CANCEL while its SALE runs. A bad line is answered with ERR
 * and the connection lives on. How each result reached the register is reported to the bridge ('written' or
 * 'undeliverable'), as the native protocol does.
 */
import { asBridgeError, BridgeError } from '../../domain/errors';
import type { PaymentResult } from '../../domain/payment';
import type { ByteStream } from '../../transport/byte-stream';
import type { RegisterContext, RegisterProtocol } from '../protocol';
import { cancelLine, errorLine, parseLine, pendingLine, progressLine, resultLine, type TextRequest } from './codec';
import { TextLineFramer } from './framer';
import { parseTextOptions, type TextOptions } from './options';
import { registerTexts, type RegisterTexts } from '../texts';

/** `options`: the listener's options, parsed once, now (a config error stops the start). */
export function textProtocol(options: unknown = {}): RegisterProtocol {
  const opts = parseTextOptions(options);
  return {
    name: 'text',
    guard: { lines: true },
    serve(stream, ctx) {
      new TextSession(stream, ctx, opts).start();
    },
  };
}

class TextSession {
  private readonly framer: TextLineFramer;
  private closed = false;
  private peerEnded = false;
  private pending = 0;
  /** Answer texts in the listener's language. */
  private readonly texts: RegisterTexts;

  constructor(
    private readonly stream: ByteStream,
    private readonly ctx: RegisterContext,
    private readonly o: TextOptions,
  ) {
    this.framer = new TextLineFramer(o.maxLineBytes);
    this.texts = registerTexts(ctx.locale);
  }

  start(): void {
    this.ctx.log.info({ peer: this.ctx.peer, listener: this.ctx.identity.listener }, 'register connected');
    this.stream.on('data', (chunk) => {
      for (const ev of this.framer.push(chunk)) {
        if ('tooLong' in ev)
          void this.send(
            errorLine(
              this.o,
              '',
              new BridgeError(
                'line_too_long',
                `line of ${ev.tooLong} bytes is too long (at most ${this.o.maxLineBytes})`,
                { bytes: ev.tooLong },
              ),
              this.texts,
            ),
          );
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

  /** Writes one line; true when it was handed to the OS completely, false when the connection is gone. */
  private send(text: string): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      try {
        this.stream.write(Buffer.from(text, 'latin1'), (err) => resolve(!err));
      } catch {
        resolve(false);
      }
    });
  }

  private endIfIdle(): void {
    if (this.peerEnded && this.pending === 0 && !this.closed) this.stream.end();
  }

  private async handle(text: string): Promise<void> {
    this.pending++;
    try {
      const parsed = parseLine(text, this.o);
      if ('error' in parsed) {
        await this.send(errorLine(this.o, parsed.ref, parsed.error, this.texts));
        return;
      }
      try {
        await this.dispatch(parsed.request);
      } catch (e) {
        const err = asBridgeError(e);
        if (err.code === 'internal') this.ctx.log.error({ err: e }, 'text request failed');
        await this.send(errorLine(this.o, parsed.request.ref, err, this.texts));
      }
    } finally {
      this.pending--;
      this.endIfIdle();
    }
  }

  private async dispatch(r: TextRequest): Promise<void> {
    const api = this.ctx.api;
    const who = this.ctx.identity;
    switch (r.op) {
      case 'sale':
      case 'refund': {
        const handle = await api.submit(
          who,
          { kind: r.op, ref: r.ref, amount: r.amount, ...(this.o.terminal ? { terminal: this.o.terminal } : {}) },
          this.o.progress ? { stage: (ev) => void this.send(progressLine(this.o, r.ref, ev.stage)) } : undefined,
        );
        await this.deliver(await handle.result);
        return;
      }
      case 'status': {
        const view = api.status(who, r.ref);
        if (!view) throw new BridgeError('unknown_ref', `no payment with ref "${r.ref}" is known for this register`);
        if (!view.result) {
          await this.send(pendingLine(this.o, view));
          return;
        }
        const sent = await this.send(resultLine(this.o, view.result, this.texts));
        if (sent && !view.delivered) await api.delivery(who, r.ref, 'written', view.kind);
        return;
      }
      case 'cancel': {
        const answer = await api.cancel(who, r.ref);
        await this.send(cancelLine(this.o, r.ref, answer));
        return;
      }
    }
  }

  private async deliver(result: PaymentResult): Promise<void> {
    const written = await this.send(resultLine(this.o, result, this.texts));
    await this.ctx.api.delivery(this.ctx.identity, result.ref, written ? 'written' : 'undeliverable', result.kind);
  }
}
