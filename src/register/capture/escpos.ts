/**
 * ESC/POS receipt-printer stream → text lines, cuts and status queries. Streaming: bytes may arrive in any
 * chunking, and a command's parameters (an image's pixel bytes may hold 0x0A, 0x1B or 0x1D) are skipped by the
 * length the command announces, so they never leak into the text.
 *
 * Read beside Epson's "ESC/POS Command Reference" (TM series). Covered: the real-time commands (DLE EOT / ENQ /
 * DC4), every ESC, GS and FS command of a TM-T88/T20-class printer with its parameter length, the bit and raster
 * image commands (ESC *, GS v 0, GS *, GS Q 0, GS 8 L, GS ( L, FS q …), bar codes (GS k) and 2D codes (GS ( k),
 * and the cut commands (GS V, ESC i, ESC m). Star Line Mode and other non-ESC/POS dialects are not covered.
 *
 * Hand-written rather than a library: the npm ESC/POS packages build commands for printing; none parses a
 * stream back into text with exact parameter lengths.
 */
import { decodeTextByte } from './codepages';

export type EscPosEvent =
  /** Printable text (in the selected code table), coalesced. */
  | { readonly type: 'text'; readonly text: string }
  /** The line ended (LF, FF, ESC d/J, …). */
  | { readonly type: 'newline' }
  /** The paper was cut (GS V, ESC i, ESC m): a receipt boundary. */
  | { readonly type: 'cut' }
  /** ESC @: the printer was initialised. */
  | { readonly type: 'init' }
  /** A command that expects the printer to answer: DLE EOT n, GS r n, GS I n. */
  | { readonly type: 'query'; readonly command: 'DLE EOT' | 'GS r' | 'GS I'; readonly n: number };

const NUL = 0x00;
const HT = 0x09;
const LF = 0x0a;
const FF = 0x0c;
const CR = 0x0d;
const DLE = 0x10;
const CAN = 0x18;
const ESC = 0x1b;
const FS = 0x1c;
const GS = 0x1d;
const EOT = 0x04;
const ENQ = 0x05;
const DC4 = 0x14;

/** How long a command is, as far as its first bytes tell. */
type Measure =
  /** Need at least this many bytes (prefix included) before the length is known. */
  | { readonly need: number }
  /** The whole command is this long (prefix and parameters included). */
  | { readonly total: number }
  /** Parameters end at a NUL, at most `max` bytes after the header of `header` bytes (ESC D, GS k m=0–6). */
  | { readonly untilNul: number; readonly header: number }
  /** `count` groups follow the header; each has a `groupHeader`-byte head and then `groupData(head)` bytes. */
  | { readonly groups: number; readonly groupHeader: number; readonly groupData: (head: readonly number[]) => number };

const u16 = (lo: number | undefined, hi: number | undefined): number => (lo ?? 0) + (hi ?? 0) * 256;

/** ESC/POS "pL pH"-style commands: prefix, function byte, pL, pH, then pL + pH·256 bytes. */
const lengthPrefixed = (c: readonly number[]): Measure => (c.length < 5 ? { need: 5 } : { total: 5 + u16(c[3], c[4]) });

/** DLE … real-time commands. */
function measureDle(c: readonly number[]): Measure {
  if (c.length < 2) return { need: 2 };
  const fn = c[1];
  if (fn === EOT) {
    // DLE EOT n (n = 1–4); DLE EOT 7 a and DLE EOT 8 a carry one more byte.
    if (c.length < 3) return { need: 3 };
    return { total: c[2] === 7 || c[2] === 8 ? 4 : 3 };
  }
  if (fn === ENQ) return { total: 3 };
  if (fn === DC4) {
    if (c.length < 3) return { need: 3 };
    switch (c[2]) {
      case 1: // pulse: DLE DC4 1 m t
      case 2: // power off: DLE DC4 2 1 8
      case 3: // sound buzzer: DLE DC4 3 a b
        return { total: 5 };
      case 7: // transmit specified status: DLE DC4 7 m
        return { total: 4 };
      case 8: // clear buffer: DLE DC4 8 d1…d7
        return { total: 10 };
      default:
        return { total: 3 };
    }
  }
  return { total: 1 };
}

