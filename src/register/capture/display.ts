/**
 * A customer pole display, emulated: bytes in, the text it would show out. Read beside the display manuals'
 * command lists (2 × 20 VFD/LCD displays):
 *  - Epson ESC/POS customer-display commands (DM-D series): HT BS LF CR HOM CLR CAN, US LF / US CR / US B,
 *    US $ x y, US MD1–MD3 (01–03), US . , ; n (character with a period/comma), US C/E/X/r/v n, US # / ^ / T …,
 *    ESC @, ESC = n (peripheral select), ESC t / R / % / ? n, ESC & (user characters), ESC W (window).
 *  - CD5220 commands: ESC DC1–DC3 (modes), ESC Q A|B …CR (write upper/lower line), ESC Q D …CR (upper line
 *    marquee), ESC [ D|C|A|B|H|L|R|K (cursor), ESC l x y, ESC * n, ESC _ n, ESC f n, ESC c n, ESC W s x1 x2 y.
 *  - Plain text with CR / LF, as registers that only "print" to the display send it.
 * Unknown ESC / US sequences are taken as two bytes. ESC W has a different length in the two sets: it is read
 * as CD5220's (6 bytes) once a CD5220-only command was seen, else as Epson's (8 bytes).
 */
import { decodeTextByte } from './codepages';

export type DisplayMode = 'overwrite' | 'vscroll' | 'hscroll';

export interface DisplayOptions {
  readonly columns?: number;
  readonly rows?: number;
  /** Mode after power-on and ESC @ (the display's DIP-switch default). */
  readonly initialMode?: DisplayMode;
  /** LF also returns to the left end (most displays' "CR/LF" setting; plain-text registers rely on it). */
  readonly lineFeedReturns?: boolean;
}

const HT = 0x09;
const BS = 0x08;
const LF = 0x0a;
const HOM = 0x0b;
const CLR = 0x0c;
const CR = 0x0d;
const CAN = 0x18;
const ESC = 0x1b;
const US = 0x1f;

type Measure =
  { readonly need: number } | { readonly total: number } | { readonly untilCr: number } | { readonly userChars: true };

export class CustomerDisplay {
  readonly columns: number;
  readonly rowCount: number;
  private readonly initialMode: DisplayMode;
  private readonly lineFeedReturns: boolean;
  private cells: string[][] = [];
  private row = 0;
  private col = 0;
  private mode: DisplayMode;
  private table = 0;
  private selected = true;
  private cd5220 = false;
  /** ESC Q D: a scrolling upper-line message shown until the next byte. */
  private marquee: string | undefined;
  private cmd: number[] = [];
  private skip = 0;
  /** ESC Q A/B/D: bytes of the line being written, until CR. */
  private lineWrite: { target: 'A' | 'B' | 'D'; bytes: number[] } | undefined;
  /** ESC & user characters still to skip: groups left, and whether the next byte is a group's size byte. */
  private userChars: { left: number; perColumn: number; size: number } | undefined;
  /** While the display is deselected (ESC = printer), only ESC = n is looked for. */
  private deselectScan: number[] = [];
  /** Screens that were wiped (cleared, scrolled away) during the current push. */
  private wiped: string[] = [];

  constructor(options: DisplayOptions = {}) {
    this.columns = options.columns ?? 20;
    this.rowCount = options.rows ?? 2;
    this.initialMode = options.initialMode ?? 'vscroll';
    this.lineFeedReturns = options.lineFeedReturns ?? true;
    this.mode = this.initialMode;
    this.clear();
  }

  /** The text shown: one line per row, trailing blanks and empty last rows removed. */
  text(): string {
    return this.cells
      .map((cells, r) =>
        (r === 0 && this.marquee !== undefined ? this.marquee : cells.map((c) => c || ' ').join('')).trimEnd(),
      )
      .join('\n')
      .replace(/\n+$/, '');
  }

  push(chunk: Uint8Array): void {
    for (const b of chunk) this.byte(b);
  }

  /**
   * What the display showed just before it was cleared or scrolled, since the last call: a screen shown and
   * replaced within one chunk of bytes was still shown (the key-word trigger uses the total it carried).
   */
  takeWiped(): string[] {
    return this.wiped.splice(0);
  }

  private noteWipe(): void {
    const t = this.text();
    if (t !== '' && this.wiped[this.wiped.length - 1] !== t) this.wiped.push(t);
    if (this.wiped.length > 32) this.wiped.shift();
  }

  private byte(b: number): void {
    if (this.skip > 0) {
      this.skip--;
      return;
    }
    if (this.userChars) {
      // ESC & s n m [a p1 … p(s·a)] × (m − n + 1): the size byte `a`, then s·a pattern bytes.
      if (this.userChars.size < 0) {
        this.userChars.size = b * this.userChars.perColumn;
        if (this.userChars.size === 0) this.endUserChar();
      } else {
        this.skip = this.userChars.size - 1;
        this.endUserChar();
      }
      return;
    }
    if (!this.selected) {
      this.scanForSelect(b);
      return;
    }
    if (this.lineWrite) {
      if (b === CR || this.lineWrite.bytes.length >= 64) this.finishLineWrite();
      else this.lineWrite.bytes.push(b);
      return;
    }
    if (this.cmd.length > 0) {
      this.cmd.push(b);
      this.command();
      return;
    }
    this.endMarquee();
    if (b === ESC || b === US) {
      this.cmd = [b];
      return;
    }
    this.plain(b);
  }

