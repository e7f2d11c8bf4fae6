import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LANGUAGES, NAMESPACES, resources } from '../../src/i18n/index';

/**
 * Every language has every key of English, no other key, the same placeholders in each text, and exactly the plural
 * forms its language needs (Intl.PluralRules, as i18next picks them). Reads the files themselves, so a namespace the
 * generated catalogue does not know yet is checked too.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const localesDir = join(root, 'src', 'i18n', 'locales');
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else if (v && typeof v === 'object' && !Array.isArray(v)) for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
    else throw new Error(`${key}: only texts and groups of texts belong in a catalogue`);
  }
  return out;
}

const placeholders = (text: string): string[] =>
  [...new Set([...text.matchAll(/\{\{\s*([^},\s]+)[^}]*\}\}/g)].map((m) => m[1]!))].sort();
const nestings = (text: string): string[] => [...text.matchAll(/\$t\(([^)]+)\)/g)].map((m) => m[1]!).sort();

function read(language: string, namespace: string): Map<string, string> {
  return flatten(JSON.parse(readFileSync(join(localesDir, language, `${namespace}.json`), 'utf8')) as Tree);
}

/** Plural groups of English: base key → texts (by the English `_other`). */
function pluralBases(keys: Iterable<string>): Set<string> {
  const bases = new Set<string>();
  for (const k of keys) if (k.endsWith('_other')) bases.add(k.slice(0, -'_other'.length));
  return bases;
}

/** What a locale's texts should be, keyed like the locale's file: plain keys as English, plural keys per its rules. */
function problems(
  language: string,
  namespace: string,
  en = read('en', namespace),
  loc = read(language, namespace),
): string[] {
  const bases = pluralBases(en.keys());
  const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
  const expected = new Map<string, string>();
  for (const [k, v] of en) {
    const base = k.replace(PLURAL_SUFFIX, '');
    if (bases.has(base)) {
      for (const c of categories) expected.set(`${base}_${c}`, en.get(`${base}_other`)!);
    } else expected.set(k, v);
  }
  const out: string[] = [];
  for (const [k, enText] of expected) {
    const text = loc.get(k);
    if (text === undefined) {
      out.push(`${language}/${namespace}: missing "${k}"`);
      continue;
    }
    if (text.trim() === '' || text !== text.trim())
      out.push(`${language}/${namespace}: "${k}" is empty or has spaces at an end`);
    if (placeholders(text).join() !== placeholders(enText).join()) {
      out.push(
        `${language}/${namespace}: "${k}" has placeholders {${placeholders(text).join(', ')}}, English has {${placeholders(enText).join(', ')}}`,
      );
    }
    if (nestings(text).join() !== nestings(enText).join())
      out.push(`${language}/${namespace}: "${k}" nests other texts differently from English`);
  }
  for (const k of loc.keys()) if (!expected.has(k)) out.push(`${language}/${namespace}: extra key "${k}"`);
  return out;
}

const languagesOnDisk = readdirSync(localesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const namespacesOnDisk = readdirSync(join(localesDir, 'en'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .sort();
/** The status page's words: only the languages the page is offered in have them (it falls back to English). */
const PAGE_ONLY = new Set(['ui']);
const namespacesOf = (language: string): string[] =>
  readdirSync(join(localesDir, language))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();

describe('message catalogue', () => {
  it('the generated catalogue module lists every language and namespace on disk and is up to date', () => {
    expect([...LANGUAGES]).toEqual(languagesOnDisk);
    expect([...NAMESPACES]).toEqual(namespacesOnDisk);
    execFileSync(process.execPath, [join(root, 'scripts', 'i18n-catalogue.mjs'), '--check'], { stdio: 'pipe' });
  });

  it("every language has the namespace files of English (the page's own only where the page is offered in it) and no others", () => {
    for (const language of languagesOnDisk) {
      const files = namespacesOf(language);
      expect(
        files.filter((n) => !PAGE_ONLY.has(n)),
        language,
      ).toEqual(namespacesOnDisk.filter((n) => !PAGE_ONLY.has(n)));
      expect(
        files.filter((n) => !namespacesOnDisk.includes(n)),
        language,
      ).toEqual([]);
    }
  });

  it('Intl knows every language of the catalogue (numbers, dates and plural rules come from it)', () => {
    for (const language of languagesOnDisk)
      expect(Intl.NumberFormat.supportedLocalesOf([language]), language).toEqual([language]);
  });

  for (const namespace of namespacesOnDisk) {
    it(`${namespace}: every language has English's keys, no others, the same placeholders and its own plural forms`, () => {
      const all = languagesOnDisk
        .filter((l) => l !== 'en' && namespacesOf(l).includes(namespace))
        .flatMap((l) => problems(l, namespace));
      expect(all).toEqual([]);
    });
  }

  it('the check finds a missing key, an extra key, a changed placeholder and a wrong set of plural forms', () => {
    const en = new Map([
      ['a', 'Declined: {{reason}}'],
      ['b_one', '{{count}} byte'],
      ['b_other', '{{count}} bytes'],
    ]);
    expect(
      problems(
        'de',
        'x',
        en,
        new Map([
          ['a', 'Abgelehnt: {{reason}}'],
          ['b_one', '{{count}} Byte'],
          ['b_other', '{{count}} Bytes'],
        ]),
      ),
    ).toEqual([]);
    expect(
      problems(
        'de',
        'x',
        en,
        new Map([
          ['b_one', '{{count}} Byte'],
          ['b_other', '{{count}} Bytes'],
          ['c', 'c'],
        ]),
      ),
    ).toEqual(['de/x: missing "a"', 'de/x: extra key "c"']);
    expect(
      problems(
        'de',
        'x',
        en,
        new Map([
          ['a', 'Abgelehnt: {{grund}}'],
          ['b_one', '{{count}} Byte'],
          ['b_other', 'Bytes'],
        ]),
      ),
    ).toHaveLength(2);
    // Polish needs one, few, many and other: English's two forms are not enough.
    expect(
      problems(
        'pl',
        'x',
        en,
        new Map([
          ['a', 'Odrzucona: {{reason}}'],
          ['b_one', '{{count}} bajt'],
          ['b_other', '{{count}} bajtów'],
        ]),
      ),
    ).toEqual(['pl/x: missing "b_few"', 'pl/x: missing "b_many"']);
  });

  it('resources hold every language and namespace for i18next', () => {
    for (const language of LANGUAGES) {
      for (const namespace of NAMESPACES) {
        const held = (resources[language] as Partial<Record<string, unknown>>)[namespace];
        if (PAGE_ONLY.has(namespace) && !namespacesOf(language).includes(namespace))
          expect(held, `${language}/${namespace}`).toBeUndefined();
        else expect(held, `${language}/${namespace}`).toBeTypeOf('object');
      }
    }
  });
});
