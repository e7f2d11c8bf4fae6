/** The `ui` catalogue files as the tests read them: one language's texts by their dotted key. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Tree = { [key: string]: string | Tree };

export const LOCALES = join(import.meta.dirname, '..', '..', 'src', 'i18n', 'locales');

/** The parsed `ui.json` of a language. */
export const catalogue = (lang: string): Tree =>
  JSON.parse(readFileSync(join(LOCALES, lang, 'ui.json'), 'utf8')) as Tree;

/** Every text of a tree by its dotted key ("core.health.online"). */
export function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}
