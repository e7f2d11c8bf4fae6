/**
 * An ECR17 cash register for tests (on a TCP socket or a serial port), written from ecr17.md alone (its own LRC and frame parsing, none of the
 * product's codec): it sends STX · message · ETX · LRC in one of the four LRC modes, reads ACK/NAK (3 bytes),
 * progress (SOH … EOT) and application frames, and checks every LRC it receives in its own mode.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';

export type Mode = 'std' | 'stx' | 'noext' | 'stx_noext';

/** The sheet's LRC: 0x7F XOR the message, with STX and/or ETX folded in per mode. */
export function sheetLrc(message: Uint8Array, mode: Mode): number {
  let x = 0x7f;
  if (mode === 'stx' || mode === 'stx_noext') x ^= 0x02;
  for (const b of message) x ^= b;
  if (mode === 'stx' || mode === 'noext') x ^= 0x03;
  return x;
}

export type Received =
  | { kind: 'ack' | 'nak'; bytes: Buffer }
  | { kind: 'progress'; text: string }
  | { kind: 'frame'; text: string; lrcOk: boolean };

export class TestRegister {
  readonly progress: string[] = [];
  private buf = Buffer.alloc(0);
  private readonly inbox: Received[] = [];
  private waiters: Array<(r: Received | undefined) => void> = [];
  closed = false;

  private constructor(
    readonly socket: Duplex,
    public mode: Mode,
  ) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.parse();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(undefined);
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, mode: Mode = 'std'): Promise<TestRegister> {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return new TestRegister(socket, mode);
  }

  /** A register on an open serial port (or any other byte stream). */
  static over(stream: Duplex, mode: Mode = 'std'): TestRegister {
    return new TestRegister(stream, mode);
  }

  private parse(): void {
    for (;;) {
      const b = this.buf;
      if (b.length === 0) return;
      const lead = b[0]!;
      if (lead === 0x06 || lead === 0x15) {
        if (b.length < 3) return;
        this.deliver({ kind: lead === 0x06 ? 'ack' : 'nak', bytes: b.subarray(0, 3) });
        this.buf = b.subarray(3);
      } else if (lead === 0x01) {
        const end = b.indexOf(0x04);
        if (end < 0) return;
        const text = b.subarray(1, end).toString('latin1');
        this.progress.push(text);
        this.deliver({ kind: 'progress', text });
        this.buf = b.subarray(end + 1);
      } else if (lead === 0x02) {
        const end = b.indexOf(0x03);
        if (end < 0 || b.length < end + 2) return;
        const msg = b.subarray(1, end);
        this.deliver({ kind: 'frame', text: msg.toString('latin1'), lrcOk: sheetLrc(msg, this.mode) === b[end + 1] });
        this.buf = b.subarray(end + 2);
      } else {
        throw new Error(`unexpected byte ${lead.toString(16)} from the terminal`);
      }
    }
  }

  private deliver(r: Received): void {
    const w = this.waiters.shift();
    if (w) w(r);
    else this.inbox.push(r);
  }

  /** The next thing the terminal sent (progress frames included); undefined when the connection closed. */
  next(): Promise<Received | undefined> {
    const r = this.inbox.shift();
    if (r) return Promise.resolve(r);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The next ACK/NAK or application frame, skipping progress frames. */
  async nextSkippingProgress(): Promise<Received | undefined> {
    for (;;) {
      const r = await this.next();
      if (r?.kind !== 'progress') return r;
    }
  }

  frameBytes(text: string, mode = this.mode): Buffer {
    const msg = Buffer.from(text, 'latin1');
    return Buffer.concat([Buffer.from([0x02]), msg, Buffer.from([0x03, sheetLrc(msg, mode)])]);
  }

  send(text: string, mode = this.mode): void {
    this.socket.write(this.frameBytes(text, mode));
  }

  raw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  ackBytes(): Buffer {
    return Buffer.from([0x06, 0x03, sheetLrc(Uint8Array.of(0x06), this.mode)]);
  }

  ack(): void {
    this.socket.write(this.ackBytes());
  }

  nak(): void {
    this.socket.write(Buffer.from([0x15, 0x03, sheetLrc(Uint8Array.of(0x15), this.mode)]));
  }

  /** Expects the terminal's 3-byte ACK in this register's mode. */
  async expectAck(): Promise<void> {
    const r = await this.nextSkippingProgress();
    if (r?.kind !== 'ack') throw new Error(`expected ACK, got ${JSON.stringify(r)}`);
    if (!r.bytes.equals(this.ackBytes())) throw new Error(`ACK in the wrong LRC mode: ${r.bytes.toString('hex')}`);
  }

  async expectNak(): Promise<Buffer> {
    const r = await this.nextSkippingProgress();
    if (r?.kind !== 'nak') throw new Error(`expected NAK, got ${JSON.stringify(r)}`);
    return r.bytes;
  }

  /** The next application frame (progress skipped); its LRC must be right in this register's mode. */
  async frame(): Promise<string> {
    const r = await this.nextSkippingProgress();
    if (r?.kind !== 'frame') throw new Error(`expected a frame, got ${JSON.stringify(r)}`);
    if (!r.lrcOk) throw new Error(`frame with a wrong LRC for mode ${this.mode}: ${r.text}`);
    return r.text;
  }

  async waitClosed(): Promise<void> {
    // a reset closes too ('error' then 'close'): not a failure here
    if (!this.closed) await new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }
}

const sp = (n: number): string => ' '.repeat(n);

/** §5.1, built from the table. */
export function paymentRequest(
  amountCents: number,
  o: { tid?: string; register?: string; code?: 'P' | 'X'; additional?: boolean } = {},
): string {
  return (
    (o.tid ?? '12345678') +
    '0' +
    (o.code ?? 'P') +
    (o.register ?? '00000001') +
    (o.additional ? '1' : '0') +
    '00' +
    '0' +
    '0' +
    String(amountCents).padStart(8, '0') +
    sp(128) +
    '00000000'
  );
}

export const reversalRequest = (stan: string, register = '00000001', tid = '12345678'): string =>
  `${tid}0S${register}${stan}00`;
export const lastResultRequest = (register = '00000001', tid = '12345678'): string => `${tid}0G${register}0000`;
export const totalsRequest = (register = '00000001', tid = '12345678'): string => `${tid}0T${register}00000000`;
export const closeRequest = (register = '00000001', tid = '12345678'): string => `${tid}0C${register}00000000`;
export const statusRequest = (tid = '12345678'): string => `${tid}0s`;

/** §5.2 fields of an `E` result by position. */
export function resultFields(text: string): {
  result: string;
  pan?: string;
  entry?: string;
  approval?: string;
  reason?: string;
  cardType: string;
  stan: string;
  online: string;
  length: number;
} {
  const result = text.slice(10, 12);
  const tail = {
    cardType: text.slice(47, 48),
    stan: text.slice(59, 65),
    online: text.slice(65, 71),
    length: text.length,
  };
  return result === '00'
    ? { result, pan: text.slice(12, 31), entry: text.slice(31, 34), approval: text.slice(34, 40), ...tail }
    : { result, reason: text.slice(12, 36).trimEnd(), ...tail };
}