/** ESC … commands. */
function measureEsc(c: readonly number[]): Measure {
  if (c.length < 2) return { need: 2 };
  const op = c[1]!;
  switch (op) {
    // No parameter: ESC FF, ESC 2, ESC <, ESC @, ESC L, ESC S, ESC i, ESC m.
    case 0x0c:
    case 0x32:
    case 0x3c:
    case 0x40:
    case 0x4c:
    case 0x53:
    case 0x69:
    case 0x6d:
      return { total: 2 };
    // One parameter byte.
    case 0x20:
    case 0x21:
    case 0x25:
    case 0x2d:
    case 0x33:
    case 0x3d:
    case 0x3f:
    case 0x45:
    case 0x47:
    case 0x4a:
    case 0x4b:
    case 0x4d:
    case 0x52:
    case 0x54:
    case 0x55:
    case 0x56:
    case 0x61:
    case 0x64:
    case 0x65:
    case 0x72:
    case 0x74:
    case 0x75:
    case 0x76:
    case 0x7b:
      return { total: 3 };
    case 0x24: // ESC $ nL nH: absolute print position
    case 0x5c: // ESC \ nL nH: relative print position
      return { total: 4 };
    case 0x63: // ESC c 0/1/3/4/5 n
      return { total: 4 };
    case 0x70: // ESC p m t1 t2: drawer kick
      return { total: 5 };
    case 0x57: // ESC W xL xH yL yH dxL dxH dyL dyH: page-mode print area
      return { total: 10 };
    case 0x44: // ESC D n1 … nk NUL: tab positions (k ≤ 32)
      return { untilNul: 33, header: 2 };
    case 0x28: // ESC ( A / ESC ( Y … pL pH data
      return lengthPrefixed(c);
    case 0x2a: {
      // ESC * m nL nH d1…dk: bit image, k = n·1 (8-dot modes 0/1) or n·3 (24-dot modes 32/33).
      if (c.length < 5) return { need: 5 };
      const dots = u16(c[3], c[4]);
      return { total: 5 + (c[2] === 32 || c[2] === 33 ? dots * 3 : dots) };
    }
    case 0x26: {
      // ESC & y c1 c2 [x d1 … d(y·x)] × (c2 − c1 + 1): user-defined characters.
      if (c.length < 5) return { need: 5 };
      const y = c[2]!;
      const count = Math.max(0, c[4]! - c[3]! + 1);
      return { groups: count, groupHeader: 1, groupData: (head) => y * (head[0] ?? 0) };
    }
    default:
      return { total: 2 };
  }
}

/** GS … commands. */
function measureGs(c: readonly number[]): Measure {
  if (c.length < 2) return { need: 2 };
  const op = c[1]!;
  switch (op) {
    case 0x3a: // GS : macro start/end
    case 0x63: // GS c: print counter
      return { total: 2 };
    case 0x21:
    case 0x2f:
    case 0x42:
    case 0x45:
    case 0x48:
    case 0x49:
    case 0x54:
    case 0x61:
    case 0x62:
    case 0x66:
    case 0x68:
    case 0x6a:
    case 0x72:
    case 0x77:
      return { total: 3 };
    case 0x24:
    case 0x4c:
    case 0x57:
    case 0x5c:
    case 0x50: // GS $ / L / W / \ nL nH, GS P x y
      return { total: 4 };
    case 0x5e: // GS ^ r t m: execute macro
      return { total: 5 };
    case 0x56: {
      // GS V m [n]: cut. m = 0, 1, 48, 49 → no n; m = 65, 66, 97, 98, 103, 104 → with n.
      if (c.length < 3) return { need: 3 };
      const m = c[2]!;
      return { total: m === 0 || m === 1 || m === 48 || m === 49 ? 3 : 4 };
    }
    case 0x28: // GS ( A…z pL pH data (graphics GS ( L, 2D codes GS ( k, …)
      return lengthPrefixed(c);
    case 0x38: {
      // GS 8 L p1 p2 p3 p4 m fn …: graphics with a 32-bit length.
      if (c.length < 7) return { need: 7 };
      return { total: 7 + c[3]! + c[4]! * 0x100 + c[5]! * 0x10000 + c[6]! * 0x1000000 };
    }
    case 0x2a: {
      // GS * x y d1 … d(x·y·8): downloaded bit image.
      if (c.length < 4) return { need: 4 };
      return { total: 4 + c[2]! * c[3]! * 8 };
    }
    case 0x76: {
      // GS v 0 m xL xH yL yH d1 … dk: raster image, k = (xL + xH·256) · (yL + yH·256).
      if (c.length < 8) return { need: 8 };
      return { total: 8 + u16(c[4], c[5]) * u16(c[6], c[7]) };
    }
    case 0x51: {
      // GS Q 0 m xL xH yL yH d1 … dk: variable vertical size bit image, same k.
      if (c.length < 8) return { need: 8 };
      return { total: 8 + u16(c[4], c[5]) * u16(c[6], c[7]) };
    }
    case 0x6b: {
      // GS k m d1 … dk NUL (m = 0–6), or GS k m n d1 … dn (m = 65–79).
      if (c.length < 3) return { need: 3 };
      if (c[2]! <= 6) return { untilNul: 256, header: 3 };
      if (c.length < 4) return { need: 4 };
      return { total: 4 + c[3]! };
    }
    case 0x67: {
      // GS g 0 m nL nH (initialise maintenance counter) / GS g 2 m nL nH (transmit it).
      return { total: 6 };
    }
    case 0x43: {
      // GS C 0 n m / GS C 1 aL aH bL bH n r / GS C 2 nL nH: counter printing (old models).
      if (c.length < 3) return { need: 3 };
      return { total: c[2] === 0x31 || c[2] === 1 ? 9 : 5 };
    }
    case 0x7a: // GS z 0 t1 t2: online recovery wait time
      return { total: 5 };
    default:
      return { total: 3 };
  }
}