  private endUserChar(): void {
    if (!this.userChars) return;
    this.userChars.left--;
    this.userChars.size = -1;
    if (this.userChars.left <= 0) this.userChars = undefined;
  }

  private scanForSelect(b: number): void {
    const s = this.deselectScan;
    if (s.length === 0) {
      if (b === ESC) s.push(b);
    } else if (s.length === 1) {
      if (b === 0x3d) s.push(b);
      else this.deselectScan = b === ESC ? [ESC] : [];
    } else {
      this.deselectScan = [];
      this.select(b);
    }
  }

  /** ESC = n: 1/'1' printer, 2/'2' display, 3/'3' both; 4/5 ('4'/'5') the sides of a double-sided display. */
  private select(n: number): void {
    const v = n >= 0x30 ? n - 0x30 : n;
    this.selected = v === 2 || v === 3 || v === 4 || v === 5;
  }

  private plain(b: number): void {
    switch (b) {
      case HT:
        this.right();
        return;
      case BS:
        this.left();
        return;
      case LF:
        if (this.lineFeedReturns) this.col = 0;
        this.down();
        return;
      case CR:
        this.col = 0;
        return;
      case HOM:
        this.row = 0;
        this.col = 0;
        return;
      case CLR:
        this.clear();
        return;
      case CAN:
        this.noteWipe();
        this.cells[this.row] = this.blankRow();
        this.col = 0;
        return;
      default:
        if (b >= 0x20 && b !== 0x7f) this.put(decodeTextByte(this.table, b));
    }
  }

  private measure(c: readonly number[]): Measure {
    if (c.length < 2) return { need: 2 };
    const op = c[1]!;
    if (c[0] === US) {
      switch (op) {
        case 0x01:
        case 0x02:
        case 0x03:
        case LF:
        case CR:
        case 0x42:
        case 0x40:
        case 0x3a:
        case 0x55:
          return { total: 2 };
        case 0x43:
        case 0x45:
        case 0x58:
        case 0x72:
        case 0x76:
        case 0x2e:
        case 0x2c:
        case 0x3b:
          return { total: 3 };
        case 0x24:
        case 0x23:
        case 0x5e:
        case 0x54:
          return { total: 4 };
        case 0x28: // US ( x pL pH data
          return c.length < 5 ? { need: 5 } : { total: 5 + c[3]! + c[4]! * 256 };
        default:
          return { total: 2 };
      }
    }
    switch (op) {
      case 0x40:
      case 0x11:
      case 0x12:
      case 0x13:
        return { total: 2 };
      case 0x3d:
      case 0x74:
      case 0x52:
      case 0x25:
      case 0x3f:
      case 0x2a:
      case 0x5f:
      case 0x66:
      case 0x63:
      case 0x23:
      case 0x73:
      case 0x64:
        return { total: 3 };
      case 0x5b: // ESC [ x
        return { total: 3 };
      case 0x6c: // ESC l x y
        return { total: 4 };
      case 0x51: // ESC Q A|B|D … CR
        return c.length < 3 ? { need: 3 } : { untilCr: 64 };
      case 0x57: // ESC W: CD5220 s x1 x2 y / Epson n s x1 y1 x2 y2
        return { total: this.cd5220 ? 6 : 8 };
      case 0x26: // ESC & s n m [a p1 … pa] × (m − n + 1)
        return c.length < 5 ? { need: 5 } : { userChars: true };
      default:
        return { total: 2 };
    }
  }

  private command(): void {
    const c = this.cmd;
    const m = this.measure(c);
    if ('need' in m) return;
    if ('untilCr' in m) {
      this.cmd = [];
      this.cd5220 = true;
      const t = String.fromCharCode(c[2]!);
      this.lineWrite = { target: t === 'B' ? 'B' : t === 'D' ? 'D' : 'A', bytes: [] };
      return;
    }
    if ('userChars' in m) {
      this.cmd = [];
      const count = c[4]! - c[3]! + 1;
      if (count > 0) this.userChars = { left: count, perColumn: c[2]!, size: -1 };
      return;
    }
    if (c.length < m.total && m.total <= 8) return;
    this.cmd = [];
    this.skip = Math.max(0, m.total - c.length);
    if (c[0] === US) this.us(c);
    else this.esc(c);
  }

