/**
 * The desktop shell's parts that need no Electron runtime: the safeStorage keychain (never plain text), the IPC
 * answer (only the app's own page, only known methods, errors as problem details), the app:// protocol (only files
 * of the build, CSP on every answer), the tray state, and the core host (start, pause, resume; secrets from the
 * keychain).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

import { CoreHost } from '../../electron/core-host';
import { answerInvoke, registerIpc } from '../../electron/ipc-main';
import { IPC_CHANNELS } from '../../electron/ipc';
import { SafeStorageKeychain, type SafeStorageLike } from '../../electron/keychain';
import { appProtocolHandler, fileForUrl } from '../../electron/protocol';
import { APP_CSP } from '../../electron/security';
import { trayStateOf } from '../../electron/tray-state';
import { demoConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import type { StateView, StatusEvent } from '../../src/status/contract';
import { StatusCore } from '../../src/status/core';
import { LogRing } from '../../src/status/log-ring';

/** Stands in for the OS: "encrypts" by XOR with a key and a marker, so plain text never appears in the bytes. */
function fakeSafeStorage(available = true): SafeStorageLike {
  const key = 0x5a;
  return {
    isEncryptionAvailable: () => available,
    encryptString: (s) => Buffer.concat([Buffer.from('ENC1'), Buffer.from(Buffer.from(s, 'utf8').map((b) => b ^ key))]),
    decryptString: (b) => {
      if (b.subarray(0, 4).toString() !== 'ENC1') throw new Error('not ours');
      return Buffer.from(b.subarray(4).map((x) => x ^ key)).toString('utf8');
    },
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rb-shell-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('safeStorage keychain', () => {
  it('stores only ciphertext and reads it back', () => {
    const file = join(dir, 'secrets.json');
    const k = new SafeStorageKeychain(file, fakeSafeStorage());
    k.write('terminal.cloud.partnerSecret', 'secret_very_private');
    k.write('status.token', 'tok-123');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('secret_very_private');
    expect(text).not.toContain('tok-123');
    expect(k.read('terminal.cloud.partnerSecret')).toBe('secret_very_private');
    expect(new SafeStorageKeychain(file, fakeSafeStorage()).read('status.token')).toBe('tok-123');
    expect(k.read('missing')).toBeUndefined();
    expect(k.names().sort()).toEqual(['status.token', 'terminal.cloud.partnerSecret']);
  });

  it('takes the secrets the Setup and Settings views save: the config file and the keychain file hold no plain text', async () => {
    const file = join(dir, 'config.json');
    const keychainFile = join(dir, 'secrets.json');
    const start = {
      listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 7450 } }],
      terminals: [{ id: 'demo', driver: 'simulator', currency: 'EUR' }],
    };
    writeFileSync(file, JSON.stringify(start));
    const keychain = new SafeStorageKeychain(keychainFile, fakeSafeStorage());
    const core = new StatusCore({ config: demoConfig(), configFile: file, log: silentLogger(), secretStore: keychain });
    const cloud = {
      id: 'cloud',
      driver: 'epos',
      environment: 'demo',
      terminalId: '80123457',
      partnerId: 'mps-p-1',
      applicationId: 'mps-app-1',
      partnerClientId: 'client_1',
      partnerSecret: 'partner-secret-9f2c',
      merchantClientId: 'cli_1',
      merchantSecret: 'merchant-secret-4b7e',
    };
    const answer = await core.settingsSave({ config: { ...start, terminals: [cloud] } });
    expect(answer).toMatchObject({ saved: true, issues: [] });
    for (const text of [readFileSync(file, 'utf8'), readFileSync(keychainFile, 'utf8')]) {
      expect(text).not.toContain('partner-secret-9f2c');
      expect(text).not.toContain('merchant-secret-4b7e');
    }
    const written = JSON.parse(readFileSync(file, 'utf8')) as { terminals: Array<Record<string, unknown>> };
    expect(written.terminals[0]).toMatchObject({
      partnerSecret: { keychain: 'terminal.cloud.partnerSecret' },
      merchantSecret: { keychain: 'terminal.cloud.merchantSecret' },
    });
    expect(keychain.read('terminal.cloud.merchantSecret')).toBe('merchant-secret-4b7e');
    // The page is shown the mask, never the secret.
    expect(JSON.stringify((await core.settingsGet()).config)).not.toContain('secret-');
  });

  it('refuses to store anything when the OS offers no encryption', () => {
    const file = join(dir, 'secrets.json');
    const k = new SafeStorageKeychain(file, fakeSafeStorage(false));
    expect(() => k.write('x', 'plain')).toThrow(/no encryption/);
    expect(() => readFileSync(file)).toThrow();
  });
});

