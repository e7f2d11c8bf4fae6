/**
 * Terminal-side framing for the simulator (../shared/specs/mypos-ipp.md §2).
 *
 * The client side uses the codec's IppReader. The terminal side needs one thing IppReader does not give: the raw
 * body of a message that fails to decode, so that the SYNTAX ERROR answer can still echo METHOD and SID and the
 * client can match it to its request. So this splitter reads the 2-byte total-length header itself and hands each
 * body to the codec's decodeIppBody.
 */
import { decodeIppBody, IPP_HEADER_BYTES, IppDecodeError, IppMessage } from '../ipp/codec';

export type IppFrame =
  | { readonly ok: true; readonly message: IppMessage }
  | { readonly ok: false; readonly error: string; readonly method?: string; readonly sid?: string };

export class IppFrameSplitter {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): IppFrame[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const out: IppFrame[] = [];
    while (this.buf.length >= IPP_HEADER_BYTES) {
      const total = this.buf.readUInt16BE(0);
      if (total < IPP_HEADER_BYTES) {
        // No way to find the next message boundary: drop what we have (§2 reader: require N ≥ 2).
        out.push({ ok: false, error: `length header ${total} is below 2` });
        this.buf = Buffer.alloc(0);
        break;
      }
      if (this.buf.length < total) break;
      const body = Buffer.from(this.buf.subarray(IPP_HEADER_BYTES, total));
      this.buf = this.buf.subarray(total);
      try {
        out.push({ ok: true, message: decodeIppBody(body) });
      } catch (e) {
        out.push({ ok: false, error: e instanceof IppDecodeError ? e.message : String(e), ...lenientEcho(body) });
      }
    }
    return out;
  }

  get pending(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
  }
}

/** METHOD and SID read from a body that is not a valid IPP message, when they are there and printable. */
function lenientEcho(body: Buffer): { method?: string; sid?: string } {
  const out: { method?: string; sid?: string } = {};
  for (const line of body.toString('latin1').split('\r\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const name = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (!isEchoable(value)) continue;
    if (name === 'METHOD' && out.method === undefined) out.method = value;
    if (name === 'SID' && out.sid === undefined) out.sid = value;
  }
  return out;
}

/** A value the terminal can echo: printable ASCII, 1–127 characters (SID limit, §3). */
export function isEchoable(value: string): boolean {
  return value.length > 0 && value.length <= 127 && /^[\x20-\x7e]+$/.test(value);
}

/**
 * What garbageNext answers with: a correctly length-framed message whose body is not IPP (it does not start with
 * PROTOCOL=IPP and has a line without "="), so a client reader stays in step but must reject it.
 */
export const GARBAGE_FRAME: Buffer = (() => {
  const body = Buffer.concat([
    Buffer.from('GARBAGE\r\nNOT=IPP\r\n', 'ascii'),
    Buffer.from([0x00, 0xff, 0x7f, 0x0d, 0x0a]),
  ]);
  const out = Buffer.alloc(body.length + 2);
  out.writeUInt16BE(out.length, 0);
  body.copy(out, 2);
  return out;
})();
