/**
 * Links to a myPOS terminal (mypos-ipp.md §1, §4). The protocol is the same on every link; only how bytes
 * travel differs:
 *
 * - TCP ("ECR mode"): the terminal is the server; the client connects per request and closes the connection
 *   itself after STAGE=5 (§4 steps 1 and 5). See tcp-link.ts.
 * - Serial (USB CDC-ACM, Bluetooth SPP, RS-232): no connection concept; the port stays open and is reused for
 *   every request, a partial message is discarded after 2 s without a byte (§1 "Serial handling"). That is
 *   `createStreamIppLink` below, over any ByteStream factory, so a serial port plugs in without touching the driver.
 *
 * The driver sees only `IppLink.open()` → `IppConnection`: write one framed request, then take decoded
 * messages until it releases the connection.
 */
import type { ByteStream } from '../../transport/byte-stream';
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import { IppDecodeError, IppReader, type IppMessage } from './codec';

/** What a connection delivers: a decoded message, a frame that could not be decoded, or the end of the link. */
export type IppEvent =
  | { readonly kind: 'message'; readonly message: IppMessage }
  | { readonly kind: 'invalid'; readonly error: IppDecodeError }
  | { readonly kind: 'closed'; readonly error?: Error };

export interface IppConnection {
  readonly description: string;
  /** Writes one framed message; resolves when the transport took it, rejects when the link is gone. */
  write(frame: Uint8Array): Promise<void>;
  /** Resolves once `take()` has an event. Never consumes anything, so it is safe to race against a timer. */
  readable(): Promise<void>;
  /** The next event, or undefined when none is queued. After the link closed it keeps returning `closed`. */
  take(): IppEvent | undefined;
  /** Done with this request: TCP closes the socket (§4 step 5); a serial link keeps its port open. */
  release(): void;
}

export interface IppLink {
  /** Human description, e.g. "tcp 192.168.1.50:7900". */
  readonly description: string;
  /**
   * A connection for one request/answer cycle. Rejects when the terminal cannot be reached (nothing was sent).
   * `connectTimeoutMs` shortens the wait for a TCP connection (the idle liveness probe); links without one ignore it.
   */
  open(o?: { readonly connectTimeoutMs?: number }): Promise<IppConnection>;
  /** Releases anything the link keeps open (a serial port). */
  close?(): Promise<void>;
}

/** A queue of link events with a non-consuming wait. */
export class IppInbox {
  private readonly events: IppEvent[] = [];
  private closedEvent: IppEvent | undefined;
  private waiters: Array<() => void> = [];

  push(event: IppEvent): void {
    if (this.closedEvent) return;
    this.events.push(event);
    this.wake();
  }

  close(error?: Error): void {
    if (this.closedEvent) return;
    this.closedEvent = error ? { kind: 'closed', error } : { kind: 'closed' };
    this.wake();
  }

  get closed(): boolean {
    return this.closedEvent !== undefined;
  }

  take(): IppEvent | undefined {
    return this.events.shift() ?? this.closedEvent;
  }

  readable(): Promise<void> {
    if (this.events.length > 0 || this.closedEvent) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Feeds bytes through an IppReader into events. */
export function decodeInto(reader: IppReader, chunk: Uint8Array, push: (e: IppEvent) => void): void {
  for (const item of reader.push(chunk)) {
    if (item instanceof IppDecodeError) push({ kind: 'invalid', error: item });
    else push({ kind: 'message', message: item });
  }
}

export function writeFrame(stream: Pick<ByteStream, 'write'>, frame: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      stream.write(frame, (err) => (err ? reject(err) : resolve()));
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}

export interface StreamIppLinkOptions {
  /** Opens the byte stream (e.g. a serial port at 115200 8N1, §1). Called again after the stream closed (re-plug). */
  open: () => Promise<ByteStream>;
  /** Human description, e.g. "serial /dev/ttyACM0". */
  description: string;
  /** Discard a partial message when no byte arrived for this long (§1: 2 s). */
  partialMessageTimeoutMs?: number;
  logger?: Logger;
}

/**
 * A link over one long-lived byte stream (serial). The stream is opened on first use and kept; one IppReader
 * frames everything it receives, so messages that arrive between requests (late answers) keep the framing aligned
 * and are dropped with a log line. When the stream closes or fails it is reopened on the next request.
 */
export function createStreamIppLink(options: StreamIppLinkOptions): IppLink {
  const logger = options.logger ?? silentLogger();
  const partialMs = options.partialMessageTimeoutMs ?? 2000;
  let stream: ByteStream | undefined;
  let opening: Promise<ByteStream> | undefined;
  let reader = new IppReader();
  let lease: IppInbox | undefined;
  let partialTimer: ReturnType<typeof setTimeout> | undefined;

  const stopPartialTimer = (): void => {
    if (partialTimer) clearTimeout(partialTimer);
    partialTimer = undefined;
  };

  const deliver = (event: IppEvent): void => {
    if (lease) lease.push(event);
    else if (event.kind === 'message') {
      logger.warn(
        { method: event.message.method, sid: event.message.sid, stage: event.message.stage },
        'IPP message outside a request dropped',
      );
    } else if (event.kind === 'invalid')
      logger.warn({ err: event.error.message }, 'IPP frame outside a request dropped');
  };

  const attach = (s: ByteStream): void => {
    reader = new IppReader();
    s.on('data', (chunk: Buffer) => {
      decodeInto(reader, chunk, deliver);
      stopPartialTimer();
      if (reader.pending > 0) {
        partialTimer = setTimeout(() => {
          partialTimer = undefined;
          if (reader.pending > 0) {
            logger.warn({ bytes: reader.pending }, 'IPP partial message discarded after silence');
            reader.reset();
          }
        }, partialMs);
        partialTimer.unref?.();
      }
    });
    const gone = (err?: Error): void => {
      if (stream !== s) return;
      stream = undefined;
      stopPartialTimer();
      lease?.close(err);
      if (err) logger.warn({ err: err.message }, 'IPP stream failed');
    };
    s.on('error', (err: Error) => gone(err));
    s.on('close', () => gone());
  };

  const ensure = async (): Promise<ByteStream> => {
    if (stream) return stream;
    if (!opening) {
      opening = options
        .open()
        .then((s) => {
          stream = s;
          attach(s);
          return s;
        })
        .finally(() => {
          opening = undefined;
        });
    }
    return opening;
  };

  return {
    description: options.description,
    async open(): Promise<IppConnection> {
      const s = await ensure();
      lease?.close();
      const inbox = new IppInbox();
      lease = inbox;
      return {
        description: options.description,
        write: (frame) => (inbox.closed ? Promise.reject(new Error('link closed')) : writeFrame(s, frame)),
        readable: () => inbox.readable(),
        take: () => inbox.take(),
        release: () => {
          inbox.close();
          if (lease === inbox) lease = undefined;
        },
      };
    },
    async close(): Promise<void> {
      const s = stream;
      stream = undefined;
      stopPartialTimer();
      lease?.close();
      lease = undefined;
      if (s) s.destroy();
    },
  };
}
