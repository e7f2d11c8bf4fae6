/**
 * What a register port must never be spoken to in: another protocol. A web page can make the cashier's browser send
 * an HTTP request with any body to any local port (`fetch(url, {method: 'POST', mode: 'no-cors', body})`, a form
 * post); a misdirected client may start a TLS handshake. No register protocol starts like that:
 *
 *   native    `{`                      ZVT (TCP)   binary class byte 06, 04, 05, 80, 84 …
 *   text      the configured command or ref, then the field separator (never a space)
 *   Caisse-AP two letters and digits (`CZ0004…`)           ECR17 STX 0x02, Concert ENQ 0x05 / STX
 *   capture   ESC/POS or display bytes, shop text ("TOTAL 12.50")
 *
 * This module decides from the first bytes of a connection (or of a line) whether they begin
 *   - an HTTP request line: a method token, a space, then `/`, `*` or `http(s)://` (any token), or a known method and
 *     a space (`GET `, `POST `, `CONNECT `, `PRI * HTTP/2.0` …);
 *   - an HTTP header line: a header name a browser or HTTP client sends (`Host:`, `Origin:`, `User-Agent:`, `Sec-…:`);
 *   - a TLS record: a handshake `16 03 0x`.
 * It answers as soon as the bytes seen cannot begin any of them, so a legitimate register waits for nothing: one byte
 * for binary protocols and JSON, a few for a text line. Hand-written: the question is a handful of prefixes that no
 * HTTP parser answers (they all want the whole request line first).
 */

export type Preface =
  { readonly kind: 'foreign'; readonly what: string } | { readonly kind: 'clean' } | { readonly kind: 'undecided' };

/** Longest method token considered (VERSION-CONTROL, MKCALENDAR … are shorter). */
const MAX_TOKEN = 24;

const METHODS = new Set([
  'GET',
  'POST',
  'PUT',
  'HEAD',
  'OPTIONS',
  'DELETE',
  'PATCH',
  'TRACE',
  'CONNECT',
  'PRI',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'SEARCH',
  'REPORT',
  'MKCALENDAR',
  'M-SEARCH',
  'NOTIFY',
  'SUBSCRIBE',
  'PURGE',
]);

/** Header names browsers and HTTP clients send (lower case). Any `sec-…` header counts as well. */
const HEADERS = [
  'host',
  'origin',
  'user-agent',
  'accept',
  'accept-encoding',
  'accept-language',
  'accept-charset',
  'content-type',
  'content-length',
  'content-encoding',
  'connection',
  'referer',
  'cookie',
  'upgrade',
  'upgrade-insecure-requests',
  'cache-control',
  'pragma',
  'transfer-encoding',
  'te',
  'dnt',
  'priority',
  'authorization',
  'proxy-authorization',
  'proxy-connection',
  'if-modified-since',
  'if-none-match',
  'range',
  'expect',
  'forwarded',
  'via',
  'keep-alive',
  'purpose',
  'x-requested-with',
  'x-forwarded-for',
  'access-control-request-method',
  'access-control-request-headers',
  'http2-settings',
  'sec-',
];
const HEADER_SET = new Set(HEADERS);

const TLS_HANDSHAKE = 0x16;
const TLS_MAJOR = 0x03;
const TLS_MINOR_MAX = 0x04;

const isLetter = (b: number): boolean => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
const isTokenByte = (b: number): boolean => isLetter(b) || b === 0x2d /* - */ || b === 0x5f; /* _ */

function knownHeader(name: string): boolean {
  return HEADER_SET.has(name) || name.startsWith('sec-');
}

function headerPrefix(name: string): boolean {
  return HEADERS.some((h) => h.startsWith(name) || (h === 'sec-' && name.startsWith('sec-')));
}

const FOREIGN_TARGETS = ['http://', 'https://'];

/**
 * The verdict on the first bytes of a connection or of a line. `ended`: no more bytes will come (the peer closed,
 * the line ended), so what is still undecided is clean.
 */
export function classifyPreface(bytes: Uint8Array, ended = false): Preface {
  const v = classify(bytes);
  return ended && v.kind === 'undecided' ? { kind: 'clean' } : v;
}

