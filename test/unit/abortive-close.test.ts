/**
 * Closing a socket at once: with a reset while it can, plainly once our side has begun an orderly close. A reset after
 * `end()` is refused by libuv and Node then never closes the handle — the socket held the event loop and `serve`
 * hung at its stop (the simulated terminal's side of a connection had answered and ended, then was reset at close).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { abortiveClose } from '../../src/transport/abortive-close';
import { SimConnection } from '../../src/terminal/simulator/ipp-connection';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A connected pair over loopback: [the server's socket, the client's]. */
async function pair(): Promise<[Socket, Socket]> {
  let accepted!: (s: Socket) => void;
  const got = new Promise<Socket>((r) => (accepted = r));
  const server = createServer({ allowHalfOpen: true }, (s) => accepted(s));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  client.on('error', () => undefined);
  client.resume();
  const socket = await got;
  socket.on('error', () => undefined);
  return [socket, client];
}

const closed = (s: Socket): Promise<boolean> =>
  new Promise((resolve) => {
    if (s.closed) return resolve(true);
    s.once('close', () => resolve(true));
  });

describe('abortiveClose', () => {
  it('resets a socket that has not ended: the peer sees ECONNRESET, both ends close', async () => {
    const [socket, client] = await pair();
    const peerError = new Promise<string>((r) => client.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? '')));
    abortiveClose(socket);
    expect(await closed(socket)).toBe(true);
    expect(await peerError).toBe('ECONNRESET');
    expect(await closed(client)).toBe(true);
  });

  it('closes a socket whose side is already ending (after end()) — its handle is released', async () => {
    const [socket, client] = await pair();
    socket.end();
    abortiveClose(socket);
    expect(await closed(socket)).toBe(true);
    expect(await closed(client)).toBe(true);
    expect(process.getActiveResourcesInfo()).not.toContain('TCPSocketWrap');
  });

  it("the simulated terminal's connection closes after it has answered and ended its side", async () => {
    const [socket, client] = await pair();
    const conn = new SimConnection(1, socket as never, true);
    conn.end();
    conn.destroy();
    expect(await closed(socket)).toBe(true);
    expect(await closed(client)).toBe(true);
  });
});
