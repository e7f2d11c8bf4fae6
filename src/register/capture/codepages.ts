/**
 * Bytes 0x80–0xFF of printer and display text, by the character code table the register selected with `ESC t n`
 * (ESC/POS numbering). Totals and key words are ASCII, so this only has to keep a receipt readable in the log
 * and let patterns mention "€" or umlauts:
 *  - Windows and ISO tables come from the platform's TextDecoder (WHATWG encodings);
 *  - the DOS tables PC437 / PC850 / PC858 (not WHATWG encodings) carry only the letters and signs of western
 *    European receipts below; every other high byte reads as "?".
 */

/** ESC t n → WHATWG encoding label, for the tables the platform can decode. */
const DECODER_TABLES: Readonly<Record<number, string>> = {
  16: 'windows-1252',
  17: 'ibm866',
  40: 'iso-8859-15',
  45: 'windows-1250',
  46: 'windows-1251',
  47: 'windows-1253',
  48: 'windows-1254',
  49: 'windows-1255',
  50: 'windows-1256',
  51: 'windows-1257',
  52: 'windows-1258',
};

/** High bytes shared by PC437, PC850 and PC858 (the accented letters of the first two rows, ñ/Ñ, ß). */
const DOS_COMMON: ReadonlyArray<[number, string]> = [
  [0x80, 'Ç'],
  [0x81, 'ü'],
  [0x82, 'é'],
  [0x83, 'â'],
  [0x84, 'ä'],
  [0x85, 'à'],
  [0x86, 'å'],
  [0x87, 'ç'],
  [0x88, 'ê'],
  [0x89, 'ë'],
  [0x8a, 'è'],
  [0x8b, 'ï'],
  [0x8c, 'î'],
  [0x8d, 'ì'],
  [0x8e, 'Ä'],
  [0x8f, 'Å'],
  [0x90, 'É'],
  [0x91, 'æ'],
  [0x92, 'Æ'],
  [0x93, 'ô'],
  [0x94, 'ö'],
  [0x95, 'ò'],
  [0x96, 'û'],
  [0x97, 'ù'],
  [0x98, 'ÿ'],
  [0x99, 'Ö'],
  [0x9a, 'Ü'],
  [0x9c, '£'],
  [0xa0, 'á'],
  [0xa1, 'í'],
  [0xa2, 'ó'],
  [0xa3, 'ú'],
  [0xa4, 'ñ'],
  [0xa5, 'Ñ'],
  [0xe1, 'ß'],
];

const tables = new Map<number, readonly string[]>();

function build(table: number): readonly string[] {
  const out: string[] = new Array<string>(128).fill('?');
  const label = DECODER_TABLES[table];
  if (label) {
    const decoder = new TextDecoder(label);
    for (let b = 0x80; b <= 0xff; b++) out[b - 0x80] = decoder.decode(Uint8Array.of(b));
    // Node decodes "windows-1252" as ISO 8859-1; the one sign a receipt needs from 0x80–0x9F is the euro.
    if (table === 16) out[0] = '€';
  } else if (table === 0 || table === 2 || table === 19) {
    for (const [b, ch] of DOS_COMMON) out[b - 0x80] = ch;
    if (table === 0) out[0x9b - 0x80] = '¢';
    if (table === 2 || table === 19) out[0x9b - 0x80] = 'ø';
    if (table === 19) out[0xd5 - 0x80] = '€';
  }
  return out;
}

/** The character for one byte of text under code table `table` (ESC t n). Bytes below 0x80 are ASCII. */
export function decodeTextByte(table: number, byte: number): string {
  if (byte < 0x80) return String.fromCharCode(byte);
  let t = tables.get(table);
  if (!t) {
    t = build(table);
    tables.set(table, t);
  }
  return t[byte - 0x80] ?? '?';
}
