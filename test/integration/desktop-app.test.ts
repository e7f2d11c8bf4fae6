/**
 * The desktop app's main process through its whole life: the BUILT dist-electron/main.cjs (and preload.cjs, and
 * the status page) run under Node with the fake-Electron harness (test/helpers/fake-electron/), which keeps
 * Electron's lifecycle rules and stubs the operating system. Real parts behind it: the core, SQLite journal, TCP
 * listeners, the simulated terminal.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  buildDesktopApp,
  FakeMachine,
  Launch,
  settle,
  type BuiltApp,
  type FakePlatform,
  type LaunchOptions,
} from '../helpers/fake-electron';
import { NativeClient } from '../helpers/native-client';
import { loadBuilderConfig, ROOT } from '../unit/builder-helpers';
import { defaultConfigFile } from '../../src/config/paths';
import { IPC_CHANNELS, type DesktopBridge } from '../../electron/ipc';
import { autostartFile } from '../../electron/login-item';
import type { StatusEvent } from '../../src/status/contract';

let built: BuiltApp;
/** electron-builder.yml's appId (read before any test stubs the platform: the loader follows process.platform). */
let appId: string;
beforeAll(async () => {
  appId = (await loadBuilderConfig()).appId as string;
  built = await buildDesktopApp();
}, 120_000);
afterAll(() => built?.remove());

const machines: FakeMachine[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const m of machines.splice(0)) await m.dispose();
});

function machine(platform: FakePlatform, encryption = true, locale?: string): FakeMachine {
  const m = new FakeMachine({ platform, encryption, ...(locale ? { locale } : {}) });
  machines.push(m);
  return m;
}

const APP_NAME = 'Register Bridge';
const userData = (m: FakeMachine): string => join(m.appFolder('appData', APP_NAME), APP_NAME);
const configFile = (m: FakeMachine): string => join(userData(m), 'config.json');

function config(o: { port?: number; statusPort?: number } = {}): Record<string, unknown> {
  return {
    listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: o.port ?? 0 } }],
    terminals: [{ id: 'demo', driver: 'simulator', currency: 'EUR', stageDelayMs: 0 }],
    status: o.statusPort === undefined ? { enabled: false } : { host: '127.0.0.1', port: o.statusPort },
  };
}

function writeConfig(m: FakeMachine, content: unknown): void {
  const file = configFile(m);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

async function launch(m: FakeMachine, options: LaunchOptions = {}): Promise<Launch> {
  const l = new Launch(m, built, options).start();
  await l.ready();
  return l;
}

/** The page's `window.registerBridge` (exposed by the built preload) of the app's window, once it has loaded. */
async function page(l: Launch): Promise<DesktopBridge> {
  return waitFor(() => {
    const api = l.windows[0]?.webContents.pageGlobals.registerBridge as DesktopBridge | undefined;
    if (!api) throw new Error('no page with window.registerBridge');
    return api;
  });
}

async function call<T = unknown>(l: Launch, method: string, arg?: unknown): Promise<T> {
  const answer = await (await page(l)).invoke(method as never, arg as never);
  if (!answer.ok) throw new Error(`${method}: ${JSON.stringify(answer.problem)}`);
  return answer.value as T;
}

const waitFor = <T>(fn: () => T | Promise<T>, timeout = 15_000): Promise<T> =>
  vi.waitFor(fn, { timeout, interval: 20 });

async function running(l: Launch): Promise<void> {
  await waitFor(() => expect(l.tray?.tooltip).toBe('Register Bridge — ready'));
}

async function listenerPort(l: Launch): Promise<number> {
  const s = await call<{ listeners: Array<{ address: string }> }>(l, 'state');
  return Number(/:(\d+)$/.exec(s.listeners[0]!.address)![1]);
}

/** A port held by another program. */
async function takenPort(): Promise<number> {
  const s = createServer();
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as { port: number }).port;
}

const logged = (m: FakeMachine, msg: string | RegExp): boolean =>
  m.logLines().some((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(String(l.msg))));

