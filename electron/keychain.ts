/**
 * Secrets of the desktop app, encrypted with Electron's safeStorage (DPAPI on Windows, the Keychain on macOS,
 * libsecret/kwallet on Linux) into one file of ciphertexts. The config file names a secret as
 * `{"keychain":"name"}`; the core reads it through KeychainReader. Nothing is ever written in plain text: when
 * the operating system offers no encryption, storing a secret fails with a message saying so.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KeychainReader } from '../src/config/secrets';
import type { SecretStore } from '../src/status/settings';

/** The part of Electron's safeStorage used here (so tests can pass a fake). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

interface SecretsFile {
  readonly version: 1;
  /** name → base64 of safeStorage ciphertext. */
  readonly entries: Record<string, string>;
}

export class SafeStorageKeychain implements KeychainReader, SecretStore {
  constructor(
    private readonly file: string,
    private readonly storage: SafeStorageLike,
  ) {}

  private load(): SecretsFile {
    if (!existsSync(this.file)) return { version: 1, entries: {} };
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<SecretsFile>;
    return { version: 1, entries: parsed.entries && typeof parsed.entries === 'object' ? { ...parsed.entries } : {} };
  }

  read(name: string): string | undefined {
    const cipher = this.load().entries[name];
    if (cipher === undefined) return undefined;
    if (!this.storage.isEncryptionAvailable())
      throw new Error('the operating system keychain is not available to decrypt it');
    return this.storage.decryptString(Buffer.from(cipher, 'base64'));
  }

  write(name: string, value: string): void {
    if (!this.storage.isEncryptionAvailable()) {
      throw new Error('the operating system offers no encryption for secrets (safeStorage); the secret was not stored');
    }
    const data = this.load();
    const entries = { ...data.entries, [name]: this.storage.encryptString(value).toString('base64') };
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, entries }, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  names(): string[] {
    return Object.keys(this.load().entries);
  }
}
