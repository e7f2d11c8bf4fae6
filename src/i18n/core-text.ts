/**
 * Texts the core writes for a person and the status page shows: terminal health messages, go-live steps, security
 * events, refusals of the status API. Each is a code of the `ui` catalogue's `core` group with its parameters
 * (`CoreText`), sent beside the English text (for the log, the command line and API consumers): the page writes it
 * in its own language from the code and falls back to the English text only for a code it does not know.
 *
 * Types and one pure function only: the renderer imports this file (no Node modules, no i18next instance).
 */
import type { UiTexts } from './catalogue/ui.generated';

type PluralSuffix = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';
type Plain<K extends string> = K extends `${infer B}_${PluralSuffix}` ? B : K;
type Codes<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${Plain<K>}` : Codes<T[K], `${P}${K}.`>;
}[keyof T & string];

/** Every text of the `ui` catalogue's `core` group, by its key below `core` ("health.unreachable"). */
export type CoreCode = Codes<UiTexts['core']>;

/** A parameter: a value as it is, or a list of texts (written one after the other, separated by commas). */
export type CoreParam = string | number | readonly CoreText[];

export interface CoreText {
  readonly code: CoreCode;
  readonly params?: Readonly<Record<string, CoreParam>>;
}

/** A coded text; the code must be a text of `core` in `locales/en/ui.json` (else `npm run typecheck` fails). */
export function coreText(code: CoreCode, params?: Readonly<Record<string, CoreParam>>): CoreText {
  return params === undefined ? { code } : { code, params };
}

/** A message: one text, or sentences written one after the other. */
export type CoreMessage = CoreText | readonly CoreText[];

/** `t` of the `ui` namespace, as loosely as this module needs it (the core's English one, the page's own). */
export type LooseT = (key: string, options?: Record<string, unknown>) => string;

/** The text of a message in `t`'s language; `known` says whether the catalogue has a code (else the code is written). */
export function writeCoreText(t: LooseT, message: CoreMessage, known: (code: string) => boolean = () => true): string {
  const one = (m: CoreText): string => {
    if (!known(m.code)) throw new UnknownCoreCode(m.code);
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(m.params ?? {}))
      params[k] = Array.isArray(v) ? (v as readonly CoreText[]).map(one).join(', ') : v;
    return t(`core.${m.code}`, params);
  };
  return Array.isArray(message) ? (message as readonly CoreText[]).map(one).join(' ') : one(message as CoreText);
}

/** A code the catalogue in use does not have (a newer bridge than the page): the caller shows the English text. */
export class UnknownCoreCode extends Error {
  constructor(readonly code: string) {
    super(`unknown core text "${code}"`);
  }
}

/** The codes a message uses, its lists' included (for the tests). */
export function codesOf(message: CoreMessage): string[] {
  const list = Array.isArray(message) ? (message as readonly CoreText[]) : [message as CoreText];
  return list.flatMap((m) => [
    m.code,
    ...Object.values(m.params ?? {}).flatMap((v) => (Array.isArray(v) ? codesOf(v as readonly CoreText[]) : [])),
  ]);
}
