import { describe, expect, it } from 'vitest';
import {
  describeSecretRef,
  isPlainSecret,
  resolveSecret,
  secretRefSchema,
  type KeychainReader,
} from '../../src/config/secrets';
import { BridgeError } from '../../src/domain/errors';

describe('secret references', () => {
  it('accepts a plain string, an env reference and a keychain reference, and nothing else', () => {
    expect(secretRefSchema.safeParse('secret_x').success).toBe(true);
    expect(secretRefSchema.safeParse({ env: 'MYPOS_SECRET' }).success).toBe(true);
    expect(secretRefSchema.safeParse({ keychain: 'mypos-partner' }).success).toBe(true);
    expect(secretRefSchema.safeParse('').success).toBe(false);
    expect(secretRefSchema.safeParse({ env: 'has space' }).success).toBe(false);
    expect(secretRefSchema.safeParse({ env: 'A', keychain: 'b' }).success).toBe(false);
    expect(secretRefSchema.safeParse({ file: '/etc/x' }).success).toBe(false);
  });

  it('resolves a plain value as it is', () => {
    expect(resolveSecret('secret_abc', {})).toBe('secret_abc');
    expect(isPlainSecret('secret_abc')).toBe(true);
    expect(isPlainSecret({ env: 'X' })).toBe(false);
  });

  it('reads an env reference from the given environment', () => {
    expect(resolveSecret({ env: 'MYPOS_PARTNER_SECRET' }, { env: { MYPOS_PARTNER_SECRET: 'secret_from_env' } })).toBe(
      'secret_from_env',
    );
  });

  it('names the unset variable, never a value', () => {
    let err: unknown;
    try {
      resolveSecret(
        { env: 'MYPOS_MERCHANT_SECRET' },
        { env: { OTHER: 'sec_visible' } },
        'terminals.shop.merchantSecret',
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('config_invalid');
    expect((err as BridgeError).message).toContain('MYPOS_MERCHANT_SECRET');
    expect((err as BridgeError).message).toContain('terminals.shop.merchantSecret');
    expect((err as BridgeError).message).not.toContain('sec_visible');
  });

  it('treats an empty variable as unset', () => {
    expect(() => resolveSecret({ env: 'EMPTY' }, { env: { EMPTY: '' } })).toThrow(/EMPTY.*not set/);
  });

  it('reads a keychain reference through the injected reader', () => {
    const reader: KeychainReader = { read: (name) => (name === 'mypos-partner' ? 'secret_from_keychain' : undefined) };
    expect(resolveSecret({ keychain: 'mypos-partner' }, { keychain: reader })).toBe('secret_from_keychain');
    expect(() => resolveSecret({ keychain: 'missing' }, { keychain: reader })).toThrow(
      /keychain entry "missing".*does not exist/,
    );
  });

  it('explains a keychain reference when running headless without a keychain', () => {
    expect(() => resolveSecret({ keychain: 'mypos-partner' }, { env: {} })).toThrow(
      /no keychain is available.*\{"env":"VARIABLE"\}/,
    );
  });

  it('wraps a failing keychain reader', () => {
    const reader: KeychainReader = {
      read: () => {
        throw new Error('encryption not available');
      },
    };
    expect(() => resolveSecret({ keychain: 'x' }, { keychain: reader })).toThrow(/encryption not available/);
  });

  it('describes references without revealing secrets', () => {
    expect(describeSecretRef('secret_abc')).not.toContain('secret_abc');
    expect(describeSecretRef({ env: 'V' })).toBe('environment variable V');
    expect(describeSecretRef({ keychain: 'k' })).toBe('keychain entry "k"');
  });
});