  private us(c: readonly number[]): void {
    const [, op, a, b] = c;
    switch (op) {
      case 0x01:
        this.mode = 'overwrite';
        return;
      case 0x02:
        this.mode = 'vscroll';
        return;
      case 0x03:
        this.mode = 'hscroll';
        return;
      case LF: // US LF: cursor up
        this.row = this.row > 0 ? this.row - 1 : this.rowCount - 1;
        this.col = Math.min(this.col, this.columns - 1);
        return;
      case CR: // US CR: right-most
        this.col = this.columns - 1;
        return;
      case 0x42: // US B: bottom (left end of the lower line)
        this.row = this.rowCount - 1;
        this.col = 0;
        return;
      case 0x24: // US $ x y (1-based)
        this.moveTo(a ?? 1, b ?? 1);
        return;
      case 0x2e: // US . n: n with a period
      case 0x2c: // US , n: n with a comma
      case 0x3b: // US ; n: n with period and comma
        if (a !== undefined && a >= 0x20)
          this.put(decodeTextByte(this.table, a) + (op === 0x2e ? '.' : op === 0x2c ? ',' : '.,'));
        return;
      default:
        return;
    }
  }

  private esc(c: readonly number[]): void {
    const [, op, a, b] = c;
    switch (op) {
      case 0x40: // ESC @
        this.mode = this.initialMode;
        this.table = 0;
        this.selected = true;
        this.clear();
        return;
      case 0x3d: // ESC = n
        if (a !== undefined) this.select(a);
        return;
      case 0x74: // ESC t n
        this.table = a ?? 0;
        return;
      case 0x11:
        this.cd5220 = true;
        this.mode = 'overwrite';
        return;
      case 0x12:
        this.cd5220 = true;
        this.mode = 'vscroll';
        return;
      case 0x13:
        this.cd5220 = true;
        this.mode = 'hscroll';
        return;
      case 0x6c: // ESC l x y
        this.cd5220 = true;
        this.moveTo(a ?? 1, b ?? 1);
        return;
      case 0x5b: // ESC [ x
        this.cd5220 = true;
        this.cd5220Cursor(a);
        return;
      default:
        return;
    }
  }

  private cd5220Cursor(x: number | undefined): void {
    switch (x) {
      case 0x44: // D
        this.left();
        return;
      case 0x43: // C
        this.right();
        return;
      case 0x41: // A
        this.row = Math.max(0, this.row - 1);
        return;
      case 0x42: // B
        this.down();
        return;
      case 0x48: // H
        this.row = 0;
        this.col = 0;
        return;
      case 0x4c: // L
        this.col = 0;
        return;
      case 0x52: // R
        this.col = this.columns - 1;
        return;
      case 0x4b: // K: bottom
        this.row = this.rowCount - 1;
        return;
      default:
        return;
    }
  }

  private finishLineWrite(): void {
    const w = this.lineWrite!;
    this.lineWrite = undefined;
    const text = w.bytes
      .filter((x) => x >= 0x20 && x !== 0x7f)
      .map((x) => decodeTextByte(this.table, x))
      .join('');
    if (w.target === 'D') {
      this.marquee = text;
      return;
    }
    const r = w.target === 'A' ? 0 : Math.min(1, this.rowCount - 1);
    const row = this.blankRow();
    [...text].slice(0, this.columns).forEach((ch, i) => (row[i] = ch));
    this.cells[r] = row;
  }

  private endMarquee(): void {
    if (this.marquee === undefined) return;
    this.noteWipe();
    // CD5220: a new command ends the marquee and clears the upper line.
    this.marquee = undefined;
    this.cells[0] = this.blankRow();
    this.row = 0;
    this.col = 0;
  }

  private blankRow(): string[] {
    return new Array<string>(this.columns).fill('');
  }

  private clear(): void {
    if (this.cells.length > 0) this.noteWipe();
    this.cells = Array.from({ length: this.rowCount }, () => this.blankRow());
    this.row = 0;
    this.col = 0;
    this.marquee = undefined;
  }

  private moveTo(x: number, y: number): void {
    this.col = Math.min(Math.max(x, 1), this.columns) - 1;
    this.row = Math.min(Math.max(y, 1), this.rowCount) - 1;
  }

  /** Writes one character cell; the cursor may rest past the right end and wraps only when the next one comes. */
  private put(ch: string): void {
    if (this.col >= this.columns) this.wrap();
    this.cells[this.row]![this.col] = ch;
    this.col++;
  }

  private wrap(): void {
    if (this.mode === 'hscroll') {
      // The line moves left by one; the new character takes the right-most cell.
      const row = this.cells[this.row]!;
      row.shift();
      row.push('');
      this.col = this.columns - 1;
      return;
    }
    this.col = 0;
    this.down();
  }

  private right(): void {
    if (this.col >= this.columns - 1) {
      this.col = 0;
      this.down();
    } else this.col++;
  }

  private left(): void {
    if (this.col > 0) this.col = Math.min(this.col, this.columns) - 1;
    else if (this.row > 0) {
      this.row--;
      this.col = this.columns - 1;
    }
  }

  private down(): void {
    if (this.row < this.rowCount - 1) {
      this.row++;
      return;
    }
    if (this.mode === 'vscroll') {
      this.noteWipe();
      this.cells.shift();
      this.cells.push(this.blankRow());
    } else if (this.mode === 'overwrite') {
      this.row = 0;
    }
  }
}
