/**
 * Closing a socket at once, with a TCP reset (the peer learns nothing more and no answer is written) — the one way
 * every part of the bridge and its simulated terminal does it.
 *
 * A reset is only possible while our side has not begun an orderly close: after `end()` (a shutdown request under
 * way) libuv refuses it (`uv_tcp_close_reset` gives EINVAL) and Node, having emitted that error, never closes the
 * handle. The socket then stays open for good — it holds the event loop, and at exit the process spins waiting for
 * the shutdown request that never completes. So a socket already ending is destroyed the ordinary way.
 */
export interface ClosableSocket {
  readonly writableEnded?: boolean;
  resetAndDestroy?(): unknown;
  destroy(): unknown;
}

export function abortiveClose(socket: ClosableSocket): void {
  if (socket.resetAndDestroy && socket.writableEnded !== true) socket.resetAndDestroy();
  else socket.destroy();
}