describe('IPC', () => {
  const core = new StatusCore({ config: demoConfig(), log: silentLogger() });

  it('answers the app page with values and problem details', async () => {
    const state = await answerInvoke(core, 'app://bridge/index.html', { method: 'state' });
    expect(state).toMatchObject({ ok: true, value: { paused: true, terminals: [] } });
    const problem = await answerInvoke(core, 'app://bridge/index.html', { method: 'journalDetail', arg: 'x' });
    expect(problem).toMatchObject({ ok: false, problem: { status: 503, code: 'paused', instance: 'journalDetail' } });
    const issues = await answerInvoke(core, 'app://bridge/index.html', {
      method: 'settingsValidate',
      arg: { listeners: [] },
    });
    expect(issues.ok && (issues.value as Array<{ field: string }>).some((i) => i.field === 'listeners')).toBe(true);
  });

  it('refuses other senders and unknown methods', async () => {
    expect(await answerInvoke(core, 'https://example.com/', { method: 'state' })).toMatchObject({
      ok: false,
      problem: { status: 403 },
    });
    expect(await answerInvoke(core, 'app://bridge/', { method: 'constructor' })).toMatchObject({
      ok: false,
      problem: { status: 404 },
    });
    expect(await answerInvoke(core, 'app://bridge/', null)).toMatchObject({ ok: false, problem: { status: 404 } });
  });

  it('registers one handler and forwards events to the window', async () => {
    const handlers = new Map<string, (...a: unknown[]) => unknown>();
    const ipcMain = {
      handle: (c: string, fn: (...a: unknown[]) => unknown) => handlers.set(c, fn),
      removeHandler: (c: string) => handlers.delete(c),
    };
    const sent: unknown[] = [];
    const wc = { isDestroyed: () => false, send: (c: string, e: unknown) => sent.push([c, e]) };
    const off = registerIpc(ipcMain as never, core, () => wc as never);
    expect([...handlers.keys()]).toEqual([IPC_CHANNELS.invoke]);
    const answer = await handlers.get(IPC_CHANNELS.invoke)!(
      { senderFrame: { url: 'app://bridge/index.html' } },
      { method: 'logs', arg: {} },
    );
    expect(answer).toEqual({ ok: true, value: { available: false, lines: [] } });
    const e: StatusEvent = { type: 'state', reason: 'test' };
    core.emit('event', e);
    expect(sent).toEqual([[IPC_CHANNELS.event, e]]);
    off();
    core.emit('event', e);
    expect(sent).toHaveLength(1);
    expect(handlers.size).toBe(0);
  });
});

