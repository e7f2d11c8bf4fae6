import { describe, expect, it } from 'vitest';
import {
  EPOS_BASE_URLS,
  eposBaseUrl,
  eposConfigWarnings,
  eposTerminalSchema,
  resolveEposCredentials,
} from '../../src/terminal/epos/config';

const good = {
  id: 'shop-ultra',
  driver: 'epos',
  environment: 'demo',
  terminalId: '80123457',
  currency: 'EUR',
  partnerId: 'mps-p-123',
  applicationId: 'mps-app-456',
  partnerClientId: 'client_abc',
  partnerSecret: { env: 'MYPOS_PARTNER_SECRET' },
  merchantClientId: 'cli_def',
  merchantSecret: { keychain: 'mypos-merchant' },
};

describe('ePOS terminal configuration', () => {
  it('accepts a complete entry with secret references', () => {
    const r = eposTerminalSchema.safeParse(good);
    expect(r.success).toBe(true);
    expect(eposConfigWarnings(r.data!)).toEqual([]);
  });

  it('requires the environment: live is never a default', () => {
    const { environment: _e, ...rest } = good;
    const r = eposTerminalSchema.safeParse(rest);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).toMatch(/environment/);
    expect(eposTerminalSchema.safeParse({ ...good, environment: 'production' }).success).toBe(false);
  });

  it('uses the environment base URL unless gatewayUrl overrides it', () => {
    expect(eposBaseUrl({ environment: 'demo' })).toBe(EPOS_BASE_URLS.demo);
    expect(eposBaseUrl({ environment: 'live' })).toBe('https://api-gateway.mypos.com');
    expect(eposBaseUrl({ environment: 'demo', gatewayUrl: 'http://127.0.0.1:8480/' })).toBe('http://127.0.0.1:8480');
    expect(eposTerminalSchema.safeParse({ ...good, gatewayUrl: 'ftp://x' }).success).toBe(false);
  });

  it('refuses unknown keys, empty ids and bad currencies', () => {
    expect(eposTerminalSchema.safeParse({ ...good, partnerSecrett: 'x' }).success).toBe(false);
    expect(eposTerminalSchema.safeParse({ ...good, terminalId: '' }).success).toBe(false);
    expect(eposTerminalSchema.safeParse({ ...good, currency: 'EURO' }).success).toBe(false);
    expect(eposTerminalSchema.safeParse({ ...good, pollIntervalMs: 5 }).success).toBe(false);
  });

  it('accepts plain secrets but warns about each', () => {
    const cfg = eposTerminalSchema.parse({ ...good, partnerSecret: 'secret_plain', merchantSecret: 'sec_plain' });
    const w = eposConfigWarnings(cfg);
    expect(w.filter((x) => x.includes('plain text'))).toHaveLength(2);
    expect(w.join(' ')).not.toContain('secret_plain');
  });

  it('warns about identifiers in the wrong fields and a demo/live mismatch', () => {
    const cfg = eposTerminalSchema.parse({
      ...good,
      partnerClientId: 'cli_swapped',
      environment: 'live',
      gatewayUrl: 'https://demo-api-gateway.mypos.com',
    });
    const w = eposConfigWarnings(cfg).join('\n');
    expect(w).toMatch(/partnerClientId usually starts with "client_"/);
    expect(w).toMatch(/environment "live" but gatewayUrl points at a demo host/);
  });

  it('resolves the credentials from the environment and keychain', () => {
    const cfg = eposTerminalSchema.parse(good);
    const creds = resolveEposCredentials(cfg, {
      env: { MYPOS_PARTNER_SECRET: 'secret_1' },
      keychain: { read: () => 'sec_2' },
    });
    expect(creds).toMatchObject({ partnerSecret: 'secret_1', merchantSecret: 'sec_2', partnerId: 'mps-p-123' });
    expect(() => resolveEposCredentials(cfg, { env: {} })).toThrow(/MYPOS_PARTNER_SECRET/);
  });
});
