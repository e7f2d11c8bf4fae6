import { createServer, type Server, type Socket } from 'node:net';
import { BridgeError } from '../domain/errors';

export interface TcpListener {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A TCP listener for registers. Each connection is handed over as a byte stream; connections are tracked so
 * that closing the listener also ends them. A port in use is reported in words, not as EADDRINUSE.
 */
export function listenTcp(host: string, port: number, onConnection: (socket: Socket, peer: string) => void): Promise<TcpListener> {
  const sockets = new Set<Socket>();
  // allowHalfOpen: a register may send its request and close its sending side (`printf … | nc -q 30`); the
  // answer must still reach it. The protocol session ends our side when it has answered everything.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket, `tcp ${socket.remoteAddress}:${socket.remotePort}`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new BridgeError('config_invalid', `port ${port} on ${host} is already in use by another program`));
      else if (err.code === 'EACCES') reject(new BridgeError('config_invalid', `no permission to listen on ${host}:${port}`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new BridgeError('config_invalid', `${host} is not an address of this computer`));
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
            for (const s of sockets) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}
