/**
 * ECR17 frames — read beside ecr17.md §2:
 *
 *   application message   STX · message (ASCII) · ETX · LRC      acknowledged by ACK/NAK
 *   progress update       SOH · exactly 20 characters · EOT       terminal → ECR only, never acknowledged
 *   acknowledgement       ACK · ETX · LRC   /   NAK · ETX · LRC   never acknowledged
 *
 * The reader cuts a byte stream (frames split across TCP segments, or several in one) by lead byte and skips stray
 * bytes. It accepts both the 3-byte ACK/NAK and a bare ACK/NAK byte from the register; we always send 3 bytes.
 */
import { ACK, EOT, ETX, NAK, SOH, STX, lrc, type LrcMode } from './lrc';

/** Longest message we take between STX and ETX (the longest request, `U`, is well below it). */
export const MAX_MESSAGE = 1024;

export const PROGRESS_LENGTH = 20;

export type Inbound =
  /** STX … ETX LRC: the message and the LRC byte as received (checked by the link, which knows the mode). */
  | { readonly type: 'message'; readonly message: Buffer; readonly check: number }
  | { readonly type: 'ack' }
  | { readonly type: 'nak' }
  /** A frame cut short by a new STX, or longer than MAX_MESSAGE: answered with NAK. */
  | { readonly type: 'broken'; readonly reason: string };

type State = 'idle' | 'message' | 'lrc' | 'ack-etx' | 'ack-lrc' | 'progress';

export class FrameReader {
  private state: State = 'idle';
  private body: number[] = [];
  /** Bytes skipped outside any frame since the last call of `takeSkipped`. */
  private skipped = 0;

  /** Bytes of an unfinished message (for the link's incomplete-frame timer). */
  get pending(): number {
    return this.state === 'message' || this.state === 'lrc' ? this.body.length + 1 : 0;
  }

  push(chunk: Uint8Array): Inbound[] {
    const out: Inbound[] = [];
    for (const b of chunk) this.byte(b, out);
    return out;
  }

  /** Drops whatever is unfinished (after the incomplete-frame timeout); returns how many message bytes it had. */
  discard(): number {
    const n = this.pending;
    this.reset();
    return n;
  }

  takeSkipped(): number {
    const n = this.skipped;
    this.skipped = 0;
    return n;
  }

  private reset(): void {
    this.state = 'idle';
    this.body = [];
  }

  private byte(b: number, out: Inbound[]): void {
    switch (this.state) {
      case 'message':
        if (b === ETX) this.state = 'lrc';
        else if (b === STX) {
          out.push({ type: 'broken', reason: `frame cut short after ${this.body.length} bytes by a new STX` });
          this.body = [];
        } else if (this.body.length >= MAX_MESSAGE) {
          out.push({ type: 'broken', reason: `no ETX within ${MAX_MESSAGE} bytes` });
          this.reset();
          this.skipped++;
        } else this.body.push(b);
        return;
      case 'lrc':
        out.push({ type: 'message', message: Buffer.from(this.body), check: b });
        this.reset();
        return;
      case 'ack-etx':
        // A 3-byte ACK/NAK goes on with ETX and its LRC; anything else means it was a bare byte.
        if (b === ETX) {
          this.state = 'ack-lrc';
          return;
        }
        this.state = 'idle';
        this.byte(b, out);
        return;
      case 'ack-lrc':
        this.state = 'idle';
        // An ACK/NAK LRC is never a lead byte (79, 78, 7A, 7B / 6A, 6B, 69, 68): a lead byte starts the next frame.
        if (b === STX || b === SOH || b === ACK || b === NAK) this.byte(b, out);
        return;
      case 'progress':
        // Progress frames travel terminal → ECR only; one from a register is skipped up to its EOT.
        if (b === EOT) this.state = 'idle';
        else if (b === STX) {
          this.state = 'idle';
          this.byte(b, out);
        } else this.skipped++;
        return;
      case 'idle':
        if (b === STX) {
          this.state = 'message';
          this.body = [];
        } else if (b === ACK || b === NAK) {
          out.push({ type: b === ACK ? 'ack' : 'nak' });
          this.state = 'ack-etx';
        } else if (b === SOH) this.state = 'progress';
        else this.skipped++;
        return;
    }
  }
}

/** STX · message · ETX · LRC. */
export function frame(message: string | Uint8Array, mode: LrcMode): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'latin1') : Buffer.from(message);
  return Buffer.concat([Buffer.from([STX]), body, Buffer.from([ETX, lrc(body, mode)])]);
}

/** ACK · ETX · LRC in the register's mode (a bare 06 stalls the clients, §12). */
export function ackFrame(mode: LrcMode): Buffer {
  return Buffer.from([ACK, ETX, lrc(Uint8Array.of(ACK), mode)]);
}

export function nakFrame(mode: LrcMode): Buffer {
  return Buffer.from([NAK, ETX, lrc(Uint8Array.of(NAK), mode)]);
}

/** SOH · 20 characters · EOT: text cut or space-filled to 20, non-ASCII replaced. */
export function progressFrame(text: string): Buffer {
  const t = text
    .replace(/[^\x20-\x7e]/g, ' ')
    .slice(0, PROGRESS_LENGTH)
    .padEnd(PROGRESS_LENGTH, ' ');
  return Buffer.concat([Buffer.from([SOH]), Buffer.from(t, 'latin1'), Buffer.from([EOT])]);
}