describe('desktop app: start', () => {
  it('normal start: window shown at ready-to-show before the core runs, tray ready, IPC answers the page, app:// serves the built page', async () => {
    const m = machine('linux');
    writeConfig(m, config());
    const l = await launch(m);
    // Dev runs share no folder with the headless service (package.json's productName names userData).
    expect(l.electron.app.getPath('userData')).toBe(userData(m));
    expect(dirname(defaultConfigFile(process.env, 'linux'))).not.toBe(userData(m));

    await running(l);
    const win = l.windows[0]!;
    expect(l.windows).toHaveLength(1);
    await waitFor(() => expect(win.visible).toBe(true));
    // The window existed before the core ran, and was shown only once its page was ready (no white flash).
    expect(l.timeline.indexOf('window created')).toBeGreaterThan(l.timeline.indexOf('ready'));
    expect(l.timeline).toContain('window shown');
    expect(l.timeline).not.toContain('window shown BEFORE ready-to-show');
    expect(l.timeline.indexOf('ready-to-show')).toBeLessThan(l.timeline.indexOf('window shown'));
    const windowAt = m.stdout.findIndex((s) => s.startsWith('# window created'));
    const listeningAt = m.stdout.findIndex((s) => s.includes('"listening for registers"'));
    expect(windowAt).toBeGreaterThanOrEqual(0);
    expect(windowAt).toBeLessThan(listeningAt);

    // The protocol served the built page with the CSP; the page's script is served too.
    expect(win.webContents.lastPage).toMatchObject({ status: 200, csp: expect.stringContaining("script-src 'self'") });
    const script = /<script[^>]+src="\.\/([^"]+)"/.exec(win.webContents.lastPage!.html)?.[1];
    expect(script).toBeDefined();
    const js = await l.electron.state.fetch(`app://bridge/${script}`);
    expect([js.status, js.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await l.electron.state.fetch('app://bridge/..%2fpackage.json')).status).toBe(404);
    expect(win.webContents.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });

    // IPC: the page's calls reach the core; events reach the page.
    const events: StatusEvent[] = [];
    (await page(l)).onEvent((e) => events.push(e));
    const state = await call<{ paused: boolean; desktop: unknown; terminals: Array<{ id: string }> }>(l, 'state');
    expect(state).toMatchObject({
      paused: false,
      desktop: { pause: true, keychain: true, startAtLogin: true },
      terminals: [{ id: 'demo' }],
    });
    const register = await NativeClient.open(await listenerPort(l));
    try {
      const result = await register.request({ op: 'sale', id: '1', ref: 'DESK-1', amount: 1234, currency: 'EUR' });
      expect(result).toMatchObject({ type: 'result', outcome: 'approved' });
    } finally {
      register.close();
    }
    await waitFor(() => expect(events.some((e) => e.type !== 'log')).toBe(true));
    expect(win.webContents.sent.some(([c]) => c === IPC_CHANNELS.event)).toBe(true);
    const wrongOrigin = await l.electron.state.ipcHandlers.get(IPC_CHANNELS.invoke)!(
      { senderFrame: { url: 'https://example.com/' } },
      { method: 'state' },
    );
    expect(wrongOrigin).toMatchObject({ ok: false, problem: { status: 403 } });
  });

  it('on a German desktop the tray and the start-failure box speak German (app.getLocale())', async () => {
    const m = machine('linux', true, 'de-DE');
    writeConfig(m, '{ "listeners": [');
    const l = await launch(m);
    const box = await l.nextMessageBox();
    expect(box.options.message).toBe(
      'Register Bridge konnte nicht starten. Die Kassen können keine Kartenzahlungen annehmen, bis das behoben ist.',
    );
    expect(box.options.buttons).toEqual([
      'Erneut versuchen',
      'Einstellungsdatei öffnen',
      'Mit dem simulierten Terminal starten',
      'Register Bridge beenden',
    ]);
    await waitFor(() => expect(l.tray?.tooltip).toMatch(/^Register Bridge — läuft NICHT/));
    expect(l.tray!.tooltip).toContain('die Einstellungsdatei enthält einen Fehler');
    expect(l.tray!.menu.map((i) => i.label).filter(Boolean)).toEqual([
      'Warum läuft Register Bridge nicht?',
      'Register Bridge öffnen',
      'Empfang anhalten',
      'Beenden',
    ]);
    writeConfig(m, config());
    box.choose('Erneut versuchen');
    await waitFor(() => expect(l.tray?.tooltip).toBe('Register Bridge — bereit'));
    // The page answers before the app quits (its preload is loaded).
    await call(l, 'state');
    l.tray!.clickItem('Beenden');
    expect(await l.exited).toBe(0);
  });

  it('--hidden: straight to the tray, no window until the tray opens one', async () => {
    const m = machine('linux');
    writeConfig(m, config());
    const l = await launch(m, { args: ['--hidden'] });
    await running(l);
    expect(l.windows.filter((w) => w.visible)).toEqual([]);
    l.tray!.clickItem('Open Register Bridge');
    await waitFor(() => expect(l.windows[0]?.visible).toBe(true));
    expect(l.timeline).not.toContain('window shown BEFORE ready-to-show');
  });

  it('a second launch quits at once and brings the running window to the front', async () => {
    const m = machine('linux');
    writeConfig(m, config());
    const first = await launch(m, { args: ['--hidden'] });
    await running(first);
    const second = new Launch(m, built, {}).start();
    expect(await second.exited).toBe(0);
    expect(second.electron.state.windows).toEqual([]);
    await waitFor(() => expect(first.windows[0]?.visible).toBe(true));
    expect(m.lockHolder).toBe(first);
  });
});