function classify(b: Uint8Array): Preface {
  if (b.length === 0) return { kind: 'undecided' };
  const first = b[0]!;
  if (first === TLS_HANDSHAKE) {
    if (b.length < 2) return { kind: 'undecided' };
    if (b[1] !== TLS_MAJOR) return { kind: 'clean' };
    if (b.length < 3) return { kind: 'undecided' };
    return b[2]! <= TLS_MINOR_MAX ? { kind: 'foreign', what: 'TLS handshake' } : { kind: 'clean' };
  }
  if (!isLetter(first)) return { kind: 'clean' };
  let i = 0;
  while (i < b.length && isTokenByte(b[i]!)) i++;
  const token = Buffer.from(b.subarray(0, i)).toString('latin1');
  const lower = token.toLowerCase();
  if (i === b.length)
    return token.length <= MAX_TOKEN || headerPrefix(lower) ? { kind: 'undecided' } : { kind: 'clean' };
  const next = b[i]!;
  if (next === 0x3a /* : */)
    return knownHeader(lower) ? { kind: 'foreign', what: `HTTP header line (${token}:)` } : { kind: 'clean' };
  if (next !== 0x20 || token.length > MAX_TOKEN) return { kind: 'clean' };
  if (METHODS.has(token.toUpperCase())) return { kind: 'foreign', what: `HTTP request (${token.toUpperCase()})` };
  // Any other token followed by a space and a request target: `/path`, `*`, `http://host/…`.
  if (i + 1 === b.length) return { kind: 'undecided' };
  const target = b[i + 1]!;
  if (target === 0x2f /* / */ || target === 0x2a /* * */) return { kind: 'foreign', what: `HTTP request (${token})` };
  const rest = Buffer.from(b.subarray(i + 1))
    .toString('latin1')
    .toLowerCase();
  for (const t of FOREIGN_TARGETS) {
    if (rest.startsWith(t)) return { kind: 'foreign', what: `HTTP request (${token})` };
    if (t.startsWith(rest)) return { kind: 'undecided' };
  }
  return { kind: 'clean' };
}

/** Enough bytes to decide every case above (longest header name and a colon, a token with `https://`). */
export const MAX_PREFACE_BYTES = 48;

/**
 * Scans a connection's bytes: the first bytes always, and for line protocols the beginning of every line. Bytes are
 * handed on only once the piece they belong to is decided; an undecided head (at most MAX_PREFACE_BYTES) is held.
 */
export class ForeignProtocolScanner {
  private held: number[] = [];
  /** The next byte begins a piece to check (the connection's start, or a line's start in line mode). */
  private checking = true;
  private opened = false;

  constructor(private readonly lines: boolean) {}

  /** True once the connection's first bytes were found clean. */
  get started(): boolean {
    return this.opened;
  }

  /** Bytes held while undecided. */
  get holding(): number {
    return this.held.length;
  }

  /**
   * Feeds bytes; returns what may go to the session now, and `foreign` when a piece turned out to be another
   * protocol (then nothing from that piece on is returned).
   */
  push(chunk: Uint8Array): { readonly pass: Buffer; readonly foreign?: string } {
    const out: Buffer[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.checking) {
        while (pos < chunk.length) {
          this.held.push(chunk[pos++]!);
          const v = classifyPreface(Uint8Array.from(this.held), this.held.length >= MAX_PREFACE_BYTES);
          if (v.kind === 'foreign') return { pass: Buffer.concat(out), foreign: v.what };
          if (v.kind === 'clean') {
            out.push(this.release());
            break;
          }
        }
        continue;
      }
      if (!this.lines) {
        out.push(Buffer.from(chunk.subarray(pos)));
        break;
      }
      const end = nextLineEnd(chunk, pos);
      if (end < 0) {
        out.push(Buffer.from(chunk.subarray(pos)));
        break;
      }
      out.push(Buffer.from(chunk.subarray(pos, end + 1)));
      pos = end + 1;
      this.checking = true;
    }
    return { pass: Buffer.concat(out) };
  }

  /** No more bytes will come (the peer closed, or it paused mid-token): what is held is decided as it stands. */
  flush(): { readonly pass: Buffer; readonly foreign?: string } {
    if (this.held.length === 0) return { pass: Buffer.alloc(0) };
    const v = classifyPreface(Uint8Array.from(this.held), true);
    if (v.kind === 'foreign') return { pass: Buffer.alloc(0), foreign: v.what };
    return { pass: this.release() };
  }

  /** The held piece is clean: hand it on. When it ended with a line end (a short line), the next line is checked. */
  private release(): Buffer {
    const pass = Buffer.from(this.held);
    this.held = [];
    this.opened = true;
    const last = pass[pass.length - 1];
    this.checking = this.lines && (last === 0x0a || last === 0x0d);
    return pass;
  }
}

function nextLineEnd(chunk: Uint8Array, from: number): number {
  for (let i = from; i < chunk.length; i++) if (chunk[i] === 0x0a || chunk[i] === 0x0d) return i;
  return -1;
}
