/**
 * Character encoding for receipt printers. ESC/POS printers print single-byte code pages; the byte tables below
 * are built from the platform's WHATWG TextDecoder (Node ships full ICU), so no hand-written tables are needed.
 * The numbers are those of the Epson ESC t table (other makers may differ: `codePageNumber` overrides).
 * A character a code page lacks is printed without its accents when that helps ("ő" → "o"), else as "?".
 */
import type { EscPosCodePage } from './types';

interface CodePage {
  /** ESC t n on Epson printers. */
  readonly number: number;
  /** WHATWG encoding whose bytes 0x80–0xFF this code page shares; none = ASCII only. */
  readonly whatwg?: string;
}

export const CODE_PAGES: Readonly<Record<EscPosCodePage, CodePage>> = {
  // PC437 is the power-on default; only its ASCII half is used (its upper half has no WHATWG decoder).
  ascii: { number: 0 },
  cp1252: { number: 16, whatwg: 'windows-1252' },
  cp866: { number: 17, whatwg: 'ibm866' },
  cp1250: { number: 45, whatwg: 'windows-1250' },
  cp1251: { number: 46, whatwg: 'windows-1251' },
};

const tables = new Map<EscPosCodePage, Map<string, number>>();

function table(page: EscPosCodePage): Map<string, number> {
  let t = tables.get(page);
  if (t) return t;
  t = new Map();
  for (let i = 0x20; i < 0x7f; i++) t.set(String.fromCharCode(i), i);
  const name = CODE_PAGES[page].whatwg;
  if (name) {
    const decoder = new TextDecoder(name);
    for (let i = 0x80; i <= 0xff; i++) {
      const ch = decoder.decode(Uint8Array.of(i));
      // Undefined positions decode to U+FFFD; controls are never printed.
      if (ch !== '\ufffd' && !/[\u0000-\u001f\u007f-\u009f]/.test(ch) && !t.has(ch)) t.set(ch, i);
    }
  }
  tables.set(page, t);
  return t;
}

/** Encodes text for a printer set to `page`. */
export function encodeForPrinter(text: string, page: EscPosCodePage): number[] {
  const t = table(page);
  const out: number[] = [];
  for (const ch of text) {
    const direct = t.get(ch);
    if (direct !== undefined) {
      out.push(direct);
      continue;
    }
    const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    const parts = Array.from(base);
    if (parts.length > 0 && parts.every((c) => t.has(c))) for (const c of parts) out.push(t.get(c)!);
    else out.push(0x3f);
  }
  return out;
}
