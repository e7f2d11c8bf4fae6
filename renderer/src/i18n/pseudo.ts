/**
 * The pseudo-locale for layout tests: every text of the English catalogue with accented letters and about 40 % more
 * length, between brackets, so that a cut or an overflow shows at a glance ("[Ðáásĥƀóóáŕð ···]"). Placeholders
 * ({{amount}}) and markup tags (<strong>) are kept as they are; plural keys keep their suffixes.
 */

/** The tag of the pseudo-locale (a private-use region, as Android and Windows name theirs). */
export const PSEUDO_LOCALE = 'en-XA';

const ACCENTED: Readonly<Record<string, string>> = {
  a: 'á',
  b: 'ƀ',
  c: 'ç',
  d: 'ð',
  e: 'é',
  f: 'ƒ',
  g: 'ĝ',
  h: 'ĥ',
  i: 'í',
  j: 'ĵ',
  k: 'ķ',
  l: 'ļ',
  m: 'ɱ',
  n: 'ñ',
  o: 'ó',
  p: 'þ',
  q: 'ǫ',
  r: 'ŕ',
  s: 'š',
  t: 'ţ',
  u: 'ú',
  v: 'ṽ',
  w: 'ŵ',
  x: 'ẋ',
  y: 'ý',
  z: 'ž',
  A: 'Å',
  B: 'Ɓ',
  C: 'Ç',
  D: 'Ð',
  E: 'É',
  F: 'Ƒ',
  G: 'Ĝ',
  H: 'Ĥ',
  I: 'Í',
  J: 'Ĵ',
  K: 'Ķ',
  L: 'Ļ',
  M: 'Ṁ',
  N: 'Ñ',
  O: 'Ó',
  P: 'Þ',
  Q: 'Ǫ',
  R: 'Ŕ',
  S: 'Š',
  T: 'Ţ',
  U: 'Û',
  V: 'Ṽ',
  W: 'Ŵ',
  X: 'Ẋ',
  Y: 'Ý',
  Z: 'Ž',
};
const VOWELS = /[aeiouAEIOU]/;
/** Placeholders and markup, left untouched. */
const KEEP = /(\{\{[^}]*\}\}|<\/?[a-zA-Z0-9]+\s*\/?>)/;

/** One text in the pseudo-locale: vowels doubled until the text is ~40 % longer, letters accented, in brackets. */
export function pseudoText(text: string): string {
  const letters = text.split(KEEP).reduce((n, part, i) => (i % 2 === 0 ? n + part.length : n), 0);
  let extra = Math.ceil(letters * 0.4);
  const out = text.split(KEEP).map((part, i) => {
    if (i % 2 === 1) return part;
    let s = '';
    for (const ch of part) {
      const a = ACCENTED[ch] ?? ch;
      s += a;
      if (extra > 0 && VOWELS.test(ch)) {
        s += a;
        extra--;
      }
    }
    return s;
  });
  // Texts with few vowels reach their length with a tail.
  return `[${out.join('')}${extra > 0 ? ` ${'·'.repeat(extra)}` : ''}]`;
}

type Catalogue = { readonly [key: string]: string | Catalogue };

/** The whole catalogue in the pseudo-locale, same keys. */
export function pseudoCatalogue<T extends Catalogue>(c: T): T {
  return Object.fromEntries(
    Object.entries(c).map(([k, v]) => [k, typeof v === 'string' ? pseudoText(v) : pseudoCatalogue(v)]),
  ) as T;
}
