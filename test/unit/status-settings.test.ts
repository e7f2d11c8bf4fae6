/**
 * Settings of the status page: plain secrets never leave the file, an unchanged (masked) secret is kept on save,
 * every problem is reported per field with the config schema, nothing invalid is written, and with a keychain
 * typed secrets go there and the file only names them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SECRET_MASK } from '../../src/status/contract';
import { maskSecrets, restoreSecrets, SettingsFile, type SecretStore } from '../../src/status/settings';
import { StatusProblem } from '../../src/status/problem';

const CONFIG = {
  listeners: [
    {
      id: 'pos',
      protocol: 'native',
      transport: { type: 'tcp', host: '0.0.0.0', port: 7450 },
      token: 'register-token-1-9f8e7d6c5b4a39281706',
    },
    { id: 'zvt', protocol: 'zvt', transport: { type: 'tcp', host: '127.0.0.1', port: 20007 }, password: '123456' },
  ],
  terminals: [
    {
      id: 'cloud',
      driver: 'epos',
      environment: 'demo',
      terminalId: '80123457',
      partnerId: 'mps-p-1',
      applicationId: 'mps-app-1',
      partnerClientId: 'client_1',
      partnerSecret: 'secret_plain',
      merchantClientId: 'cli_1',
      merchantSecret: { env: 'MERCHANT_SECRET' },
    },
  ],
  status: { enabled: true, host: '127.0.0.1', port: 7460 },
};

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rb-settings-'));
  file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(CONFIG, null, 2));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('settings', () => {
  it('never sends a plain secret to the page; references stay visible by name', () => {
    const view = new SettingsFile({ file, running: {} }).view();
    const text = JSON.stringify(view);
    for (const secret of ['register-token-1-9f8e7d6c5b4a39281706', '123456', 'secret_plain'])
      expect(text).not.toContain(secret);
    expect(text).toContain('MERCHANT_SECRET');
    expect((view.config as typeof CONFIG).listeners[0]!.token).toBe(SECRET_MASK);
    expect(view.issues).toEqual([]);
    expect(view.warnings.join(' ')).toContain('listeners[0].token is written in plain text');
    expect(view.writable).toBe(true);
  });

  it('keeps masked secrets on save and writes the change', () => {
    const s = new SettingsFile({ file, running: {} });
    const page = s.view().config as typeof CONFIG;
    page.listeners[0]!.transport.port = 7451;
    const answer = s.save(page);
    expect(answer).toMatchObject({ saved: true, issues: [], restartNeeded: true });
    const written = JSON.parse(readFileSync(file, 'utf8')) as typeof CONFIG;
    expect(written.listeners[0]!.transport.port).toBe(7451);
    expect(written.listeners[0]!.token).toBe('register-token-1-9f8e7d6c5b4a39281706');
    expect(written.listeners[1]!.password).toBe('123456');
    expect(written.terminals[0]!.partnerSecret).toBe('secret_plain');
  });

  it('reports an invalid port next to its field and writes nothing', () => {
    const s = new SettingsFile({ file, running: {} });
    const before = readFileSync(file, 'utf8');
    const page = s.view().config as { listeners: Array<{ transport: { port: unknown } }> };
    page.listeners[0]!.transport.port = 70000;
    expect(s.validate(page)).toEqual([
      {
        field: 'listeners[0].transport.port',
        message: 'must be 0–65535',
        messageCode: { code: 'config.issue.atMost', params: { maximum: '65535' } },
      },
    ]);
    page.listeners[0]!.transport.port = 'abc';
    expect(s.validate(page)[0]).toMatchObject({
      field: 'listeners[0].transport.port',
      message: 'must be a port number',
    });
    const answer = s.save(page);
    expect(answer.saved).toBe(false);
    expect(answer.issues[0]!.field).toBe('listeners[0].transport.port');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('names a missing token when a listener opens to the network', () => {
    const s = new SettingsFile({ file, running: {} });
    const page = s.view().config as { listeners: Array<Record<string, unknown>> };
    delete page.listeners[0]!.token;
    expect(s.validate(page)).toEqual([
      {
        field: 'listeners[0].token',
        message: 'a native listener on 0.0.0.0 (beyond loopback) needs a key: "token", or "registers" with a key each',
        messageCode: { code: 'config.nativeNeedsKey', params: { host: '0.0.0.0' } },
      },
    ]);
  });

  it('with a keychain stores typed secrets there and writes only references', () => {
    const stored = new Map<string, string>();
    const store: SecretStore = { write: (n, v) => void stored.set(n, v) };
    const s = new SettingsFile({ file, running: {}, secretStore: store });
    const page = s.view().config as typeof CONFIG & { status: Record<string, unknown> };
    page.status.token = 'typed-status-token';
    expect(s.save(page).saved).toBe(true);
    const text = readFileSync(file, 'utf8');
    for (const secret of ['register-token-1-9f8e7d6c5b4a39281706', 'secret_plain', 'typed-status-token'])
      expect(text).not.toContain(secret);
    const written = JSON.parse(text) as {
      status: { token: unknown };
      listeners: Array<{ token: unknown; password: unknown }>;
    };
    expect(written.status.token).toEqual({ keychain: 'status.token' });
    expect(written.listeners[0]!.token).toEqual({ keychain: 'listener.pos.token' });
    // The ZVT password is not a secret reference in the schema: it stays a 6-digit value.
    expect(written.listeners[1]!.password).toBe('123456');
    expect(stored.get('status.token')).toBe('typed-status-token');
    expect(stored.get('terminal.cloud.partnerSecret')).toBe('secret_plain');
    expect(s.view().warnings).toEqual([]);
  });

  it('refuses to save when the keychain cannot store a secret, leaving the file as it was', () => {
    const before = readFileSync(file, 'utf8');
    const s = new SettingsFile({
      file,
      running: {},
      secretStore: {
        write: () => {
          throw new Error('no encryption available');
        },
      },
    });
    expect(() => s.save(s.view().config)).toThrow(StatusProblem);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('shows the running configuration read-only without a config file', () => {
    const s = new SettingsFile({ running: CONFIG });
    expect(s.view()).toMatchObject({ file: null, writable: false });
    expect(() => s.save(CONFIG)).toThrow(/without a config file/);
  });

  it('mask and restore are inverse for unchanged secrets; a mask without a secret behind it removes the field', () => {
    expect(restoreSecrets(maskSecrets(CONFIG), CONFIG)).toEqual(CONFIG);
    const page = maskSecrets(CONFIG) as { status: Record<string, unknown> };
    page.status.token = SECRET_MASK;
    expect((restoreSecrets(page, CONFIG) as { status: Record<string, unknown> }).status).toEqual(CONFIG.status);
  });
});
