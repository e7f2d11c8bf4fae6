import { createServer, type Server, type Socket } from 'node:net';
import { BridgeError } from '../domain/errors';
import { silentLogger } from '../log/logger';
import type { ByteStream } from './byte-stream';
import {
  guardConnection,
  guardContext,
  reportRefusal,
  type GuardContext,
  type GuardSettings,
} from './foreign-protocol-guard';
import { coreText } from '../i18n/say';
import { abortiveClose } from './abortive-close';

export interface TcpListener {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Connections one listener serves at once unless configured otherwise. */
export const DEFAULT_MAX_CONNECTIONS = 32;

export interface TcpListenOptions {
  /** How the foreign-protocol guard reads this listener's protocol, and its timeouts; default: binary, no timeouts. */
  readonly guard?: GuardSettings;
  /** Log and security events of the guard (refused connections); default: silent. */
  readonly context?: GuardContext;
  /** Connections served at once; default DEFAULT_MAX_CONNECTIONS. */
  readonly maxConnections?: number;
  /** Every accepted connection, before the guard has seen a byte (the dashboard's list of connected registers). */
  readonly onAccept?: (socket: ByteStream, peer: string) => void;
}

/**
 * A TCP listener for registers. Every connection passes the foreign-protocol guard first (foreign-protocol-guard.ts):
 * only a connection whose first bytes are no HTTP, TLS or WebSocket is handed over, as a byte stream. Connections
 * are tracked so that closing the listener also ends them, and limited: over `maxConnections`, the oldest connection
 * that has not completed a first message yet makes room (a peer holding silent connections cannot lock registers
 * out), else the new one is closed. A port in use is reported in words, not as EADDRINUSE.
 */
export function listenTcp(
  host: string,
  port: number,
  onConnection: (stream: ByteStream, peer: string) => void,
  options: TcpListenOptions = {},
): Promise<TcpListener> {
  const sockets = new Map<Socket, { framed: boolean; peer: string }>();
  const ctx = options.context ?? guardContext(silentLogger());
  const settings: GuardSettings = options.guard ?? { lines: false };
  const max = Math.max(1, options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  // allowHalfOpen: a register may send its request and close its sending side (`printf … | nc -q 30`); the
  // answer must still reach it. The protocol session ends our side when it has answered everything.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    const peer = `tcp ${socket.remoteAddress}:${socket.remotePort}`;
    socket.on('error', () => undefined);
    if (sockets.size >= max) {
      const silent = [...sockets].find(([, s]) => !s.framed);
      if (!silent) {
        abortiveClose(socket);
        reportRefusal(ctx, 'connection_limit', peer, coreText('security.connectionsFull', { max }));
        return;
      }
      sockets.delete(silent[0]);
      abortiveClose(silent[0]);
      reportRefusal(ctx, 'connection_limit', silent[1].peer, coreText('security.connectionMadeRoom', { max }));
    }
    const state = { framed: false, peer };
    sockets.set(socket, state);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    options.onAccept?.(socket, peer);
    guardConnection(
      socket,
      peer,
      settings,
      ctx,
      (stream) => onConnection(stream, peer),
      () => {
        state.framed = true;
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(new BridgeError('config_invalid', `port ${port} on ${host} is already in use by another program`));
      else if (err.code === 'EACCES')
        reject(new BridgeError('config_invalid', `no permission to listen on ${host}:${port}`));
      else if (err.code === 'EADDRNOTAVAIL')
        reject(new BridgeError('config_invalid', `${host} is not an address of this computer`));
      else reject(err);
    });
    server.listen(port, host, () => {
      const addr = server.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      resolve({
        host,
        port: bound,
        close: () =>
          new Promise<void>((res) => {
            for (const s of sockets.keys()) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}
