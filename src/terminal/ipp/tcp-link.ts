/**
 * IPP over TCP ("ECR mode", mypos-ipp.md §1, §4): the terminal listens; we connect for each request and close the
 * connection ourselves once the exchange is over (§4 step 5).
 *
 * The LAN port is not documented by myPOS (§1, §14.1): 7900 (ECR-POS Connect, "Cash Register Machine") and
 * 60180 (POSLink Manager) are reported values, offered as presets; there is deliberately no default.
 */
import net from 'node:net';
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import { IppReader } from './codec';
import { decodeInto, IppInbox, writeFrame, type IppConnection, type IppLink } from './link';

/** Reported LAN ports (§1, unconfirmed). */
export const IPP_TCP_PORT_PRESETS = {
  /** ECR-POS Connect app, "Cash Register Machine" mode [reported]. */
  ecrPosConnect: 7900,
  /** POSLink Manager app [reported]. */
  posLinkManager: 60180,
} as const;

export interface TcpIppLinkOptions {
  host: string;
  port: number;
  /** How long to wait for the TCP connection; default 5000 ms. */
  connectTimeoutMs?: number;
  logger?: Logger;
}

export function createTcpIppLink(options: TcpIppLinkOptions): IppLink {
  const { host, port } = options;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const logger = options.logger ?? silentLogger();
  const description = `tcp ${host}:${port}`;

  return {
    description,
    open(o?: { readonly connectTimeoutMs?: number }): Promise<IppConnection> {
      const waitMs = o?.connectTimeoutMs ?? connectTimeoutMs;
      return new Promise((resolve, reject) => {
        const socket = net.connect({ host, port });
        let connected = false;
        // After the event loop was held (a slow synchronous journal commit), timers run before pending I/O: the
        // connection may be there and not yet reported. Give I/O one turn before giving up.
        const timer = setTimeout(() => {
          setImmediate(() => {
            if (connected) return;
            socket.destroy();
            reject(new Error(`no TCP connection to ${host}:${port} within ${waitMs} ms`));
          });
        }, waitMs);
        socket.once('error', (err) => {
          if (connected) return;
          clearTimeout(timer);
          socket.destroy();
          reject(err);
        });
        socket.once('connect', () => {
          connected = true;
          clearTimeout(timer);
          socket.setNoDelay(true);
          resolve(tcpConnection(socket, description, logger));
        });
      });
    },
  };
}

function tcpConnection(socket: net.Socket, description: string, logger: Logger): IppConnection {
  const inbox = new IppInbox();
  const reader = new IppReader();
  socket.on('data', (chunk: Buffer) => decodeInto(reader, chunk, (e) => inbox.push(e)));
  // An error is always followed by 'close'; keep the error for the close event.
  let lastError: Error | undefined;
  socket.on('error', (err) => {
    lastError = err;
    logger.debug({ err: err.message, link: description }, 'IPP TCP error');
  });
  socket.on('close', () => inbox.close(lastError));
  // The peer closing its side ends the exchange too; no more answers can come.
  socket.on('end', () => inbox.close());
  let released = false;
  return {
    description,
    write: (frame) => (inbox.closed ? Promise.reject(new Error('connection closed')) : writeFrame(socket, frame)),
    readable: () => inbox.readable(),
    take: () => inbox.take(),
    release: () => {
      if (released) return;
      released = true;
      inbox.close();
      socket.end();
      // Do not leave a half-closed socket behind if the terminal never closes its side.
      const t = setTimeout(() => socket.destroy(), 1000);
      t.unref();
      socket.once('close', () => clearTimeout(t));
    },
  };
}
