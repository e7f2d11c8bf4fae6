import type { BridgeApi, RegisterIdentity } from '../bridge/api';
import type { ByteStream } from '../transport/byte-stream';
import type { Logger } from '../log/logger';
import type { SecurityEventSink } from '../security/events';
import type { ListenerAuth } from './auth';

/**
 * The port every register protocol implements (native JSON lines, ZVT, text): it serves one connection — a TCP
 * socket, or an open serial/HID stream — decoding the register's frames into BridgeApi calls and rendering
 * progress, results and errors back in the register's own protocol. It never knows which terminal serves it.
 */
export interface RegisterProtocol {
  readonly name: string;
  /** Serve one connection until it closes. Must never throw: bad input is answered in the protocol. */
  serve(stream: ByteStream, ctx: RegisterContext): void;
  /**
   * How the transport's foreign-protocol guard reads this protocol. `lines`: requests are text lines, so every line
   * is checked for HTTP, not only the connection's first bytes. `firstFrameTimeoutMs`: registers of this protocol
   * send their first message right after connecting, so a connection silent this long is closed (the listener's
   * config may override it). Absent: first bytes only, no timeout.
   */
  readonly guard?: { readonly lines?: boolean; readonly firstFrameTimeoutMs?: number };
}

export interface RegisterContext {
  readonly api: BridgeApi;
  /** Identity of the listener; a protocol may refine `register` (e.g. native `hello` with a register id). */
  readonly identity: RegisterIdentity;
  /** Human description of the peer, e.g. "tcp 127.0.0.1:53122" or "serial /dev/ttyS0". */
  readonly peer: string;
  readonly log: Logger;
  /** Keys and the throttle of failed tries (absent: the listener asks for no key). */
  readonly auth?: ListenerAuth;
  /** Where failed authentications, floods of bad frames and other security events are reported. */
  readonly security?: SecurityEventSink;
  /**
   * BCP 47 locale of every word this register shows its cashier or prints (receipts, progress, results, errors);
   * undefined: English. See registerLocale().
   */
  readonly locale?: string;
}
