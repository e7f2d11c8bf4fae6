/**
 * Pole-display capture (`protocol: "pole-display"`): the bridge poses as the register's customer display on any
 * byte stream (COM port, HID cable, TCP), reads what the display would show, and starts a payment when the total
 * is shown (see trigger.ts). The bytes go on unchanged to the real display when `options.forward` names one.
 * Nothing is ever sent to the register except what the real display answers.
 */
import type { RegisterContext, RegisterProtocol } from '../protocol';
import type { ByteStream } from '../../transport/byte-stream';
import { asBridgeError } from '../../domain/errors';
import { CaptureRegistry, type CaptureLane } from './capture-registry';
import { systemClock, type Clock } from './clock';
import { CustomerDisplay } from './display';
import { Forwarder, type Dialer } from './forward';
import { parsePoleOptions, type PoleOptions } from './options';
import { findTotal } from './total';
import { TotalTrigger } from './trigger';
import type { Money } from '../../domain/money';

export interface CaptureSetup {
  /** The service's capture registry (RegisterState.captures). */
  readonly registry?: CaptureRegistry;
  readonly clock?: Clock;
  readonly dial?: Dialer;
}

/** What every connection of a capture listener shares: its registry is there. */
export type ListenerSetup = CaptureSetup & { readonly registry: CaptureRegistry };

/**
 * `options`: the listener's options, parsed once, now (a config error stops the start). `setup.registry`: the
 * service's capture registry; default: one of this protocol's own.
 */
export function poleDisplayProtocol(options: unknown = {}, setup: CaptureSetup = {}): RegisterProtocol {
  const opts = parsePoleOptions(options);
  const shared: ListenerSetup = { ...setup, registry: setup.registry ?? new CaptureRegistry() };
  return {
    name: 'pole-display',
    serve(stream, ctx) {
      new PoleDisplaySession(stream, ctx, opts, shared).start();
    },
  };
}

class PoleDisplaySession {
  private readonly clock: Clock;
  private readonly display: CustomerDisplay;
  private readonly trigger: TotalTrigger;
  private readonly lane: CaptureLane;
  private readonly forward: Forwarder | undefined;
  private lastText = '';
  private lastError = '';
  private peerEnded = false;
  private closed = false;

  constructor(
    private readonly stream: ByteStream,
    private readonly ctx: RegisterContext,
    private readonly opts: PoleOptions,
    setup: ListenerSetup,
  ) {
    this.clock = setup.clock ?? systemClock;
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
    this.display = new CustomerDisplay({
      columns: opts.columns,
      rows: opts.rows,
      initialMode: opts.initialMode,
      lineFeedReturns: opts.lineFeedReturns,
    });
    this.trigger = new TotalTrigger({
      mode: opts.trigger,
      stableMs: opts.stableMs,
      clock: this.clock,
      fire: (total, text) => this.lane.offer(total, text),
      settled: () => this.endIfIdle(),
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
    this.ctx.log.info({ peer: this.ctx.peer, listener: this.ctx.identity.listener }, 'pole display connected');
    this.stream.on('data', (chunk) => this.data(chunk));
    this.stream.on('end', () => {
      this.peerEnded = true;
      this.endIfIdle();
    });
    this.stream.on('close', () => {
      this.closed = true;
      this.trigger.stop();
      void this.forward?.end();
      this.ctx.log.info({ peer: this.ctx.peer }, 'pole display disconnected');
    });
    this.stream.on('error', (err) =>
      this.ctx.log.warn({ peer: this.ctx.peer, err: err.message }, 'pole display connection error'),
    );
  }

  private data(chunk: Buffer): void {
    this.forward?.write(chunk);
    try {
      this.display.push(chunk);
      for (const wiped of this.display.takeWiped()) {
        const total = this.totalIn(wiped);
        if (total) this.trigger.seen(total, wiped);
      }
      const text = this.display.text();
      if (text === this.lastText) return;
      this.lastText = text;
      this.ctx.log.debug({ display: text }, 'display shows');
      this.trigger.observe({ total: this.totalIn(text), keyword: this.opts.keywordPattern.test(text), text });
    } catch (e) {
      this.ctx.log.error({ err: e }, 'pole display capture failed on input');
    }
    this.endIfIdle();
  }

  /** The total the display shows, unless a filter says it does not count. */
  private totalIn(text: string): Money | undefined {
    if (this.opts.ignoreRe?.test(text)) return undefined;
    if (this.opts.requireRe && !this.opts.requireRe.test(text)) return undefined;
    try {
      return findTotal(text, this.opts.rule)?.amount;
    } catch (e) {
      const msg = asBridgeError(e).message;
      if (msg !== this.lastError)
        this.ctx.log.warn({ display: text, err: msg }, 'display shows a total that is no exact amount: ignored');
      this.lastError = msg;
      return undefined;
    }
  }

  private toRegister(bytes: Buffer): void {
    if (this.closed) return;
    try {
      this.stream.write(bytes);
    } catch {
      // the register is gone; nothing to do
    }
  }

  /** After the register half-closed: once nothing waits to settle, pass on the rest and close our side. */
  private endIfIdle(): void {
    if (!this.peerEnded || this.closed || !this.trigger.idle) return;
    this.closed = true;
    const done = (): void => void this.stream.end();
    if (this.forward) void this.forward.end().then(done);
    else done();
  }
}
