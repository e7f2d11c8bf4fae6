/**
 * The core's side of coded texts (core-text.ts): a text of the `ui` catalogue's `core` group by code, written in
 * English for the log, the command line and API consumers, and sent with its code so that the status page writes it
 * in the user's language. `said('message', coreText('health.online'))` gives `{ message, messageCode }`.
 */
import { translator } from './index';
import { writeCoreText, type CoreMessage, type LooseT } from './core-text';

export { coreText, type CoreCode, type CoreMessage, type CoreParam, type CoreText } from './core-text';

/** The English words of a coded text (the catalogue's English file). */
export function english(message: CoreMessage): string {
  return writeCoreText(translator('ui', undefined) as unknown as LooseT, message);
}

/** `{ [field]: English text, [field + 'Code']: the coded text }`, to spread into a payload. */
export function said<F extends string, M extends CoreMessage>(
  field: F,
  message: M,
): { readonly [K in F]: string } & { readonly [K in `${F}Code`]: M } {
  return { [field]: english(message), [`${field}Code`]: message } as { readonly [K in F]: string } & {
    readonly [K in `${F}Code`]: M;
  };
}
