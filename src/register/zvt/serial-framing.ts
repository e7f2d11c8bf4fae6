/**
 * ZVT serial transport — read beside zvt.md §1.2 (RS-232, USB virtual COM, serial-over-LAN).
 *
 *   10 02 | APDU with every 10 doubled | 10 03 | CRC lo | CRC hi
 *   DLE STX                              DLE ETX
 *
 * CRC = CRC-16/KERMIT (reflected 0x8408, init 0, no final XOR) over the UNSTUFFED APDU followed by the ETX byte 03;
 * DLE STX, the DLE before ETX and stuffing DLEs are excluded. Sent low byte first. (The ZVT documents call it
 * "CRC-XModem"; plain CRC-16/XMODEM gives different bytes.) Computed with the `crc` package's crc16kermit.
 *
 * Every frame is answered at once, before it is processed, by one unframed byte: ACK 06 (CRC good) or NAK 15.
 * T1 = 200 ms max gap between the bytes of one frame (else the receiver NAKs); T2 = 5 s max wait for ACK/NAK (else
 * resend); after NAK or T2 the sender repeats up to 2 times, then reports a transmission error to the application.
 */
import { crc16kermit } from 'crc';
import { parseApdu, type Apdu } from './apdu';
import { ZvtFormatError, ZvtTransmissionError } from './errors';
import { realTimers, type TimerHandle, type Timers } from './timers';

export const DLE = 0x10;
export const STX = 0x02;
export const ETX = 0x03;
export const ACK = 0x06;
export const NAK = 0x15;

/** The spec's timer values (§1.2). */
export const T1_MS = 200;
export const T2_MS = 5_000;
export const SERIAL_REPEATS = 2;

/** Frames longer than the largest APDU (5 header bytes + 65535) cannot be valid. */
const MAX_BODY = 5 + 0xffff;

/** CRC-16/KERMIT over the unstuffed APDU and the ETX byte. */
export function zvtCrc(apdu: Uint8Array): number {
  return crc16kermit(Buffer.concat([apdu, Buffer.from([ETX])]));
}

/** DLE STX, the APDU with every 10 doubled, DLE ETX, CRC low byte, CRC high byte. */
export function frameApdu(apdu: Uint8Array): Buffer {
  const out: number[] = [DLE, STX];
  for (const b of apdu) {
    out.push(b);
    if (b === DLE) out.push(DLE);
  }
  const crc = zvtCrc(apdu);
  out.push(DLE, ETX, crc & 0xff, crc >> 8);
  return Buffer.from(out);
}

export interface FrameEvents {
  /** A frame with a good CRC (already ACKed). */
  frame(body: Buffer): void;
  /** A frame that was NAKed, and why. */
  rejected(reason: string): void;
  /** A lone ACK / NAK byte while idle. */
  ack(): void;
  nak(): void;
}

type RxState = 'IDLE' | 'IDLE_DLE' | 'BODY' | 'BODY_DLE' | 'CRC1' | 'CRC2';

/**
 * The receiver state machine of §1.2:
 *   IDLE  — a lone 06/15 is ACK/NAK, 10 02 starts a frame, anything else is discarded;
 *   BODY  — 10 10 → data 10, 10 03 → CRC1, 10 + other → the frame is broken;
 *   CRC1/CRC2 — read the two CRC bytes, compare, answer ACK or NAK.
 * T1 restarts on every byte of a frame; when it expires the frame is NAKed.
 * (IDLE_DLE and BODY_DLE are the halves of the two-byte DLE sequences.) A frame that started with 10 02 and then
 * broke is NAKed rather than dropped silently, so that the sender repeats at once instead of after T2.
 */
export class FrameReceiver {
  private state: RxState = 'IDLE';
  private body: number[] = [];
  private crcLo = 0;
  private t1: TimerHandle | undefined;

  constructor(
    private readonly events: FrameEvents,
    /** Writes one transport byte (ACK/NAK) to the line. */
    private readonly reply: (byte: number) => void,
    private readonly timers: Timers = realTimers,
    private readonly t1Ms: number = T1_MS,
  ) {}

  push(chunk: Uint8Array): void {
    for (const b of chunk) this.byte(b);
  }

  /** Stops the T1 timer (connection closed). */
  stop(): void {
    this.t1?.cancel();
    this.t1 = undefined;
    this.state = 'IDLE';
    this.body = [];
  }