describe('desktop app: a start that fails is shown at the till', () => {
  it('bad JSON: the box says what is wrong and how to fix it, the tray shows it; open, fix, try again; quit releases the lock; the next launch starts', async () => {
    const m = machine('linux');
    writeConfig(m, '{ "listeners": [');
    const l = await launch(m);
    const box = await l.nextMessageBox();
    expect(box.options.message).toMatch(/could not start/);
    expect(box.options.detail).toContain('is not valid JSON');
    expect(box.options.detail).toContain(configFile(m));
    expect(box.options.buttons).toEqual([
      'Try again',
      'Open the settings file',
      'Start with the simulated terminal',
      'Quit Register Bridge',
    ]);
    // A native box, not parented to a window that a start at login would keep hidden.
    expect(box.parent).toBeUndefined();
    await waitFor(() => expect(l.tray?.tooltip).toMatch(/^Register Bridge — NOT running/));
    expect(l.tray!.tooltip).toContain('the settings file has an error');
    expect(l.tray!.menu[0]!.label).toBe('Why is Register Bridge not running?');
    // The window is there too (nothing invisible), its page answers.
    await waitFor(() => expect(l.windows[0]?.visible).toBe(true));
    expect(await call(l, 'state')).toMatchObject({ paused: true });

    box.choose('Open the settings file');
    expect(await l.electron.state.fetch('app://bridge/index.html').then((r) => r.status)).toBe(200);
    const again = await l.nextMessageBox();
    expect(l.electron.state.openedPaths).toEqual([configFile(m)]);
    writeConfig(m, config());
    again.choose('Try again');
    await running(l);

    l.tray!.clickItem('Quit');
    expect(await l.exited).toBe(0);
    expect(m.lockHolder).toBeUndefined();
    const next = await launch(m);
    await running(next);
    expect(next.messageBoxes).toEqual([]);
  });

  it('schema-invalid config: the box names the field; "Restore the last good settings" puts back the config that last started', async () => {
    const m = machine('linux');
    writeConfig(m, config());
    const good = await launch(m);
    await running(good);
    good.tray!.clickItem('Quit');
    await good.exited;

    const broken = {
      ...config(),
      listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 70000 } }],
    };
    writeConfig(m, broken);
    const l = await launch(m, { args: ['--hidden'] });
    const box = await l.nextMessageBox();
    expect(box.options.detail).toContain('listeners[0].transport.port');
    expect(box.options.buttons).toContain('Restore the last good settings');
    box.choose('Restore the last good settings');
    await running(l);
    expect(JSON.parse(readFileSync(configFile(m), 'utf8'))).toEqual(config());
    expect(JSON.parse(readFileSync(join(userData(m), 'config.broken.json'), 'utf8'))).toEqual(broken);
  });

  it('resuming from the tray with a config broken meanwhile: the same box, the tray fails instead of reading "ready"', async () => {
    const m = machine('linux');
    writeConfig(m, config());
    const l = await launch(m);
    await running(l);
    l.tray!.clickItem('Pause listeners');
    await waitFor(() => expect(l.tray?.tooltip).toBe('Register Bridge — listeners paused'));
    writeConfig(m, '{');
    l.tray!.clickItem('Pause listeners');
    const box = await l.nextMessageBox();
    expect(box.options.detail).toContain('is not valid JSON');
    await waitFor(() => expect(l.tray?.tooltip).toMatch(/NOT running/));
    writeConfig(m, config());
    box.choose('Try again');
    await running(l);
  });

  it('native port taken: the box says another program holds the port; once it is free, "Try again" starts the bridge', async () => {
    const m = machine('linux');
    const port = await takenPort();
    writeConfig(m, config({ port }));
    const l = await launch(m);
    const box = await l.nextMessageBox();
    expect(box.options.detail).toContain(`port ${port} on 127.0.0.1 is already in use by another program`);
    expect(box.options.detail).toMatch(/Close that program/);
    await waitFor(() => expect(l.tray?.tooltip).toMatch(/NOT running/));
    await new Promise((r) => servers.pop()!.close(r));
    box.choose('Try again');
    await running(l);
    expect(await listenerPort(l)).toBe(port);
  });

  it('status port taken: the status page is off with a warning, the registers are served, the tray is not failed', async () => {
    const m = machine('linux');
    const statusPort = await takenPort();
    writeConfig(m, config({ statusPort }));
    const l = await launch(m);
    await running(l);
    expect(l.messageBoxes).toEqual([]);
    expect(logged(m, /^status page off/)).toBe(true);
    const register = await NativeClient.open(await listenerPort(l));
    try {
      expect(
        await register.request({ op: 'sale', id: '1', ref: 'STATUS-OFF-1', amount: 500, currency: 'EUR' }),
      ).toMatchObject({ outcome: 'approved' });
    } finally {
      register.close();
    }
  });
});

