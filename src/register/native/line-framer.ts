/**
 * NDJSON framing: UTF-8 text, one message per line ending in "\n" (an optional "\r" before it is dropped).
 * A line longer than `maxBytes` is reported once as too long and skipped up to its newline, so one bad line never
 * costs the connection.
 */
export type LineEvent = { line: string } | { tooLong: number };

export class LineFramer {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;
  private skipped = 0;

  constructor(private readonly maxBytes = 64 * 1024) {}

  push(chunk: Buffer): LineEvent[] {
    const out: LineEvent[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.skipping) {
        out.push({ tooLong: this.skipped + piece.length });
        this.skipping = false;
        this.skipped = 0;
        continue;
      }
      if (this.size + piece.length > this.maxBytes) {
        out.push({ tooLong: this.size + piece.length });
        this.parts = [];
        this.size = 0;
        continue;
      }
      this.parts.push(piece);
      const whole = this.parts.length === 1 ? piece : Buffer.concat(this.parts);
      this.parts = [];
      this.size = 0;
      let text = whole.toString('utf8');
      if (text.endsWith('\r')) text = text.slice(0, -1);
      out.push({ line: text });
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      if (this.skipping) this.skipped += rest.length;
      else if (this.size + rest.length > this.maxBytes) {
        this.skipping = true;
        this.skipped = this.size + rest.length;
        this.parts = [];
        this.size = 0;
      } else {
        this.parts.push(Buffer.from(rest));
        this.size += rest.length;
      }
    }
    return out;
  }
}