/** FS … commands (kanji and NV images). */
function measureFs(c: readonly number[]): Measure {
  if (c.length < 2) return { need: 2 };
  const op = c[1]!;
  switch (op) {
    case 0x26:
    case 0x2e: // FS &, FS .
      return { total: 2 };
    case 0x21:
    case 0x2d:
    case 0x43:
    case 0x57:
      return { total: 3 };
    case 0x53:
    case 0x3f:
    case 0x70: // FS S n1 n2, FS ? c1 c2, FS p n m
      return { total: 4 };
    case 0x32: // FS 2 c1 c2 d1 … d72: one 24×24 kanji pattern
      return { total: 76 };
    case 0x28: // FS ( A/C/E/L/e pL pH data
      return lengthPrefixed(c);
    case 0x67: {
      // FS g 1 m a1 a2 a3 a4 nL nH d1 … dk (write NV user memory) / FS g 2 … (read: no data).
      if (c.length < 10) return { need: 10 };
      return { total: 10 + (c[2] === 1 || c[2] === 0x31 ? u16(c[8], c[9]) : 0) };
    }
    case 0x71: {
      // FS q n [xL xH yL yH d1 … dk] × n: define NV bit images, k = (xL + xH·256) · (yL + yH·256) · 8.
      if (c.length < 3) return { need: 3 };
      return { groups: c[2]!, groupHeader: 4, groupData: (h) => u16(h[0], h[1]) * u16(h[2], h[3]) * 8 };
    }
    default:
      return { total: 2 };
  }
}

function measure(c: readonly number[]): Measure {
  switch (c[0]) {
    case DLE:
      return measureDle(c);
    case ESC:
      return measureEsc(c);
    case GS:
      return measureGs(c);
    default:
      return measureFs(c);
  }
}

/** The longest command header we ever buffer; anything beyond is skipped by count, never stored. */
const MAX_HEADER = 16;

export class EscPosParser {
  private cmd: number[] = [];
  /** Parameter bytes still to skip. */
  private skip = 0;
  /** Bytes left before giving up on a NUL-terminated parameter list (-1 when none is open). */
  private untilNul = -1;
  /** Open ESC & / FS q group list. */
  private groups:
    { left: number; headerLen: number; head: number[]; data: (h: readonly number[]) => number } | undefined;
  private table = 0;
  private text = '';
  private out: EscPosEvent[] = [];

  /** The code table selected with ESC t (ESC @ resets it to 0). */
  get codeTable(): number {
    return this.table;
  }

  push(chunk: Uint8Array): EscPosEvent[] {
    this.out = [];
    for (const b of chunk) this.byte(b);
    this.flushText();
    return this.out;
  }

  private byte(b: number): void {
    if (this.skip > 0) {
      this.skip--;
      if (this.skip === 0 && this.groups) this.nextGroup();
      return;
    }
    if (this.untilNul >= 0) {
      if (b === NUL || --this.untilNul <= 0) this.untilNul = -1;
      return;
    }
    if (this.groups) {
      this.groups.head.push(b);
      if (this.groups.head.length === this.groups.headerLen) {
        this.skip = this.groups.data(this.groups.head);
        this.groups.head = [];
        this.groups.left--;
        if (this.skip === 0) this.nextGroup();
      }
      return;
    }
    if (this.cmd.length > 0) {
      this.cmd.push(b);
      this.command();
      return;
    }
    if (b === ESC || b === GS || b === FS || b === DLE) {
      this.cmd = [b];
      return;
    }
    this.plain(b);
  }

