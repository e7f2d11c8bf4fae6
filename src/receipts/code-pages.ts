/**
 * Character encoding for receipt printers. ESC/POS printers print single-byte code pages; the byte tables are those
 * of iconv-lite (the OEM pages CP858, CP852, CP866 and CP737 have no WHATWG decoder), read once per page. The
 * numbers are those of the Epson ESC t table (other makers may differ: `codePageNumber` overrides). A character the
 * page lacks is transliterated (src/i18n/transliterate.ts): a Cyrillic name on a Latin page prints in Latin letters,
 * "€" as "EUR" — a "?" only for a character with no Latin reading at all.
 */
import iconv from 'iconv-lite';
import type { Language } from '../i18n/catalogue.generated';
import { printableText } from '../i18n/transliterate';
import type { EscPosCodePage } from './types';

interface CodePage {
  /** ESC t n on Epson printers. */
  readonly number: number;
  /** iconv-lite encoding whose bytes 0x80–0xFF this code page has; none = ASCII only. */
  readonly iconv?: string;
}

export const CODE_PAGES: Readonly<Record<EscPosCodePage, CodePage>> = {
  // PC437 is the power-on default; only its ASCII half is used.
  ascii: { number: 0 },
  cp737: { number: 14, iconv: 'cp737' },
  cp1252: { number: 16, iconv: 'windows-1252' },
  cp866: { number: 17, iconv: 'cp866' },
  cp852: { number: 18, iconv: 'cp852' },
  cp858: { number: 19, iconv: 'cp858' },
  cp1250: { number: 45, iconv: 'windows-1250' },
  cp1251: { number: 46, iconv: 'windows-1251' },
  cp1253: { number: 47, iconv: 'windows-1253' },
};

/**
 * The page a receipt in this language is printed with when `receipts.codePage` is not set: Western European
 * languages CP858 (CP850 with €), Polish and Romanian CP852 (Latin 2), Bulgarian CP866 (Cyrillic), Greek CP737.
 * English keeps plain ASCII, the printer's power-on page.
 */
export const DEFAULT_CODE_PAGE: Readonly<Record<Language, EscPosCodePage>> = {
  en: 'ascii',
  de: 'cp858',
  fr: 'cp858',
  it: 'cp858',
  es: 'cp858',
  pt: 'cp858',
  nl: 'cp858',
  pl: 'cp852',
  ro: 'cp852',
  bg: 'cp866',
  el: 'cp737',
};

const tables = new Map<EscPosCodePage, Map<string, number>>();

function table(page: EscPosCodePage): Map<string, number> {
  let t = tables.get(page);
  if (t) return t;
  t = new Map();
  for (let i = 0x20; i < 0x7f; i++) t.set(String.fromCharCode(i), i);
  const name = CODE_PAGES[page].iconv;
  if (name) {
    for (let i = 0x80; i <= 0xff; i++) {
      const ch = iconv.decode(Buffer.of(i), name);
      // Undefined positions decode to U+FFFD; controls are never printed.
      if (ch.length === 1 && ch !== '\ufffd' && !/[\u0000-\u001f\u007f-\u009f]/.test(ch) && !t.has(ch)) t.set(ch, i);
    }
  }
  tables.set(page, t);
  return t;
}

/** Decodes printer bytes of `page` back to text (tests and the status window's preview). */
export function decodeFromPrinter(bytes: Uint8Array, page: EscPosCodePage): string {
  const name = CODE_PAGES[page].iconv;
  return name ? iconv.decode(Buffer.from(bytes), name) : Buffer.from(bytes).toString('latin1');
}

/** Encodes text for a printer set to `page`. */
export function encodeForPrinter(text: string, page: EscPosCodePage, language?: Language): number[] {
  const t = table(page);
  const out: number[] = [];
  for (const ch of text) {
    const byte = t.get(ch);
    // Nearly every line is printable as it is: only a line with a character the page lacks is transliterated.
    if (byte === undefined)
      return Array.from(
        printableText(text, (c) => t.has(c), language),
        (c) => t.get(c) ?? 0x3f,
      );
    out.push(byte);
  }
  return out;
}
