/**
 * Lines of the text protocol: a line ends at CR, LF or CR LF (registers differ), empty lines are skipped, and
 * bytes are read as Latin-1 so that no byte is lost or merged (anything beyond ASCII is refused later, in words).
 * A line longer than `maxBytes` is reported once and skipped up to its end, so it never costs the connection.
 */
export type TextLineEvent = { readonly line: string } | { readonly tooLong: number };

export class TextLineFramer {
  private current = '';
  private skipping = false;
  private skipped = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Uint8Array): TextLineEvent[] {
    const out: TextLineEvent[] = [];
    for (const b of chunk) {
      if (b === 0x0d || b === 0x0a) {
        if (this.skipping) {
          out.push({ tooLong: this.skipped });
          this.skipping = false;
          this.skipped = 0;
        } else if (this.current !== '') out.push({ line: this.current });
        this.current = '';
        continue;
      }
      if (this.skipping) {
        this.skipped++;
        continue;
      }
      if (this.current.length >= this.maxBytes) {
        this.skipping = true;
        this.skipped = this.current.length + 1;
        this.current = '';
        continue;
      }
      this.current += String.fromCharCode(b);
    }
    return out;
  }
}