  private nextGroup(): void {
    if (this.groups && this.groups.left <= 0) this.groups = undefined;
  }

  private plain(b: number): void {
    if (b >= 0x20 && b !== 0x7f) {
      this.text += decodeTextByte(this.table, b);
      return;
    }
    switch (b) {
      case LF:
      case FF:
        this.emit({ type: 'newline' });
        return;
      case HT:
        this.text += ' ';
        return;
      case CAN: // page mode: delete the page's data
      case CR: // with auto line feed off (the default) CR prints nothing more than LF does
      default:
        return;
    }
  }

  private command(): void {
    const c = this.cmd;
    if (c[0] === DLE && c.length === 2 && c[1] !== EOT && c[1] !== ENQ && c[1] !== DC4) {
      // A lone DLE is no command: drop it and read the next byte afresh.
      this.cmd = [];
      this.byte(c[1]!);
      return;
    }
    const m = measure(c);
    if ('need' in m) {
      if (c.length > MAX_HEADER) this.cmd = [];
      return;
    }
    if ('untilNul' in m) {
      if (c.length < m.header) return;
      this.cmd = [];
      this.untilNul = m.untilNul;
      return;
    }
    if ('groups' in m) {
      this.cmd = [];
      if (m.groups > 0) this.groups = { left: m.groups, headerLen: m.groupHeader, head: [], data: m.groupData };
      return;
    }
    // Short commands are read whole (their effect needs the parameters); long ones are skipped by count.
    if (c.length < m.total && m.total <= MAX_HEADER) return;
    this.cmd = [];
    this.skip = Math.max(0, m.total - c.length);
    this.effect(c);
  }

  /** What a complete (or header-complete) command means for the text. */
  private effect(c: readonly number[]): void {
    const [p, op, n] = c;
    if (p === DLE && op === EOT && n !== undefined && n >= 1 && n <= 4)
      this.emit({ type: 'query', command: 'DLE EOT', n });
    if (p === ESC) {
      switch (op) {
        case 0x40: // ESC @
          this.table = 0;
          this.emit({ type: 'init' });
          return;
        case 0x74: // ESC t n
          this.table = n ?? 0;
          return;
        case 0x64: // ESC d n: print and feed n lines
        case 0x4a: // ESC J n: print and feed n dots
        case 0x0c: // ESC FF: print data in page mode
          this.emit({ type: 'newline' });
          return;
        case 0x24: // ESC $: absolute position — columns laid out by position still read apart
        case 0x5c: // ESC \: relative position
          this.text += ' ';
          return;
        case 0x69: // ESC i: full cut (old models)
        case 0x6d: // ESC m: partial cut (old models)
          this.emit({ type: 'cut' });
          return;
        default:
          return;
      }
    }
    if (p === GS) {
      switch (op) {
        case 0x56: // GS V: cut
          this.emit({ type: 'cut' });
          return;
        case 0x4c: // GS L: left margin
        case 0x24: // GS $: absolute vertical position (page mode)
          this.text += ' ';
          return;
        case 0x72: // GS r n: transmit status
          if (n !== undefined) this.emit({ type: 'query', command: 'GS r', n });
          return;
        case 0x49: // GS I n: transmit printer id
          if (n !== undefined) this.emit({ type: 'query', command: 'GS I', n });
          return;
        default:
          return;
      }
    }
  }

  private emit(ev: EscPosEvent): void {
    this.flushText();
    this.out.push(ev);
  }

  private flushText(): void {
    if (this.text.length > 0) {
      this.out.push({ type: 'text', text: this.text });
      this.text = '';
    }
  }
}

/** What a stand-alone printer answers to a status query: online, paper present, no error, drawer closed. */
export function statusReply(command: 'DLE EOT' | 'GS r' | 'GS I', n: number): Uint8Array | undefined {
  if (command === 'DLE EOT') {
    // Bits 1 and 4 are fixed to 1 in every DLE EOT status byte; all others 0 mean "all is well".
    return n >= 1 && n <= 4 ? Uint8Array.of(0x12) : undefined;
  }
  if (command === 'GS r') {
    // n = 1/49 paper sensor, 2/50 drawer: 0 = paper present / drawer pin low.
    return n === 1 || n === 2 || n === 49 || n === 50 ? Uint8Array.of(0x00) : undefined;
  }
  return undefined;
}