  private byte(b: number): void {
    switch (this.state) {
      case 'IDLE':
        if (b === ACK) this.events.ack();
        else if (b === NAK) this.events.nak();
        else if (b === DLE) this.state = 'IDLE_DLE';
        // anything else is line noise and is discarded
        return;
      case 'IDLE_DLE':
        if (b === STX) {
          this.state = 'BODY';
          this.body = [];
          this.armT1();
        } else if (b !== DLE) {
          this.state = 'IDLE';
        }
        return;
      case 'BODY':
        this.armT1();
        if (b === DLE) this.state = 'BODY_DLE';
        else this.data(b);
        return;
      case 'BODY_DLE':
        this.armT1();
        if (b === DLE) {
          this.state = 'BODY';
          this.data(DLE);
        } else if (b === ETX) {
          this.state = 'CRC1';
        } else {
          this.fail(`DLE followed by ${b.toString(16).padStart(2, '0')} inside a frame`);
        }
        return;
      case 'CRC1':
        this.armT1();
        this.crcLo = b;
        this.state = 'CRC2';
        return;
      case 'CRC2': {
        this.t1?.cancel();
        this.t1 = undefined;
        const body = Buffer.from(this.body);
        this.body = [];
        this.state = 'IDLE';
        const expected = zvtCrc(body);
        const got = this.crcLo | (b << 8);
        if (expected !== got) {
          this.reply(NAK);
          this.events.rejected(
            `CRC ${got.toString(16).padStart(4, '0')} does not match ${expected.toString(16).padStart(4, '0')}`,
          );
          return;
        }
        this.reply(ACK);
        this.events.frame(body);
        return;
      }
    }
  }

  private data(b: number): void {
    if (this.body.length >= MAX_BODY) {
      this.fail('frame longer than the largest APDU');
      return;
    }
    this.body.push(b);
  }

  private armT1(): void {
    this.t1?.cancel();
    this.t1 = this.timers.after(this.t1Ms, () => {
      this.t1 = undefined;
      this.fail(`no byte within T1 (${this.t1Ms} ms) inside a frame`);
    });
  }

  private fail(reason: string): void {
    this.t1?.cancel();
    this.t1 = undefined;
    this.state = 'IDLE';
    this.body = [];
    this.reply(NAK);
    this.events.rejected(reason);
  }
}

export interface SerialLinkOptions {
  timers?: Timers;
  t1Ms?: number;
  t2Ms?: number;
  /** Repeats after NAK or T2 before a transmission error; the spec says 2. */
  repeats?: number;
}

export interface SerialLinkEvents {
  /** A well-formed APDU arrived (its frame was ACKed). */
  apdu(a: Apdu): void;
  /** A frame with a good CRC whose body is not a well-formed APDU (it was ACKed: the transport is fine). */
  malformed(reason: string): void;
  /** A frame was NAKed (bad CRC, broken DLE sequence, T1). */
  rejected(reason: string): void;
}

/**
 * One end of a ZVT serial line: frames outgoing APDUs and waits for their ACK (repeating on NAK/T2), and turns
 * incoming frames into APDUs after ACKing them. Outgoing APDUs go one at a time, in order.
 */
export class SerialLink {
  private readonly receiver: FrameReceiver;
  private readonly timers: Timers;
  private readonly t2Ms: number;
  private readonly repeats: number;
  private queue: Promise<void> = Promise.resolve();
  private waiter: ((ok: boolean) => void) | undefined;
  private closed = false;

  constructor(
    private readonly write: (bytes: Buffer) => void,
    private readonly events: SerialLinkEvents,
    options: SerialLinkOptions = {},
  ) {
    this.timers = options.timers ?? realTimers;
    this.t2Ms = options.t2Ms ?? T2_MS;
    this.repeats = options.repeats ?? SERIAL_REPEATS;
    this.receiver = new FrameReceiver(
      {
        frame: (body) => this.onFrame(body),
        rejected: (reason) => this.events.rejected(reason),
        ack: () => this.settle(true),
        nak: () => this.settle(false),
      },
      (byte) => this.writeRaw(Buffer.from([byte])),
      this.timers,
      options.t1Ms ?? T1_MS,
    );
  }

  /** Feeds bytes read from the line. */
  push(chunk: Uint8Array): void {
    this.receiver.push(chunk);
  }

  /** Sends one APDU; resolves once the peer ACKed it, rejects with ZvtTransmissionError after the repeats. */
  send(apduBytes: Uint8Array): Promise<void> {
    const frame = frameApdu(apduBytes);
    const run = this.queue.then(() => this.transmit(frame));
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.closed = true;
    this.receiver.stop();
    this.settle(false);
  }

  private async transmit(frame: Buffer): Promise<void> {
    for (let attempt = 0; attempt <= this.repeats; attempt++) {
      if (this.closed) throw new ZvtTransmissionError('serial line closed');
      const acked = await new Promise<boolean>((resolve) => {
        const timer = this.timers.after(this.t2Ms, () => {
          this.waiter = undefined;
          resolve(false);
        });
        this.waiter = (ok) => {
          timer.cancel();
          this.waiter = undefined;
          resolve(ok);
        };
        this.writeRaw(frame);
      });
      if (acked) return;
    }
    throw new ZvtTransmissionError(`no ACK after ${this.repeats + 1} attempts`);
  }

  private settle(ok: boolean): void {
    this.waiter?.(ok);
  }

  private onFrame(body: Buffer): void {
    let a: Apdu;
    try {
      a = parseApdu(body);
    } catch (e) {
      this.events.malformed(e instanceof ZvtFormatError ? e.message : String(e));
      return;
    }
    this.events.apdu(a);
  }

  private writeRaw(bytes: Buffer): void {
    if (this.closed) return;
    this.write(bytes);
  }
}
