/**
 * Printer-stream capture (`protocol: "printer"`): the bridge poses as the register's receipt printer (raw TCP
 * "port 9100" or a COM port), reads each receipt's text with the ESC/POS parser, finds the total and starts one
 * payment per receipt. A receipt ends at a cut (GS V, ESC i, ESC m), at the end of the print job (the register
 * closes the connection), and optionally at ESC @, after a quiet time, or after a line matching a pattern.
 * The stream goes on unchanged to the real printer when `options.forward` names one; its answers come back.
 * Without a real printer the bridge answers status queries (DLE EOT n, GS r n) as a ready printer.
 */
import type { RegisterContext, RegisterProtocol } from '../protocol';
import type { ByteStream } from '../../transport/byte-stream';
import { asBridgeError } from '../../domain/errors';
import { CaptureRegistry, type CaptureLane } from './capture-registry';
import { systemClock, Timer, type Clock } from './clock';
import { EscPosParser, statusReply, type EscPosEvent } from './escpos';
import { Forwarder } from './forward';
import { parsePrinterOptions, type PrinterOptions } from './options';
import type { CaptureSetup, ListenerSetup } from './pole-display';
import { findTotal } from './total';

/**
 * `options`: the listener's options, parsed once, now (a config error stops the start). `setup.registry`: the
 * service's capture registry; default: one of this protocol's own.
 */
export function printerProtocol(options: unknown = {}, setup: CaptureSetup = {}): RegisterProtocol {
  const opts = parsePrinterOptions(options);
  const shared: ListenerSetup = { ...setup, registry: setup.registry ?? new CaptureRegistry() };
  return {
    name: 'printer',
    serve(stream, ctx) {
      new PrinterSession(stream, ctx, opts, shared).start();
    },
  };
}

/** Longest receipt text kept (a receipt beyond this is still forwarded whole; its text is cut). */
const MAX_RECEIPT_CHARS = 64 * 1024;

class PrinterSession {
  private readonly parser = new EscPosParser();
  private readonly clock: Clock;
  private readonly lane: CaptureLane;
  private readonly forward: Forwarder | undefined;
  private readonly idle: Timer;
  private lines: string[] = [];
  private line = '';
  private size = 0;
  /** Bytes received since the last receipt boundary (a slip may go to the printer only between receipts). */
  private bytesInReceipt = 0;
  private slips: Uint8Array[] = [];
  private closed = false;

  constructor(
    private readonly stream: ByteStream,
    private readonly ctx: RegisterContext,
    private readonly opts: PrinterOptions,
    setup: ListenerSetup,
  ) {
    this.clock = setup.clock ?? systemClock;
    this.idle = new Timer(this.clock);
    const registry = setup.registry;
    this.lane = registry.lane({
      api: ctx.api,
      identity: ctx.identity,
      log: ctx.log,
      options: opts,
      clock: this.clock,
      ...(setup.dial ? { dial: setup.dial } : {}),
      ...(ctx.locale ? { locale: ctx.locale } : {}),
    });
    if (opts.forward) {
      this.forward = new Forwarder(opts.forward, {
        retryMs: opts.forwardRetryMs,
        maxBufferBytes: opts.forwardBufferBytes,
        log: ctx.log,
        clock: this.clock,
        ...(setup.dial ? { dial: setup.dial } : {}),
        ...(ctx.locale ? { locale: ctx.locale } : {}),
      });
      this.forward.onData((b) => this.toRegister(b));
    }
  }

  start(): void {
    this.ctx.log.info({ peer: this.ctx.peer, listener: this.ctx.identity.listener }, 'printer job connected');
    this.stream.on('data', (chunk) => this.data(chunk));
    this.stream.on('end', () => this.finish());
    this.stream.on('close', () => {
      this.finish();
      this.ctx.log.info({ peer: this.ctx.peer }, 'printer job closed');
    });
    this.stream.on('error', (err) =>
      this.ctx.log.warn({ peer: this.ctx.peer, err: err.message }, 'printer connection error'),
    );
  }

  private data(chunk: Buffer): void {
    if (this.closed) return;
    this.forward?.write(chunk);
    this.bytesInReceipt += chunk.length;
    try {
      for (const ev of this.parser.push(chunk)) this.event(ev);
    } catch (e) {
      this.ctx.log.error({ err: e }, 'printer capture failed on input');
    }
    if (this.opts.receiptEnd.idleMs > 0) this.idle.start(this.opts.receiptEnd.idleMs, () => this.boundary('idle'));
  }

  private event(ev: EscPosEvent): void {
    switch (ev.type) {
      case 'text':
        if (this.size < MAX_RECEIPT_CHARS) {
          this.line += ev.text;
          this.size += ev.text.length;
        }
        return;
      case 'newline': {
        const done = this.line;
        if (this.size < MAX_RECEIPT_CHARS) this.lines.push(done);
        this.size++;
        this.line = '';
        if (this.opts.endPattern?.test(done)) this.boundary('pattern');
        return;
      }
      case 'cut':
        if (this.opts.receiptEnd.cut) this.boundary('cut');
        return;
      case 'init':
        if (this.opts.receiptEnd.init) this.boundary('init');
        return;
      case 'query': {
        if (this.forward || !this.opts.answerStatus) return;
        const reply = statusReply(ev.command, ev.n);
        if (reply) this.toRegister(Buffer.from(reply));
        return;
      }
    }
  }

  /** A receipt ended: find its total and offer it; then slips waiting for a gap between receipts go out. */
  private boundary(why: string): void {
    this.idle.stop();
    const text = [...this.lines, this.line].join('\n');
    this.lines = [];
    this.line = '';
    this.size = 0;
    this.bytesInReceipt = 0;
    if (this.forward) for (const s of this.slips.splice(0)) this.forward.write(s);
    if (text.trim() === '') return;
    const log = this.ctx.log;
    if (this.opts.ignoreRe?.test(text)) {
      log.info({ why }, 'receipt ignored (matches options.ignore)');
      return;
    }
    if (this.opts.requireRe && !this.opts.requireRe.test(text)) {
      log.info({ why }, 'receipt ignored (does not match options.require)');
      return;
    }
    let found;
    try {
      found = findTotal(text, this.opts.rule);
    } catch (e) {
      log.warn({ why, err: asBridgeError(e).message }, 'receipt total is no exact amount: nothing charged');
      return;
    }
    if (!found) {
      log.info({ why, lines: text.split('\n').length }, 'receipt without a total: nothing charged');
      return;
    }
    log.debug({ why, matched: found.matched }, 'receipt total found');
    // Slips go into this printer stream unless a printer of their own is configured.
    this.lane.offer(found.amount, found.matched, this.opts.slipPrinter ? undefined : (bytes) => this.slip(bytes));
  }

  /** A slip goes into this connection's printer stream between receipts; false when this connection is over. */
  private slip(bytes: Uint8Array): boolean {
    if (this.closed || !this.forward) return false;
    if (this.bytesInReceipt === 0) this.forward.write(bytes);
    else this.slips.push(bytes);
    return true;
  }

  private finish(): void {
    if (this.closed) return;
    if (this.opts.receiptEnd.endOfJob) this.boundary('end of job');
    this.closed = true;
    this.idle.stop();
    const forward = this.forward;
    if (forward) {
      for (const s of this.slips.splice(0)) forward.write(s);
      void forward.end().then(() => void this.stream.end());
    } else this.stream.end();
  }

  private toRegister(bytes: Buffer): void {
    try {
      this.stream.write(bytes);
    } catch {
      // the register is gone
    }
  }
}
