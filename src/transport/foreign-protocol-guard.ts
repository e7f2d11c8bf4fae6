/**
 * The guard every TCP register listener puts in front of its protocol (transport/listeners.ts): a connection is
 * handed to the register protocol only once its first bytes are known not to begin another protocol (HTTP, TLS,
 * WebSocket, HTTP/2 — foreign-protocol.ts). A foreign one is closed at once, before any byte reaches a session,
 * with a warn log line (at most a few per minute per listener) and a `foreign_protocol` security event. For line
 * protocols (native, text) every later line is checked the same way: a browser's header lines or a second request
 * close the connection, and nothing from that line on reaches the session.
 *
 * It also watches the connection's first frame (a complete line for line protocols, the first clean bytes
 * otherwise): a connection that does not get there within `firstFrameTimeoutMs` is closed; and a peer that does not
 * read its answers (more than `maxWriteBacklog` bytes waiting) is dropped rather than buffered without end.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../log/logger';
import { LineBudget } from '../log/line-budget';
import type { SecurityEventSink } from '../security/events';
import type { ByteStream } from './byte-stream';
import { ForeignProtocolScanner } from './foreign-protocol';
import { coreText, said, type CoreText } from '../i18n/say';
import { abortiveClose } from './abortive-close';

export interface GuardSettings {
  /** The protocol is line-based: every line is checked, not only the first bytes. */
  readonly lines: boolean;
  /** Close a connection that has not completed its first frame in this time; 0 or absent: never. */
  readonly firstFrameTimeoutMs?: number;
  /** Close a connection with no traffic either way for this long; 0 or absent: never. */
  readonly idleTimeoutMs?: number;
  /** How long undecided first bytes (a register pausing mid-word) are held before they count as clean; default 500. */
  readonly holdMs?: number;
  /** Answers waiting to be sent beyond which the peer is dropped; default 1 MiB. */
  readonly maxWriteBacklog?: number;
}

/** What one listener's guard shares between its connections. */
export interface GuardContext {
  readonly listener?: string;
  readonly log: Logger;
  readonly security?: SecurityEventSink;
  /** Warn lines about refused connections: a few per minute, then a count. */
  readonly refusals: LineBudget;
}

export function guardContext(log: Logger, listener?: string, security?: SecurityEventSink): GuardContext {
  return {
    log,
    refusals: new LineBudget(5),
    ...(listener !== undefined ? { listener } : {}),
    ...(security ? { security } : {}),
  };
}

/** Reports a refused or closed connection: a rate-limited warn line and a security event. */
export function reportRefusal(
  ctx: GuardContext,
  kind: 'foreign_protocol' | 'connection_limit',
  peer: string,
  why: CoreText,
): void {
  const { detail, detailCode } = said('detail', why);
  const take = ctx.refusals.take();
  if (take.ok) ctx.log.warn({ peer, ...(take.closed > 0 ? { notLogged: take.closed } : {}) }, detail);
  ctx.security?.record({
    kind,
    peer,
    detail,
    detailCode,
    ...(ctx.listener !== undefined ? { listener: ctx.listener } : {}),
  });
}

/** What the guard needs of a connection: a TCP socket, or an in-memory stream in the fuzz targets. */
export type GuardableStream = ByteStream & {
  /** Closes abortively (TCP RST); plain `destroy` where missing. */
  resetAndDestroy?(): unknown;
  /** Bytes written but not yet sent. */
  readonly writableLength?: number;
  setTimeout?(ms: number, onTimeout: () => void): unknown;
};

/** A guarded connection: the session sees this stream; the socket underneath is the guard's. */
export class GuardedStream extends EventEmitter implements ByteStream {
  constructor(
    private readonly socket: GuardableStream,
    private readonly maxBacklog: number,
    private readonly onBacklog: () => void,
  ) {
    super();
  }

  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if ((this.socket.writableLength ?? 0) > this.maxBacklog) {
      this.onBacklog();
      cb?.(new Error('the peer does not read its answers'));
      return false;
    }
    return this.socket.write(chunk, cb) !== false;
  }

  end(): void {
    this.socket.end();
  }

  destroy(err?: Error): void {
    this.socket.destroy(err);
  }
}

