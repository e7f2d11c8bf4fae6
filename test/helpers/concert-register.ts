/**
 * A Concert register (ECR) for tests, written from concert.md §3 and §9 rather than from the bridge's code: it opens
 * a session with ENQ, sends its request frame, closes with EOT, then takes the terminal's answer session (ACK to ENQ,
 * reads the frame, ACK, EOT). On a 7E1 line it puts the even parity bit on every byte it sends and checks and
 * strips it on every byte it reads, as a 7E1 UART does (a pty does not do it for us).
 */
import { expect } from 'vitest';

export const ENQ = 0x05;
export const ACK = 0x06;
export const NAK = 0x15;
export const EOT = 0x04;
export const STX = 0x02;
export const ETX = 0x03;

export interface RegisterWire {
  write(bytes: Buffer): void;
  onData(listener: (bytes: Buffer) => void): void;
}

function evenParity(c: number): number {
  let p = 0;
  for (let v = c & 0x7f; v; v >>= 1) p ^= v & 1;
  return (c & 0x7f) | (p << 7);
}

/** STX message ETX LRC (LRC = XOR of the message and ETX). */
export function concertFrame(message: string | Buffer): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'latin1') : message;
  let lrc = ETX;
  for (const b of body) lrc ^= b;
  return Buffer.concat([Buffer.from([STX]), body, Buffer.from([ETX, lrc])]);
}

export class ConcertRegister {
  /** Every byte received, as on the wire (with parity bits). */
  raw: number[] = [];
  private queue: number[] = [];
  private wake: (() => void) | undefined;

  constructor(
    private readonly wire: RegisterWire,
    readonly line: '7E1' | '8N1' = '8N1',
    /** Longest wait for one byte of the terminal; generous, a passing run never waits for it. */
    private readonly waitMs = 15_000,
  ) {
    wire.onData((bytes) => {
      for (const b of bytes) {
        this.raw.push(b);
        this.queue.push(b);
      }
      this.wake?.();
    });
  }

  /** Bytes as this register's UART puts them on the line. */
  send(bytes: Buffer | number[]): void {
    const b = Buffer.from(bytes);
    this.wire.write(this.line === '7E1' ? Buffer.from(b.map(evenParity)) : b);
  }

  /** The next character from the terminal (parity checked and stripped on 7E1), or undefined after `ms`. */
  async byte(ms = this.waitMs): Promise<number | undefined> {
    const end = Date.now() + ms;
    while (this.queue.length === 0) {
      const left = end - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
    const b = this.queue.shift()!;
    if (this.line === '7E1') {
      expect(evenParity(b), `byte ${b.toString(16)} carries even parity`).toBe(b);
      return b & 0x7f;
    }
    return b;
  }

  async expectByte(want: number, ms?: number): Promise<void> {
    const got = await this.byte(ms);
    expect(got === undefined ? 'nothing' : got.toString(16).padStart(2, '0')).toBe(want.toString(16).padStart(2, '0'));
  }

  /** Nothing arrives within `ms`. */
  async expectSilence(ms: number): Promise<void> {
    const got = await this.byte(ms);
    expect(got).toBeUndefined();
  }

  /** Steps 1–5: ENQ, ACK, frame, ACK, EOT. `frames` are sent in turn while the terminal answers NAK. */
  async request(message: string, frames: Buffer[] = []): Promise<void> {
    this.send([ENQ]);
    await this.expectByte(ACK);
    for (const f of frames) {
      this.send(f);
      await this.expectByte(NAK);
    }
    this.send(concertFrame(message));
    await this.expectByte(ACK);
    this.send([EOT]);
  }

  /**
   * Steps 7–11: waits for ENQ, ACKs, reads one frame (by position: the byte after ETX is the LRC, whatever its
   * value), checks its LRC, ACKs it unless `ack` is false, and expects EOT. Returns the message.
   */
  async answer(o: { ack?: boolean; enqWaitMs?: number } = {}): Promise<string> {
    await this.expectByte(ENQ, o.enqWaitMs);
    this.send([ACK]);
    const message = await this.readFrame();
    if (o.ack === false) return message;
    this.send([ACK]);
    await this.expectByte(EOT);
    return message;
  }

  /** One frame: STX … ETX LRC; checks the LRC and returns the message. */
  async readFrame(): Promise<string> {
    await this.expectByte(STX);
    const body: number[] = [];
    for (;;) {
      const b = await this.byte();
      expect(b, 'the frame goes on').toBeDefined();
      if (b === ETX) break;
      body.push(b!);
    }
    const lrc = await this.byte();
    let want = ETX;
    for (const b of body) want ^= b;
    expect(lrc, 'LRC').toBe(want);
    return Buffer.from(body).toString('latin1');
  }
}
