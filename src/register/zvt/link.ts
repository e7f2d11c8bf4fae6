/**
 * The two ZVT transports behind one small interface, so the session does not care which carries it:
 *   TCP (zvt.md §1.1): raw APDUs, reassembled from the length field (apdu.ts ApduReader);
 *   serial (zvt.md §1.2): DLE/STX framing with CRC and ACK/NAK (serial-framing.ts SerialLink).
 */
import type { ByteStream } from '../../transport/byte-stream';
import { ApduReader, type Apdu } from './apdu';
import { SerialLink } from './serial-framing';
import { realTimers, type TimerHandle, type Timers } from './timers';

export interface ApduLinkEvents {
  apdu(a: Apdu): void;
  /** Bytes that cannot be an APDU; the session answers 84 9A 00. */
  malformed(reason: string): void;
  /** Transport-level rejection already answered by the link (serial NAK); for the log. */
  rejected(reason: string): void;
  closed(): void;
}

export interface ApduLink {
  readonly transport: 'tcp' | 'serial';
  /** Sends one APDU. Resolves when written (TCP) or ACKed (serial); rejects on a transmission error. */
  send(bytes: Buffer): Promise<void>;
  /** Gives up the connection: closes a TCP socket; a serial port stays open (the register may retry). */
  drop(): void;
  readonly closed: boolean;
}

/** TCP: raw APDUs. A partial APDU older than `incompleteMs` is discarded and reported as malformed. */
export function tcpLink(
  stream: ByteStream,
  events: ApduLinkEvents,
  options: { timers?: Timers; incompleteMs: number },
): ApduLink {
  const timers = options.timers ?? realTimers;
  const reader = new ApduReader();
  let stall: TimerHandle | undefined;
  let closed = false;

  const onData = (chunk: Buffer): void => {
    let apdus: Apdu[];
    try {
      apdus = reader.push(chunk);
    } catch (e) {
      reader.discard();
      events.malformed((e as Error).message);
      return;
    }
    stall?.cancel();
    stall = undefined;
    if (reader.pending > 0) {
      stall = timers.after(options.incompleteMs, () => {
        stall = undefined;
        const n = reader.discard();
        if (n > 0 && !closed)
          events.malformed(`incomplete APDU (${n} bytes) discarded after ${options.incompleteMs} ms`);
      });
    }
    for (const a of apdus) events.apdu(a);
  };
  const onClose = (): void => {
    if (closed) return;
    closed = true;
    stall?.cancel();
    stream.off('data', onData as never);
    events.closed();
  };
  stream.on('data', onData);
  stream.on('close', onClose);
  stream.on('error', () => onClose());
  // A register that closes its side has ended the conversation (it must acknowledge every message we send), even
  // when the listener keeps half-open sockets: close ours too.
  (stream as unknown as { on(event: 'end', l: () => void): unknown }).on('end', () => {
    onClose();
    stream.destroy();
  });

  return {
    transport: 'tcp',
    get closed() {
      return closed;
    },
    send(bytes) {
      if (closed) return Promise.reject(new Error('connection closed'));
      return new Promise<void>((resolve, reject) => {
        try {
          stream.write(bytes, (err) => (err ? reject(err) : resolve()));
        } catch (e) {
          reject(e as Error);
        }
      });
    },
    drop() {
      if (closed) return;
      stream.destroy();
      onClose();
    },
  };
}

/** Serial: DLE/STX frames with CRC, ACK/NAK and repeats. */
export function serialLink(
  stream: ByteStream,
  events: ApduLinkEvents,
  options: { timers?: Timers; t1Ms: number; t2Ms: number; repeats: number },
): ApduLink {
  let closed = false;
  const link = new SerialLink(
    (bytes) => {
      try {
        stream.write(bytes);
      } catch {
        // a failed write shows up as a missing ACK (T2) and ends in a transmission error
      }
    },
    { apdu: (a) => events.apdu(a), malformed: (r) => events.malformed(r), rejected: (r) => events.rejected(r) },
    {
      ...(options.timers ? { timers: options.timers } : {}),
      t1Ms: options.t1Ms,
      t2Ms: options.t2Ms,
      repeats: options.repeats,
    },
  );
  const onData = (chunk: Buffer): void => link.push(chunk);
  const onClose = (): void => {
    if (closed) return;
    closed = true;
    link.close();
    stream.off('data', onData as never);
    events.closed();
  };
  stream.on('data', onData);
  stream.on('close', onClose);
  // A port error is followed by 'close' when the port is gone; a failed write ends as a missing ACK.
  stream.on('error', () => undefined);
  return {
    transport: 'serial',
    get closed() {
      return closed;
    },
    send: (bytes) => link.send(bytes),
    drop() {
      // The port belongs to the listener; the register may come back on it.
    },
  };
}
