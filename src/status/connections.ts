/**
 * The registers connected to one listener right now, for the dashboard: each byte stream handed to the register
 * protocol counts from the moment it is served until it closes (a TCP peer "127.0.0.1:53122", a serial port or HID
 * cable while it is open). Tells its watchers when the list changes.
 */
import { EventEmitter } from 'node:events';
import type { ByteStream } from '../transport/byte-stream';

export class ListenerConnections extends EventEmitter<{ change: [] }> {
  private readonly open = new Map<ByteStream, string>();

  /** Counts `stream` as connected (as `peer`) until it closes. */
  add(stream: ByteStream, peer: string): void {
    if (this.open.has(stream)) return;
    this.open.set(stream, peer);
    const gone = (): void => {
      stream.off('close', gone);
      if (this.open.delete(stream)) this.emit('change');
    };
    stream.on('close', gone);
    this.emit('change');
  }

  /** The connected registers' peers, in the order they connected. */
  list(): string[] {
    return [...this.open.values()];
  }
}
