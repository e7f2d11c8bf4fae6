import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LANGUAGES } from '../../src/i18n/index';
import { blockLines } from '../../src/receipts/text';
import {
  CODE_PAGES,
  DEFAULT_CODE_PAGE,
  decodeFromPrinter,
  hexDump,
  receiptBlocks,
  receiptData,
  receiptFromRecord,
  RECEIPT_WIDTHS,
  type ReceiptSettings,
  type ReceiptWidth,
} from '../../src/receipts/index';
import { record } from './receipt-fixtures';

/**
 * Receipts in every language of the catalogue: golden files of a sale, a refund and a declined sale at 40 columns
 * (and 32 and 48 for German, French and Bulgarian), as text and as ESC/POS bytes in the language's code page. A
 * change shows up as a diff of these files; regenerate them with UPDATE_GOLDEN=1 only after reading that diff.
 */
const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'receipts', 'locales');

/** The locale each catalogue language is tested in (the country whose receipt conventions it follows). */
const LOCALE: Record<string, string> = {
  en: 'en-GB',
  de: 'de-DE',
  fr: 'fr-FR',
  it: 'it-IT',
  es: 'es-ES',
  bg: 'bg-BG',
  pt: 'pt-PT',
  nl: 'nl-NL',
  pl: 'pl-PL',
  ro: 'ro-RO',
  el: 'el-GR',
};
const ALL_WIDTHS = new Set(['de', 'fr', 'bg']);