/**
 * Watches `socket` and calls `onOpen` with the stream for the register protocol once the first bytes are clean.
 * A foreign connection never reaches `onOpen`.
 */
export function guardConnection(
  socket: GuardableStream,
  peer: string,
  settings: GuardSettings,
  ctx: GuardContext,
  onOpen: (stream: ByteStream) => void,
  onFirstFrame?: () => void,
): void {
  const scanner = new ForeignProtocolScanner(settings.lines);
  const holdMs = settings.holdMs ?? 500;
  let stream: GuardedStream | undefined;
  let framed = false;
  let done = false;
  let hold: NodeJS.Timeout | undefined;
  let firstFrame: NodeJS.Timeout | undefined;

  const stopTimers = (): void => {
    if (hold) clearTimeout(hold);
    if (firstFrame) clearTimeout(firstFrame);
    hold = firstFrame = undefined;
  };
  const close = (): void => {
    done = true;
    stopTimers();
    socket.off('data', onData);
    // An abortive close: the browser learns nothing and no answer is ever written.
    abortiveClose(socket);
  };
  const refuse = (what: string): void => {
    if (done) return;
    close();
    reportRefusal(ctx, 'foreign_protocol', peer, coreText('security.foreignProtocol', { what }));
  };
  const frameDone = (): void => {
    if (framed) return;
    framed = true;
    if (firstFrame) clearTimeout(firstFrame);
    firstFrame = undefined;
    onFirstFrame?.();
  };
  const deliver = (r: { pass: Buffer; foreign?: string }): void => {
    if (r.pass.length > 0) {
      if (!stream) {
        stream = new GuardedStream(socket, settings.maxWriteBacklog ?? 1024 * 1024, () => {
          if (done) return;
          close();
          ctx.log.warn({ peer }, 'register connection closed: it does not read the answers');
        });
        const s = stream;
        socket.on('close', () => s.emit('close'));
        socket.on('error', (err) => s.emit('error', err));
        onOpen(s);
      }
      if (!settings.lines || r.pass.includes(0x0a) || r.pass.includes(0x0d)) frameDone();
      stream.emit('data', r.pass);
    }
    if (r.foreign !== undefined) refuse(r.foreign);
  };
  function onData(chunk: Buffer): void {
    if (done) return;
    if (hold) clearTimeout(hold);
    hold = undefined;
    deliver(scanner.push(chunk));
    if (!done && scanner.holding > 0)
      hold = setTimeout(() => {
        hold = undefined;
        if (!done) deliver(scanner.flush());
      }, holdMs);
  }

  socket.on('data', onData);
  socket.on('close', () => {
    done = true;
    stopTimers();
  });
  // The peer closed its sending side: what is held is decided now; a register that never spoke is simply ended.
  socket.on('end', () => {
    if (done) return;
    if (hold) clearTimeout(hold);
    hold = undefined;
    deliver(scanner.flush());
    if (done) return;
    if (stream) stream.emit('end');
    else socket.end();
  });
  if (settings.firstFrameTimeoutMs) {
    const ms = settings.firstFrameTimeoutMs;
    firstFrame = setTimeout(() => {
      firstFrame = undefined;
      if (framed || done) return;
      if (stream) stream.destroy();
      else close();
      reportRefusal(ctx, 'connection_limit', peer, coreText('security.noFirstMessage', { seconds: ms / 1000 }));
    }, ms);
  }
  if (settings.idleTimeoutMs) {
    const ms = settings.idleTimeoutMs;
    socket.setTimeout?.(ms, () => {
      ctx.log.info({ peer }, `register connection closed after ${ms / 1000} s without traffic`);
      socket.destroy();
    });
  }
}
