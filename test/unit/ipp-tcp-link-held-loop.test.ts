/**
 * A TCP terminal link whose connect timeout expires while the event loop is held (a slow synchronous journal commit
 * on a busy disk) must not report "no TCP connection" when the connection is there and only not yet reported.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTcpIppLink } from '../../src/terminal/ipp/tcp-link';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function listen(): Promise<number> {
  const server = net.createServer((socket) => socket.on('error', () => undefined));
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

/** Holds the JavaScript thread, as a synchronous fsync does. */
function hold(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe('IPP TCP link, connect timeout', () => {
  it('connects when the timeout expired only because the event loop was held', async () => {
    const port = await listen();
    const link = createTcpIppLink({ host: '127.0.0.1', port, connectTimeoutMs: 20 });
    const opening = link.open();
    hold(200); // ten times the timeout: the loopback connection is established long before the loop runs again
    const connection = await opening;
    expect(connection.description).toBe(`tcp 127.0.0.1:${port}`);
    connection.release();
  });
});
