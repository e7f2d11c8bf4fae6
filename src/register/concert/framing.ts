/**
 * Concert framing — read beside concert.md §1 (line settings, 7E1 detection) and §2 (control characters, frame).
 *
 *   STX · message · ETX · LRC        LRC = XOR of every message byte and of ETX; STX excluded; no start value.
 *
 * The LRC is one byte read by position after ETX: it may take any value, including those of STX, EOT, ENQ, ACK or
 * NAK, and is never read as a control character. (The XOR is one line of code; no library is needed.)
 *
 * Parity in software. A 7E1 character (start, 7 data bits, even parity, stop) is exactly as long on the wire as an
 * 8N1 byte whose bit 7 is the even parity of bits 0–6. The bridge therefore opens a Concert port as 8N1 and does
 * the parity itself: in 7E1 it sets bit 7 on what it sends and checks and strips it on what it reads. This is what a
 * 7E1 UART does in hardware, gives the same bits on an RS-232 line, and also works on a pty or a USB CDC port, where
 * line settings are not enforced at all.
 *
 * Which line a register uses is detected per frame (§1): a 7E1 sender read as 8N1 delivers bytes whose bit 7 equals
 * the even parity of bits 0–6. If every byte of a frame satisfies that and at least one has bit 7 set, the frame is
 * 7E1; otherwise it is 8N1 (whose message bytes, printable ASCII, never have bit 7 set).
 */

export const STX = 0x02;
export const ETX = 0x03;
export const EOT = 0x04;
export const ENQ = 0x05;
export const ACK = 0x06;
export const NAK = 0x15;

/** Frames carry at most 512 data bytes (PayXpert's limit, §1). */
export const MAX_MESSAGE_BYTES = 512;

export type LineMode = '7E1' | '8N1';

/** XOR of the message bytes and ETX (7-bit characters). */
export function lrc(message: Uint8Array): number {
  let x = ETX;
  for (const b of message) x ^= b;
  return x;
}

/** Bit 7 set so that the byte has an even number of one bits: a 7-bit character as a 7E1 sender puts it on the line. */
export function withParity(c: number): number {
  const b = c & 0x7f;
  return b | (parityBit(b) << 7);
}

function parityBit(b: number): number {
  let p = 0;
  for (let v = b & 0x7f; v; v >>= 1) p ^= v & 1;
  return p;
}

/** True when bit 7 is the even parity of bits 0–6. */
export function parityOk(b: number): boolean {
  return b >> 7 === parityBit(b);
}

/** The sheet's detection rule for one frame's raw bytes (§1). */
export function detectLine(raw: Uint8Array): LineMode {
  let high = false;
  for (const b of raw) {
    if (!parityOk(b)) return '8N1';
    if (b & 0x80) high = true;
  }
  return high ? '7E1' : '8N1';
}

/** `STX message ETX LRC` as 7-bit characters (before any parity). */
export function frameMessage(message: string | Uint8Array): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'latin1') : Buffer.from(message);
  return Buffer.concat([Buffer.from([STX]), body, Buffer.from([ETX, lrc(body)])]);
}

/**
 * What goes on the wire for `bytes` in a line mode. In 7E1 every byte gets its parity bit; with
 * `controlParity: false`, STX/ETX/EOT/ENQ/ACK/NAK are sent as plain 7-bit bytes (PayXpert's statement that control
 * characters carry no parity, unverified — §1, §12 question 7). `bytes` is either one control byte or one frame
 * (STX first, ETX second to last; the LRC after it is data).
 */
export function onLine(bytes: Uint8Array, mode: LineMode, controlParity = true): Buffer {
  if (mode === '8N1') return Buffer.from(bytes);
  const out = Buffer.alloc(bytes.length);
  const last = bytes.length - 1;
  bytes.forEach((b, i) => {
    const control = bytes.length === 1 || (bytes[0] === STX && (i === 0 || i === last - 1));
    out[i] = control && !controlParity ? b & 0x7f : withParity(b);
  });
  return out;
}

/** Why a received frame was refused (answered NAK). */
export type FrameFault = 'parity' | 'lrc' | 'not-printable' | 'too-long' | 'gap';

export type FrameCheck =
  | { readonly ok: true; readonly message: Buffer; readonly mode: LineMode }
  | { readonly ok: false; readonly fault: FrameFault; readonly detail: string };

/**
 * Checks one received frame, given its raw bytes from STX through the LRC byte. `fixed` is the line mode when it
 * is configured; undefined detects it from the frame (§1).
 */
export function checkFrame(raw: Uint8Array, fixed: LineMode | undefined): FrameCheck {
  const mode = fixed ?? detectLine(raw);
  let chars: Uint8Array = raw;
  if (mode === '7E1') {
    const bad = raw.findIndex((b) => !parityOk(b));
    if (bad >= 0) return { ok: false, fault: 'parity', detail: `parity error in byte ${bad + 1} of the frame` };
    chars = raw.map((b) => b & 0x7f);
  }
  const message = Buffer.from(chars.subarray(1, chars.length - 2));
  const got = chars[chars.length - 1]!;
  const want = lrc(message);
  if (got !== want) return { ok: false, fault: 'lrc', detail: `LRC ${hex(got)} does not match ${hex(want)}` };
  if (message.some((b) => b < 0x20 || b > 0x7e))
    return { ok: false, fault: 'not-printable', detail: 'the message carries a byte outside printable ASCII' };
  return { ok: true, message, mode };
}

export function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