describe('app:// protocol', () => {
  it('maps URLs to files of the build only', () => {
    const root = join(dir, 'dist-renderer');
    expect(fileForUrl(root, 'app://bridge/')).toBe(join(root, 'index.html'));
    expect(fileForUrl(root, 'app://bridge/assets/a.js')).toBe(join(root, 'assets', 'a.js'));
    expect(fileForUrl(root, 'app://bridge/journal')).toBe(join(root, 'index.html'));
    // Dot segments, plain or encoded, never climb out of the build folder.
    for (const url of [
      'app://bridge/%2e%2e/secrets.json',
      'app://bridge/..%2fsecrets.json',
      'app://bridge/a/..%2f..%2f..%2fsecrets.json',
    ]) {
      const file = fileForUrl(root, url);
      expect(file === undefined || file.startsWith(root + '/'), url).toBe(true);
    }
    expect(fileForUrl(root, 'app://elsewhere/index.html')).toBeUndefined();
  });

  it('serves files with the CSP and refuses the rest', async () => {
    const root = join(dir, 'dist-renderer');
    mkdirSync(root);
    writeFileSync(join(root, 'index.html'), '<!doctype html>ok');
    writeFileSync(join(dir, 'secrets.json'), '{}');
    const handle = appProtocolHandler(root);
    const ok = await handle(new Request('app://bridge/index.html'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(ok.headers.get('content-type')).toContain('text/html');
    expect(await ok.text()).toBe('<!doctype html>ok');
    const out = await handle(new Request('app://bridge/..%2fsecrets.json'));
    expect(out.status).toBe(404);
    expect(out.headers.get('content-security-policy')).toBe(APP_CSP);
    expect((await handle(new Request('app://bridge/missing.js'))).status).toBe(404);
  });
});

describe('tray state', () => {
  const base: Pick<StateView, 'attention' | 'terminals' | 'running' | 'paused'> = {
    attention: [],
    terminals: [],
    running: [],
    paused: false,
  };
  const terminal = (state: 'ready' | 'busy' | 'offline' | 'recovering') => ({
    id: 't',
    driver: 'ipp',
    link: 'x',
    state,
    queue: 0,
  });
  const doubt = { payment: { outcome: 'in_doubt' } } as StateView['attention'][number];

  it('shows idle, payment running, terminal offline, attention needed — attention first', () => {
    expect(trayStateOf(base)).toBe('idle');
    expect(trayStateOf({ ...base, terminals: [terminal('busy')] })).toBe('running');
    expect(trayStateOf({ ...base, terminals: [terminal('offline'), terminal('busy')] })).toBe('offline');
    expect(trayStateOf({ ...base, attention: [doubt], terminals: [terminal('offline')] })).toBe('attention');
    expect(trayStateOf({ ...base, paused: true })).toBe('attention');
    // A captured total held as a possible duplicate waits for the cashier: attention, even over a terminal offline.
    const hold = {
      id: 'h1',
      listener: 'prn',
      mode: 'printer',
      amount: { minor: 1234, currency: 'EUR' },
      text: 'TOTAL 12,34',
      firstSeenAt: '',
      lastSeenAt: '',
      times: 1,
      previousRef: 'PRN-1',
      previousAt: '',
    } as const;
    expect(trayStateOf({ ...base, captureHolds: [hold], terminals: [terminal('offline')] })).toBe('attention');
    expect(trayStateOf({ ...base, captureHolds: [] })).toBe('idle');
  });
});

describe('core host', () => {
  it('starts the bridge from the config file with keychain secrets, pauses and resumes', async () => {
    const keychain = new SafeStorageKeychain(join(dir, 'secrets.json'), fakeSafeStorage());
    keychain.write('listener.pos.token', 'register-token-5f0c9a1e7b3d2468ace0');
    const configFile = join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir: join(dir, 'data'),
        listeners: [
          {
            id: 'pos',
            protocol: 'native',
            transport: { type: 'tcp', host: '127.0.0.1', port: 0 },
            token: { keychain: 'listener.pos.token' },
          },
        ],
        terminals: [{ id: 'demo', driver: 'simulator', currency: 'EUR', stageDelayMs: 0 }],
        status: { enabled: false },
      }),
    );
    let login = false;
    const changes: string[] = [];
    const host = new CoreHost({
      configFile,
      defaultDataDir: dir,
      demo: false,
      log: silentLogger(),
      logs: new LogRing(50),
      keychain,
      loginItem: { get: () => login, set: (on) => void (login = on) },
      onChange: () => changes.push(host.running ? 'started' : 'stopped'),
    });
    try {
      await host.start();
      let s = await host.core.state();
      expect(s).toMatchObject({
        paused: false,
        desktop: { pause: true, keychain: true, startAtLogin: true },
        terminals: [{ id: 'demo' }],
      });
      expect(s.listeners[0]!.address).toMatch(/^127\.0\.0\.1:\d+$/);

      await host.core.setPaused(true);
      s = await host.core.state();
      expect(s.paused).toBe(true);
      expect(s.listeners).toEqual([]);
      await host.core.setPaused(false);
      expect((await host.core.state()).paused).toBe(false);
      expect(changes).toEqual(['started', 'stopped', 'started']);

      const settings = await host.core.settingsGet();
      expect(settings).toMatchObject({ file: configFile, writable: true, startAtLogin: false });
      const saved = await host.core.settingsSave({ config: settings.config, startAtLogin: true });
      expect(saved.saved).toBe(true);
      expect(login).toBe(true);
    } finally {
      await host.stop();
    }
  });

  it('writes a starter configuration with the simulated terminal on first start', () => {
    const configFile = join(dir, 'first', 'config.json');
    new CoreHost({
      configFile,
      defaultDataDir: dir,
      demo: false,
      log: silentLogger(),
      logs: new LogRing(10),
      keychain: new SafeStorageKeychain(join(dir, 'secrets.json'), fakeSafeStorage()),
      loginItem: { get: () => false, set: () => undefined },
    });
    const written = JSON.parse(readFileSync(configFile, 'utf8')) as { terminals: Array<{ driver: string }> };
    expect(written.terminals[0]!.driver).toBe('simulator');
  });
});
