/**
 * Secret references in the configuration. A secret is never written to a config file in plain text if it can
 * be avoided: it is named by an environment variable (`{"env":"VAR"}`) or by an entry in the operating system's
 * keychain (`{"keychain":"name"}`, provided by the desktop shell through `KeychainReader`). A plain string is
 * accepted so that a first setup works, but it is reported as a warning.
 */
import { z } from 'zod';
import { BridgeError } from '../domain/errors';
import { coreText, english, type CoreText } from '../i18n/say';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const envSecretSchema = z
  .object({ env: z.string().regex(ENV_NAME, 'must be an environment variable name such as MYPOS_PARTNER_SECRET') })
  .strict();
export const keychainSecretSchema = z.object({ keychain: z.string().min(1, 'must name a keychain entry') }).strict();

/** A plain string, `{"env":"VAR"}` or `{"keychain":"name"}`. */
export const secretRefSchema = z.union([z.string().min(1, 'must not be empty'), envSecretSchema, keychainSecretSchema]);

export type SecretRef = z.infer<typeof secretRefSchema>;

/** Reads secrets from the OS keychain (the desktop shell implements it with Electron safeStorage). */
export interface KeychainReader {
  /** The secret stored under `name`, or undefined when there is none (synchronous, like safeStorage). */
  read(name: string): string | undefined;
}

/** Where secret references are resolved from. */
export interface SecretContext {
  /** Environment to read `{"env"}` references from; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Absent when running headless without a keychain. */
  readonly keychain?: KeychainReader;
}

export function isPlainSecret(ref: SecretRef): ref is string {
  return typeof ref === 'string';
}

/** How a reference is shown in messages and the UI: never the secret itself. */
export function describeSecretRef(ref: SecretRef): string {
  if (typeof ref === 'string') return 'a plain value in the config file';
  if ('env' in ref) return `environment variable ${ref.env}`;
  return `keychain entry "${ref.keychain}"`;
}

/** A warning for a plain-text secret (`what` names the field, e.g. "terminals[0].partnerSecret"), coded. */
export function plainSecretText(what: string): CoreText {
  return coreText('config.plainSecret', { field: what });
}

/** The same warning in English (the command line, the log). */
export function plainSecretWarning(what: string): string {
  return english(plainSecretText(what));
}

/**
 * The secret a reference points to (synchronous: environment variables and the keychain are read at once). Throws BridgeError `config_invalid` with a message naming the variable or
 * keychain entry (never a value) when it cannot be read.
 */
export function resolveSecret(ref: SecretRef, sources: SecretContext = {}, what = 'secret'): string {
  if (typeof ref === 'string') {
    if (ref.length === 0) throw new BridgeError('config_invalid', `${what} is empty`);
    return ref;
  }
  if ('env' in ref) {
    const env = sources.env ?? process.env;
    const value = env[ref.env];
    if (value === undefined || value === '') {
      throw new BridgeError(
        'config_invalid',
        `${what} refers to environment variable ${ref.env}, which is not set; set it before starting the bridge`,
        { env: ref.env },
      );
    }
    return value;
  }
  if (!sources.keychain) {
    throw new BridgeError(
      'config_invalid',
      `${what} refers to keychain entry "${ref.keychain}", but no keychain is available (running headless?); ` +
        'use {"env":"VARIABLE"} instead or run the desktop app',
      { keychain: ref.keychain },
    );
  }
  let value: string | undefined;
  try {
    value = sources.keychain.read(ref.keychain);
  } catch (e) {
    throw new BridgeError(
      'config_invalid',
      `${what}: reading keychain entry "${ref.keychain}" failed: ${e instanceof Error ? e.message : String(e)}`,
      { keychain: ref.keychain },
    );
  }
  if (value === undefined || value === '') {
    throw new BridgeError(
      'config_invalid',
      `${what} refers to keychain entry "${ref.keychain}", which does not exist`,
      {
        keychain: ref.keychain,
      },
    );
  }
  return value;
}
