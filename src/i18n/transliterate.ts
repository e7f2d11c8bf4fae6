/**
 * Text for a device that can print only some characters (an ESC/POS code page, a protocol limited to ASCII): each
 * character the device lacks is replaced by its nearest printable form — a letter the page has instead
 * (Romanian ș → ş on pages with only the cedilla forms), a transliteration by @sindresorhus/transliterate
 * (Я → Ya, Ω → O, ß → ss, ä → ae, ő → o, € → EUR), else the letter without its accent. A "?" is printed only
 * for a character with no Latin reading at all (an emoji), never for a letter or a digit.
 */
import transliterate from '@sindresorhus/transliterate';
import type { Language } from './catalogue.generated';

/** Letters a page may have in another Unicode form than the one the catalogue uses. */
const EQUIVALENTS: Readonly<Record<string, string>> = {
  ș: 'ş',
  Ș: 'Ş',
  ț: 'ţ',
  Ț: 'Ţ',
  '\u00a0': ' ',
  '\u202f': ' ',
  '\u2007': ' ',
  '\u2009': ' ',
  '\u2013': '-',
  '\u2014': '-',
  '\u2018': "'",
  '\u2019': "'",
  '\u201e': '"',
  '\u201c': '"',
  '\u201d': '"',
  '\u00ab': '"',
  '\u00bb': '"',
};

/** Where the library's readings differ from a language's own romanisation (Bulgarian: Щ = Sht, Ъ = A, Х = H). */
const BY_LANGUAGE: Partial<Record<Language, Array<[string, string]>>> = {
  bg: [
    ['Щ', 'Sht'],
    ['щ', 'sht'],
    ['Ъ', 'A'],
    ['ъ', 'a'],
    ['Х', 'H'],
    ['х', 'h'],
    ['Ь', 'Y'],
    ['ь', 'y'],
    ['Ю', 'Yu'],
    ['ю', 'yu'],
    ['Я', 'Ya'],
    ['я', 'ya'],
  ],
};

/** Signs the library leaves as they are: currency signs by their ISO code, the numero sign as "No". */
const CURRENCY_SIGNS: Array<[string, string]> = [
  ['№', 'No'],
  ['€', 'EUR'],
  ['£', 'GBP'],
  ['₺', 'TRY'],
  ['₽', 'RUB'],
  ['₴', 'UAH'],
  ['лв', 'BGN'],
];

/** `text` with every character `canPrint` refuses replaced by a printable reading. */
export function printableText(text: string, canPrint: (ch: string) => boolean, language?: Language): string {
  let out = '';
  const chars = Array.from(text);
  for (const [i, ch] of chars.entries()) {
    if (canPrint(ch)) {
      out += ch;
      continue;
    }
    const equivalent = EQUIVALENTS[ch];
    if (equivalent !== undefined && [...equivalent].every(canPrint)) {
      out += equivalent;
      continue;
    }
    const reading = transliterate(ch, {
      customReplacements: [...CURRENCY_SIGNS, ...(language ? (BY_LANGUAGE[language] ?? []) : [])],
    });
    if (reading !== '' && reading !== ch && [...reading].every(canPrint)) {
      // Inside a word in capitals the whole reading is in capitals: HÄNDLER → HAENDLER, ЩИТ → SHTIT.
      out += isCapital(ch) && (isCapital(chars[i + 1]) || isCapital(chars[i - 1])) ? reading.toUpperCase() : reading;
      continue;
    }
    const bare = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    out += bare !== '' && [...bare].every(canPrint) ? bare : '?';
  }
  return out;
}

function isCapital(ch: string | undefined): boolean {
  return ch !== undefined && ch !== ch.toLowerCase() && ch === ch.toUpperCase();
}

const isAscii = (ch: string): boolean => ch >= ' ' && ch <= '~';

/** Printable ASCII for protocols limited to it (ZVT texts, the text protocol). */
export function asciiText(text: string, language?: Language): string {
  return printableText(text, isAscii, language);
}