function golden(name: string, actual: string): void {
  const file = join(DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(existsSync(file), `golden file ${name} is missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const settings: ReceiptSettings = { timeZone: 'Europe/Sofia' };
const CASES = {
  sale: record({ amount: { minor: 123456, currency: 'EUR' } }),
  refund: record({
    id: 'p-5',
    ref: 'RF-9',
    bridgeRef: 'RF-9',
    kind: 'refund',
    receiptNo: 21,
    amount: { minor: 1234, currency: 'EUR' },
    result: { authCode: 'R77001' },
  }),
  declined: record({
    id: 'p-6',
    ref: 'INV-1003',
    bridgeRef: 'INV-1003',
    outcome: 'declined',
    settlement: null,
    receiptNo: 22,
    amount: { minor: 1234, currency: 'EUR' },
    message: 'Declined — insufficient funds (host code 51)',
    result: { authCode: undefined, hostCode: '51', declineReason: 'INSUFFICIENT FUNDS' },
  }),
} as const;

/** The printed text of ESC/POS bytes: commands removed, bytes decoded with the page. */
function printedText(bytes: Uint8Array, page: keyof typeof CODE_PAGES): string {
  const text: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x1b || b === 0x1d) {
      const cmd = bytes[i + 1];
      i += cmd === 0x40 ? 1 : cmd === 0x56 ? 3 : 2; // ESC @ | GS V 66 n | ESC t/a/E/d n, GS ! n
      continue;
    }
    text.push(b);
  }
  return decodeFromPrinter(Uint8Array.from(text), page);
}

describe('receipts in every language', () => {
  for (const language of LANGUAGES) {
    const locale = LOCALE[language]!;
    const widths: ReceiptWidth[] = ALL_WIDTHS.has(language) ? [...RECEIPT_WIDTHS] : [40];
    for (const [name, rec] of Object.entries(CASES)) {
      for (const width of widths) {
        it(`${locale}: ${name} at ${width} columns, text and ESC/POS`, () => {
          const r = receiptFromRecord(rec, undefined, settings, { width, locale, escpos: true });
          for (const line of [...r.merchant, ...r.customer]) expect(Array.from(line).length).toBeLessThanOrEqual(width);
          golden(`${language}/${name}-${width}.txt`, `${r.merchant.join('\n')}\n\n${r.customer.join('\n')}\n`);
          golden(
            `${language}/${name}-${width}.escpos.hex`,
            `${hexDump(r.escpos!.merchant)}\n${hexDump(r.escpos!.customer)}`,
          );
          const page = DEFAULT_CODE_PAGE[language];
          expect(r.escpos!.customer[4], "ESC t n of the language's code page").toBe(CODE_PAGES[page].number);
          // The printer prints what the text says: every line decodes back from the page (Romanian ș/ț print in
          // their cedilla forms, which is what CP852 has).
          const printed = printedText(r.escpos!.customer, page)
            .split('\n')
            .map((l) => l.trim());
          // (a narrow no-break space, French digit grouping, prints as a space).
          const expected = r.customer.map((l) =>
            l
              .trim()
              .replace(/ș/g, 'ş')
              .replace(/ț/g, 'ţ')
              .replace(/Ș/g, 'Ş')
              .replace(/Ț/g, 'Ţ')
              .replace(/\u202f/g, ' '),
          );
          expect(printed.slice(0, expected.length)).toEqual(expected);
          expect(printed.join('\n')).not.toContain('?');
        });
      }
    }

    it(`${locale}: every label and its value fit on one line at 32, 40 and 48 columns (no value is cut or moved)`, () => {
      const data = receiptData(record({ tip: 150, result: { signatureRequired: true } }), undefined, settings);
      for (const width of RECEIPT_WIDTHS) {
        for (const copy of ['merchant', 'customer'] as const) {
          for (const block of receiptBlocks(data, copy, { locale })) {
            if (block.t === 'pair')
              expect(blockLines(block, width), `${block.left} | ${block.right} at ${width}`).toHaveLength(1);
          }
        }
      }
    });
  }

  it('German: "Kartenzahlung", "Betrag" with 12,34 / 1.234,56, "Genehmigungs-Nr.", "Zahlung erfolgt", dates as 15.01.2025', () => {
    const text = receiptFromRecord(CASES.sale, undefined, settings, { locale: 'de-DE' }).customer.join('\n');
    expect(text).toMatch(/KARTENZAHLUNG/);
    expect(text).toMatch(/BETRAG +EUR 1\.234,56/);
    expect(text).toMatch(/Genehmigungs-Nr\. +A1B2C3/);
    expect(text).toContain('ZAHLUNG ERFOLGT');
    expect(text).toMatch(/Datum +15\.01\.2025/);
    expect(text).not.toMatch(/\b(SALE|APPROVED|TOTAL|Amount|CUSTOMER|Card number|Date)\b/);
  });

  it('French: CARTE BANCAIRE, DEBIT, MONTANT with 12,34 EUR, TICKET CLIENT, A CONSERVER; Italian, Spanish, Bulgarian terms', () => {
    const fr = receiptFromRecord(CASES.refund, undefined, settings, { locale: 'fr-FR' }).customer.join('\n');
    expect(fr).toMatch(/MONTANT +12,34 EUR/);
    expect(fr).toContain('TICKET CLIENT');
    expect(fr).toContain('A CONSERVER');
    expect(receiptFromRecord(CASES.sale, undefined, settings, { locale: 'fr-FR' }).customer.join('\n')).toContain(
      'CARTE BANCAIRE - DEBIT',
    );
    const it_ = receiptFromRecord(CASES.refund, undefined, settings, { locale: 'it-IT' }).customer.join('\n');
    expect(it_).toMatch(/IMPORTO +EUR 12,34/);
    expect(it_).toContain('PAGAMENTO EFFETTUATO');
    const es = receiptFromRecord(CASES.refund, undefined, settings, { locale: 'es-ES' }).customer.join('\n');
    expect(es).toMatch(/IMPORTE +12,34 EUR/);
    expect(es).toContain('OPERACIÓN APROBADA');
    const bg = receiptFromRecord(CASES.declined, undefined, settings, { locale: 'bg-BG' }).customer.join('\n');
    expect(bg).toMatch(/СУМА +12,34 EUR/);
    expect(bg).toContain('ОТХВЪРЛЕНА');
    expect(bg).toContain('Недостатъчна наличност');
    expect(bg).not.toContain('INSUFFICIENT');
    expect(receiptFromRecord(CASES.refund, undefined, settings, { locale: 'bg-BG' }).customer.join('\n')).toContain(
      'ОДОБРЕНА',
    );
  });

  it('Bulgarian ESC/POS is printed in CP866 (ESC t 17) and decodes back to the Cyrillic text', () => {
    const r = receiptFromRecord(CASES.refund, undefined, settings, { locale: 'bg-BG', width: 40, escpos: true });
    const bytes = r.escpos!.customer;
    expect([...bytes.subarray(0, 5)]).toEqual([0x1b, 0x40, 0x1b, 0x74, 17]);
    const printed = printedText(bytes, 'cp866');
    expect(printed).toContain('СУМА');
    expect(printed).toContain('ОДОБРЕНА');
    expect(printed).toContain('КОПИЕ ЗА КЛИЕНТА');
    // The same receipt on a printer set to CP1251 (receipts.codePage) decodes back the same.
    const w1251 = receiptFromRecord(CASES.refund, undefined, settings, {
      locale: 'bg-BG',
      width: 40,
      escpos: { codePage: 'cp1251' },
    }).escpos!.customer;
    expect(w1251[4]).toBe(46);
    expect(printedText(w1251, 'cp1251')).toBe(printed);
  });

  it('a character the page lacks is transliterated, never "?": a Cyrillic shop name on a Latin page, Greek on CP866, € in ASCII', () => {
    const rec = record({
      raw: { MERCHANT_AL1: 'Οδός Ερμού 5', MERCHANT_AL2: 'Łódź €' },
      result: { merchantName: 'Магазин Щастие' },
    });
    for (const [locale, page] of [
      ['de-DE', 'cp858'],
      ['bg-BG', 'cp866'],
      ['en-GB', 'ascii'],
      ['el-GR', 'cp737'],
    ] as const) {
      const r = receiptFromRecord(rec, undefined, settings, { locale, escpos: true });
      const printed = printedText(r.escpos!.customer, page);
      expect(printed, locale).not.toContain('?');
      expect(printed, locale).toMatch(/12[.,]34/);
    }
    const latin = printedText(
      receiptFromRecord(rec, undefined, settings, { locale: 'de-DE', escpos: true }).escpos!.customer,
      'cp858',
    );
    expect(latin).toContain('Magazin Schastie');
    expect(latin).toContain('Odos Ermoy 5');
    expect(latin).toContain('Lódz €'); // CP858 has ó and €, not Ł or ź
    const ascii = printedText(
      receiptFromRecord(rec, undefined, settings, { locale: 'en-GB', escpos: true }).escpos!.customer,
      'ascii',
    );
    expect(ascii).toContain('Lodz EUR');
    // In a Bulgarian receipt on a Latin page, Bulgarian romanisation: Щ is "Sht".
    const bgOnLatin = receiptFromRecord(rec, undefined, settings, { locale: 'bg-BG', escpos: { codePage: 'cp858' } })
      .escpos!.customer;
    expect(printedText(bgOnLatin, 'cp858')).toContain('Magazin Shtastie');
  });

  it('without a locale, receipts stay as before: English, EUR 12.34, ISO dates (the existing golden files)', () => {
    const text = receiptFromRecord(CASES.refund, undefined, settings, {}).customer.join('\n');
    expect(text).toMatch(/TOTAL +EUR 12\.34/);
    expect(text).toMatch(/Date +2025-01-15/);
  });
});
