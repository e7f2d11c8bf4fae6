/**
 * The first-bytes verdict of the foreign-protocol guard: HTTP request and header lines, TLS and HTTP/2 prefaces are
 * refused however they are split; every register protocol's first bytes are passed at once (or after a few bytes
 * for a text line), and line protocols get every later line checked.
 */
import { describe, expect, it } from 'vitest';
import { classifyPreface, ForeignProtocolScanner } from '../../src/transport/foreign-protocol';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');

/** Feeds `input` one byte at a time; returns the verdict and how many bytes it took. */
function decide(input: Uint8Array, lines = false): { foreign?: string; passedAfter?: number; passed: Buffer } {
  const s = new ForeignProtocolScanner(lines);
  const passed: Buffer[] = [];
  for (let i = 0; i < input.length; i++) {
    const r = s.push(input.subarray(i, i + 1));
    if (r.pass.length) passed.push(r.pass);
    if (r.foreign) return { foreign: r.foreign, passed: Buffer.concat(passed) };
    if (passed.length === 1 && r.pass.length) return { passedAfter: i + 1, passed: Buffer.concat(passed) };
  }
  return { passed: Buffer.concat(passed) };
}

describe('foreign protocol: first bytes', () => {
  const foreign = [
    'GET / HTTP/1.1\r\n',
    'POST /x HTTP/1.1\r\nHost: 127.0.0.1:7450\r\n',
    'PUT /a HTTP/1.1\r\n',
    'OPTIONS * HTTP/1.1\r\n',
    'HEAD / HTTP/1.0\r\n',
    'CONNECT 127.0.0.1:7450 HTTP/1.1\r\n',
    'PATCH / HTTP/1.1\r\n',
    'DELETE / HTTP/1.1\r\n',
    'TRACE / HTTP/1.1\r\n',
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    'BREW /pot HTTP/1.1\r\n',
    'FOO http://example.com/ HTTP/1.1\r\n',
    'Host: 127.0.0.1\r\n',
    'origin: http://evil.example\r\n',
    'User-Agent: x\r\n',
    'Sec-Fetch-Mode: no-cors\r\n',
    'GET /api/events HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n',
  ];
  for (const f of foreign) {
    it(`refuses ${JSON.stringify(f.slice(0, 24))}, split byte by byte, before the line ends`, () => {
      const r = decide(bytes(f));
      expect(r.foreign).toBeDefined();
      expect(r.passed.length).toBe(0);
    });
  }

  it('refuses a TLS ClientHello (16 03 01 …) at its third byte', () => {
    for (const v of ['00', '01', '03', '04'])
      expect(decide(hex(`16 03 ${v} 02 00 01 00 01 fc 03 03`)).foreign).toBe('TLS handshake');
  });

  const clean: Array<[string, Buffer, number]> = [
    ['native JSON', bytes('{"op":"sale"}\n'), 1],
    ['ZVT Authorization', hex('06 01 07 04 00 00 00 00 25 00'), 1],
    ['ZVT Registration', hex('06 00 08 00 00 00 3A 09 78 03 00'), 1],
    ['ZVT ack', hex('80 00 00'), 1],
    ['ECR17 STX', hex('02 41 42 03 00'), 1],
    ['Concert ENQ', hex('05'), 1],
    ['Caisse-AP', bytes('CZ0004030013'), 3],
    ['text SALE', bytes('SALE;INV-1;12.34;EUR\r\n'), 5],
    ['text with ref first', bytes('INV-1;SALE;12.34\r\n'), 5],
    ['ESC/POS', hex('1b 40 1b 61 01'), 1],
    ['pole display text', bytes('TOTAL 12.50'), 7],
    ['German display text', bytes('GETRAENKE 3,50'), 11],
    ['16 not followed by 03', hex('16 01 02'), 2],
  ];
  for (const [what, input, after] of clean) {
    it(`passes ${what} after ${after} byte(s)`, () => {
      const r = decide(input);
      expect(r.foreign).toBeUndefined();
      expect(r.passedAfter).toBe(after);
    });
  }

  it('a peer that ends mid-token is clean (nothing foreign was completed)', () => {
    expect(classifyPreface(bytes('GE'), true)).toEqual({ kind: 'clean' });
    expect(classifyPreface(bytes('GE'))).toEqual({ kind: 'undecided' });
  });
});

describe('foreign protocol: later lines of line protocols', () => {
  it('a header line after clean lines is refused; the clean lines before it are passed, nothing after', () => {
    const s = new ForeignProtocolScanner(true);
    const r = s.push(bytes('{"op":"ping","id":1}\n{"op":"ping","id":2}\nHost: x\r\n{"op":"refund","id":3}\n'));
    expect(r.foreign).toMatch(/header/);
    expect(r.pass.toString()).toBe('{"op":"ping","id":1}\n{"op":"ping","id":2}\n');
  });

  it('a request line split across chunks at a later line is refused', () => {
    const s = new ForeignProtocolScanner(true);
    expect(s.push(bytes('SALE;A;1.00\r\nPO')).pass.toString()).toBe('SALE;A;1.00\r\n');
    expect(s.push(bytes('ST / HTTP/1.1\r\n')).foreign).toMatch(/POST/);
  });

  it('binary protocols are checked at the first bytes only', () => {
    const s = new ForeignProtocolScanner(false);
    expect(s.push(hex('06 01 03')).pass.length).toBe(3);
    const later = bytes('\nGET / HTTP/1.1\r\n');
    expect(s.push(later)).toEqual({ pass: later });
  });

  it('short lines (a lone line end, a word) pass and the next line is checked again', () => {
    const s = new ForeignProtocolScanner(true);
    expect(s.push(bytes('STATUS\r\n\r\n')).pass.toString()).toBe('STATUS\r\n\r\n');
    expect(s.push(bytes('GET / HTTP/1.1\r\n')).foreign).toBeDefined();
  });
});
