import { BridgeError } from '../domain/errors';
import type { ListenerConfig } from '../config/schema';
import type { ByteStream } from './byte-stream';
import { listenTcp } from './tcp';

/** An open listener: where registers reach it, and how to stop it. */
export interface OpenListener {
  /** "127.0.0.1:7450" for TCP, the device path or id otherwise. */
  readonly address: string;
  readonly port?: number;
  close(): Promise<void>;
}

/**
 * Opens a listener's transport and hands every register connection to `onStream` as a byte stream: one per TCP
 * connection; for a serial port or HID cable, the open device itself (re-opened on replug).
 */
export async function openListener(
  transport: ListenerConfig['transport'],
  onStream: (stream: ByteStream, peer: string) => void,
): Promise<OpenListener> {
  switch (transport.type) {
    case 'tcp': {
      const server = await listenTcp(transport.host, transport.port, (socket, peer) => onStream(socket, peer));
      return { address: `${server.host}:${server.port}`, port: server.port, close: () => server.close() };
    }
    default:
      throw new BridgeError('config_invalid', `${transport.type} listeners are not available in this build`);
  }
}