describe('desktop app: running', () => {
  it('renderer crash: the page is reloaded and answers again; three crashes in a minute close the window, the tray opens a new one', async () => {
    const m = machine('linux');
    writeConfig(m, config());
    const l = await launch(m);
    await running(l);
    const win = l.windows[0]!;
    win.webContents.crash('crashed');
    await waitFor(() => expect(win.webContents.loads).toBe(2));
    expect(logged(m, 'the status window stopped')).toBe(true);
    expect(await call(l, 'state')).toMatchObject({ paused: false });
    win.webContents.crash('oom');
    await waitFor(() => expect(win.webContents.loads).toBe(3));
    win.webContents.crash('crashed');
    await waitFor(() => expect(win.isDestroyed()).toBe(true));
    l.tray!.clickItem('Open Register Bridge');
    await waitFor(() => expect(l.windows[0]?.visible).toBe(true));
    expect(l.windows[0]).not.toBe(win);
  });

  it('quit from the tray: the clean stop (listeners closed, journal closed), the tray goes, the lock is released', async () => {
    const m = machine('linux');
    writeConfig(m, config());
    const l = await launch(m);
    await running(l);
    const port = await listenerPort(l);
    l.tray!.clickItem('Quit');
    expect(await l.exited).toBe(0);
    expect(logged(m, 'journal closed')).toBe(true);
    expect(l.tray).toBeUndefined();
    expect(m.lockHolder).toBeUndefined();
    await expect(NativeClient.open(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('an uncaught exception: no Electron error dialog; the core stops cleanly and a box offers a restart', async () => {
    const m = machine('linux');
    writeConfig(m, config());
    const l = await launch(m);
    await running(l);
    for (const h of l.processHandlers('unhandledRejection')) h(new Error('stray rejection'), Promise.resolve());
    expect(logged(m, /unhandled promise rejection/)).toBe(true);
    expect(l.tray!.tooltip).toBe('Register Bridge — ready');

    const handlers = l.processHandlers('uncaughtException');
    expect(handlers).toHaveLength(1);
    handlers[0]!(new Error('boom'));
    const box = await l.nextMessageBox();
    expect(box.options.message).toMatch(/stopped after an internal error/);
    expect(l.electron.state.errorBoxes).toEqual([]);
    await waitFor(() => expect(logged(m, 'journal closed')).toBe(true));
    expect(l.tray!.tooltip).toMatch(/NOT running/);
    box.choose('Restart Register Bridge');
    expect(await l.exited).toBe(0);
    expect(l.electron.state.relaunches).toHaveLength(1);
  });

  it('an uncaught exception before ready: a plain error box (there is no window yet), exit 1, the lock released', async () => {
    const m = machine('linux');
    const l = new Launch(m, built, {}).start();
    expect(m.lockHolder).toBe(l);
    l.processHandlers('uncaughtException')[0]!(new Error('early'));
    expect(await l.exited).toBe(1);
    expect(l.electron.state.errorBoxes).toEqual([
      { title: 'Register Bridge', content: 'Register Bridge could not start: early' },
    ]);
    expect(m.lockHolder).toBeUndefined();
  });

  it('safeStorage unavailable: a typed secret is refused with the reason and nothing is written in plain text', async () => {
    const m = machine('linux', false);
    writeConfig(m, config());
    const l = await launch(m);
    await running(l);
    const before = readFileSync(configFile(m), 'utf8');
    const next = {
      ...config(),
      listeners: [
        {
          id: 'pos',
          protocol: 'native',
          transport: { type: 'tcp', host: '127.0.0.1', port: 0 },
          token: 'register-token-6f1e-8a9b0c1d2e3f4a5b',
        },
      ],
    };
    const answer = await (await page(l)).invoke('settingsSave', { config: next });
    expect(answer).toMatchObject({ ok: false, problem: { detail: expect.stringMatching(/offers no encryption/) } });
    expect(readFileSync(configFile(m), 'utf8')).toBe(before);
    expect(existsSync(join(userData(m), 'secrets.json'))).toBe(false);
  });
});

describe('desktop app: Windows', () => {
  /** The Run value the NSIS include writes, for this machine's install folder. */
  function installerEntry(m: FakeMachine): [string, string] {
    const include = readFileSync(join(ROOT, 'build', 'installer.nsh'), 'utf8');
    const write = /WriteRegStr HKCU "\$\{RB_RUN_KEY\}" "([^"]+)" '([^']+)'/.exec(include);
    expect(write).not.toBeNull();
    const name = write![1]!.replace('${APP_ID}', appId);
    const command = write![2]!.replace('$INSTDIR\\${APP_EXECUTABLE_FILENAME}', m.execPath);
    return [name, command];
  }

  it("start at login: the checkbox shows the installer's entry; toggling twice leaves exactly that entry or none; the login start is hidden", async () => {
    const m = machine('win32');
    const [name, command] = installerEntry(m);
    expect(command).toBe(`"${m.execPath}" --hidden`);
    m.runKey.set(name, command);
    writeConfig(m, config());
    // Started by that entry: --hidden, so no window is shown (one exists, hidden, to hear a logoff).
    const l = await launch(m, { args: ['--hidden'] });
    await running(l);
    expect(l.electron.state.appUserModelId).toBe(name);
    expect(l.windows.filter((w) => w.visible)).toEqual([]);
    await waitFor(() => expect(l.windows[0]?.webContents.pageGlobals.registerBridge).toBeDefined());

    const settings = await call<{ config: unknown; startAtLogin: boolean }>(l, 'settingsGet');
    expect(settings.startAtLogin).toBe(true);
    await call(l, 'settingsSave', { config: settings.config, startAtLogin: false });
    expect([...m.runKey]).toEqual([]);
    expect((await call<{ startAtLogin: boolean }>(l, 'settingsGet')).startAtLogin).toBe(false);
    await call(l, 'settingsSave', { config: settings.config, startAtLogin: true });
    expect([...m.runKey]).toEqual([[name, command]]);
    expect((await call<{ startAtLogin: boolean }>(l, 'settingsGet')).startAtLogin).toBe(true);
    await call(l, 'settingsSave', { config: settings.config, startAtLogin: true });
    expect([...m.runKey]).toEqual([[name, command]]);
  });

  it('logoff (session-end, no before-quit): the clean stop runs, also when started hidden at login', async () => {
    const m = machine('win32');
    writeConfig(m, config());
    const l = await launch(m, { args: ['--hidden'] });
    await running(l);
    const quits: string[] = [];
    l.electron.app.on('before-quit', () => quits.push('before-quit'));
    l.electron.state.endSession(['logoff']);
    expect(await l.exited).toBe(0);
    expect(quits).toEqual([]);
    expect(logged(m, 'journal closed')).toBe(true);
    expect(m.logLines().some((x) => x.msg === 'desktop app stopping' && String(x.why).includes('logoff'))).toBe(true);
  });
});

describe('desktop app: macOS and Linux', () => {
  it('macOS: a login-item start stays in the tray (wasOpenedAtLogin); the Dock opens the window (activate); the checkbox sets the login item', async () => {
    const m = machine('darwin');
    writeConfig(m, config());
    m.macLoginItem = true;
    const l = await launch(m, { openedAtLogin: true });
    await running(l);
    expect(l.windows).toEqual([]);
    expect(l.tray!.image.template).toBe(true);
    expect(l.tray!.image.reps.map((r) => r.scaleFactor)).toEqual([1, 2]);
    l.electron.state.activate();
    await waitFor(() => expect(l.windows[0]?.visible).toBe(true));
    const settings = await call<{ config: unknown; startAtLogin: boolean }>(l, 'settingsGet');
    expect(settings.startAtLogin).toBe(true);
    await call(l, 'settingsSave', { config: settings.config, startAtLogin: false });
    expect(m.macLoginItem).toBe(false);
  });

  it('Linux: start at login is an XDG autostart entry that starts the app hidden', async () => {
    const m = machine('linux');
    writeConfig(m, config());
    const l = await launch(m);
    await running(l);
    const file = autostartFile(process.env);
    expect(file).toBe(join(m.home, '.config', 'autostart', 'register-bridge.desktop'));
    const settings = await call<{ config: unknown; startAtLogin: boolean }>(l, 'settingsGet');
    expect(settings.startAtLogin).toBe(false);
    await call(l, 'settingsSave', { config: settings.config, startAtLogin: true });
    const entry = readFileSync(file, 'utf8');
    expect(entry).toMatch(/^\[Desktop Entry\]\nType=Application\n/);
    expect(entry).toContain(`Exec="${m.execPath}" --hidden\n`);
    expect((await call<{ startAtLogin: boolean }>(l, 'settingsGet')).startAtLogin).toBe(true);
    await call(l, 'settingsSave', { config: settings.config, startAtLogin: false });
    expect(existsSync(file)).toBe(false);
  });
});

describe('fake Electron keeps the rules', () => {
  it('refuses APIs before ready, scheme registration after it, a second IPC handler, and Windows-only APIs elsewhere', async () => {
    const m = machine('linux');
    const l = new Launch(m, built, {});
    const e = l.electron;
    expect(() => new e.BrowserWindow({})).toThrow(/before the app is ready/);
    expect(() => e.session.defaultSession).toThrow(/before the app is ready/);
    expect(() => e.app.setAppUserModelId('x')).toThrow(TypeError);
    e.app.emitReady();
    await settle();
    expect(() => e.protocol.registerSchemesAsPrivileged([{ scheme: 'x' }])).toThrow(/before app is ready/);
    e.ipcMain.handle('c', () => 1);
    expect(() => e.ipcMain.handle('c', () => 2)).toThrow(/second handler/);
    expect(() => e.nativeImage.createFromBitmap(Buffer.alloc(10), { width: 16, height: 16 })).toThrow(
      /invalid buffer size/,
    );
    expect(() => e.state.activate()).toThrow(TypeError);
    e.app.exit(0);
  });
});
