/**
 * Unplug detection for serialport's Unix binding. When a USB serial device is pulled (or a pty's other side goes),
 * Linux hangs the tty up and read() returns 0 bytes from then on. @serialport/bindings-cpp 13 answers a 0-byte read
 * by reading again at once, forever (its issue #162): the port never reports the disconnect, and the process spins.
 * This guard replaces the opened port's `read` with the same loop, except that 0 bytes means "the device hung up":
 * the error carries `disconnect`, and serialport closes the port with a DisconnectedError — the 'close' the
 * bridge re-opens from. Ports that lack the Unix binding's `fd` and `poller` (Windows, mocks) are left alone.
 */
import { read } from 'node:fs';
import { promisify } from 'node:util';

const readAsync = promisify(read);

interface UnixPortLike {
  fd?: number | null;
  readonly isOpen: boolean;
  poller?: { once(event: 'readable', cb: (err: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
}

function canceled(): Error {
  return Object.assign(new Error('Port is not open'), { canceled: true });
}

const RETRY = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

/** Patches one opened binding port in place; returns whether it did. */
export function guardHangup(port: unknown): boolean {
  const p = port as UnixPortLike;
  if (typeof p?.fd !== 'number' || typeof p.poller?.once !== 'function' || typeof p.read !== 'function') return false;
  const poller = p.poller;
  p.read = async (buffer, offset, length) => {
    for (;;) {
      if (!p.isOpen || typeof p.fd !== 'number') throw canceled();
      try {
        const { bytesRead } = await readAsync(p.fd, buffer, offset, length, null);
        if (bytesRead === 0)
          throw Object.assign(new Error('the device hung up (unplugged or closed by the other side)'), {
            disconnect: true,
            code: 'EHANGUP',
          });
        return { buffer, bytesRead };
      } catch (e) {
        const err = e as NodeJS.ErrnoException & { disconnect?: boolean };
        if (err.disconnect || !RETRY.has(err.code ?? '')) throw err;
        if (!p.isOpen) throw canceled();
        await new Promise<void>((resolve, reject) =>
          poller.once('readable', (pollErr) => (pollErr ? reject(pollErr) : resolve())),
        );
      }
    }
  };
  return true;
}
