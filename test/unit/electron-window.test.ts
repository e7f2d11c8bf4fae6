/**
 * The desktop shell's window and lockdown, with Electron mocked (its runtime cannot run here): the BrowserWindow's
 * web preferences, closing hides to the tray, navigation / new windows / webviews / permissions are refused, the
 * CSP is set on every answer, and a second launch focuses the one window.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Handler = (...args: unknown[]) => unknown;

const electron = vi.hoisted(() => {
  class FakeContents {
    handlers = new Map<string, Handler[]>();
    windowOpenHandler: Handler | undefined;
    on(event: string, fn: Handler): this {
      this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
      return this;
    }
    setWindowOpenHandler(fn: Handler): void {
      this.windowOpenHandler = fn;
    }
    emit(event: string, ...args: unknown[]): void {
      for (const fn of this.handlers.get(event) ?? []) fn(...args);
    }
    isDestroyed(): boolean {
      return false;
    }
    send = (): void => undefined;
  }
  class BrowserWindow {
    static created: BrowserWindow[] = [];
    readonly webContents = new FakeContents();
    readonly handlers = new Map<string, Handler[]>();
    shown = 0;
    focused = 0;
    hidden = 0;
    loaded: string | undefined;
    constructor(readonly options: Record<string, unknown>) {
      BrowserWindow.created.push(this);
    }
    on(event: string, fn: Handler): this {
      this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
      return this;
    }
    once(event: string, fn: Handler): this {
      return this.on(event, fn);
    }
    emit(event: string, ...args: unknown[]): void {
      for (const fn of this.handlers.get(event) ?? []) fn(...args);
    }
    async loadURL(url: string): Promise<void> {
      this.loaded = url;
    }
    show(): void {
      this.shown++;
    }
    hide(): void {
      this.hidden++;
    }
    focus(): void {
      this.focused++;
    }
    isMinimized(): boolean {
      return false;
    }
    restore(): void {}
    isDestroyed(): boolean {
      return false;
    }
  }
  const appHandlers = new Map<string, Handler>();
  const app = {
    lock: true,
    quit: vi.fn(),
    exit: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => app.lock),
    on: vi.fn((event: string, fn: Handler) => void appHandlers.set(event, fn)),
    // Never ready: these tests look at what happens before start-up.
    whenReady: vi.fn(() => new Promise(() => undefined)),
    getPath: vi.fn(() => '/tmp'),
    getAppPath: vi.fn(() => '/app'),
  };
  return {
    BrowserWindow,
    FakeContents,
    app,
    appHandlers,
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
    safeStorage: { isEncryptionAvailable: () => false, encryptString: vi.fn(), decryptString: vi.fn() },
    session: { defaultSession: {} },
    Menu: { buildFromTemplate: vi.fn() },
    Tray: vi.fn(),
    nativeImage: { createFromBitmap: vi.fn() },
  };
});

vi.mock('electron', () => ({ ...electron, default: electron }));

import { createStatusWindow } from '../../electron/window';
import { APP_CSP, APP_START_URL, isAppUrl, lockDownContents, lockDownSession } from '../../electron/security';

beforeEach(() => {
  electron.BrowserWindow.created.length = 0;
});

describe('status window', () => {
  it('is isolated, sandboxed, without Node, with web security, and loads only the app page', () => {
    const win = createStatusWindow({
      preload: '/app/dist-electron/preload.cjs',
      quitting: () => false,
      show: true,
    }) as unknown as InstanceType<typeof electron.BrowserWindow>;
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      preload: '/app/dist-electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(String(prefs.disableBlinkFeatures)).toContain('Auxclick');
    expect(win.loaded).toBe(APP_START_URL);
    expect(win.options.minWidth).toBe(1024);
    expect(win.options.minHeight).toBe(600);
  });

  it('hides to the tray when closed, and closes when the app quits', () => {
    let quitting = false;
    const win = createStatusWindow({ preload: 'p', quitting: () => quitting, show: true }) as unknown as InstanceType<
      typeof electron.BrowserWindow
    >;
    const first = { preventDefault: vi.fn() };
    win.emit('close', first);
    expect(first.preventDefault).toHaveBeenCalled();
    expect(win.hidden).toBe(1);
    quitting = true;
    const second = { preventDefault: vi.fn() };
    win.emit('close', second);
    expect(second.preventDefault).not.toHaveBeenCalled();
  });
});

describe('lockdown', () => {
  it('refuses navigation away from the app, new windows and webviews', () => {
    const contents = new electron.FakeContents();
    lockDownContents(contents as never);
    const away = { preventDefault: vi.fn() };
    contents.emit('will-navigate', away, 'https://example.com/');
    expect(away.preventDefault).toHaveBeenCalled();
    const file = { preventDefault: vi.fn() };
    contents.emit('will-navigate', file, 'file:///etc/passwd');
    expect(file.preventDefault).toHaveBeenCalled();
    const inside = { preventDefault: vi.fn() };
    contents.emit('will-navigate', inside, 'app://bridge/index.html#/journal');
    expect(inside.preventDefault).not.toHaveBeenCalled();
    const redirect = { preventDefault: vi.fn() };
    contents.emit('will-redirect', redirect, 'http://127.0.0.1:1/');
    expect(redirect.preventDefault).toHaveBeenCalled();
    const webview = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    expect(contents.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://bridge/index.html' })).toEqual({ action: 'deny' });
  });

  it('knows the app by scheme and host only', () => {
    expect(isAppUrl('app://bridge/index.html')).toBe(true);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('https://bridge/index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('denies every permission and puts the strict CSP on every answer', () => {
    let permission: Handler | undefined;
    let check: Handler | undefined;
    let headers: Handler | undefined;
    const session = {
      setPermissionRequestHandler: (fn: Handler) => (permission = fn),
      setPermissionCheckHandler: (fn: Handler) => (check = fn),
      webRequest: { onHeadersReceived: (fn: Handler) => (headers = fn) },
    };
    lockDownSession(session as never);
    const granted = vi.fn();
    permission?.({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(check?.({}, 'notifications')).toBe(false);
    const answered = vi.fn();
    headers?.({ responseHeaders: { 'X-Other': ['1'] } }, answered);
    const sent = answered.mock.calls[0]![0] as { responseHeaders: Record<string, string[]> };
    expect(sent.responseHeaders['X-Other']).toEqual(['1']);
    expect(sent.responseHeaders['Content-Security-Policy']).toEqual([APP_CSP]);
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).not.toContain('unsafe');
  });
});

describe('single instance', () => {
  it('a second launch quits at once when another instance holds the lock', async () => {
    vi.resetModules();
    electron.app.lock = false;
    electron.app.quit.mockClear();
    await import('../../electron/main');
    expect(electron.app.quit).toHaveBeenCalled();
    expect(electron.app.whenReady).not.toHaveBeenCalled();
  });

  it('the running instance focuses its one window when launched again', async () => {
    vi.resetModules();
    electron.app.lock = true;
    electron.app.quit.mockClear();
    electron.appHandlers.clear();
    await import('../../electron/main');
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ secure: true, standard: true }) }),
    ]);
    const second = electron.appHandlers.get('second-instance');
    expect(second).toBeTypeOf('function');
    second!();
    // Not shown before its page is ready (no white flash); shown at ready-to-show.
    expect(electron.BrowserWindow.created[0]!.shown).toBe(0);
    electron.BrowserWindow.created[0]!.emit('ready-to-show');
    second!();
    expect(electron.BrowserWindow.created).toHaveLength(1);
    expect(electron.BrowserWindow.created[0]!.focused).toBe(2);
    // Closing every window keeps the app (and the bridge) running in the tray.
    expect(electron.appHandlers.get('window-all-closed')?.()).toBeUndefined();
    expect(electron.app.quit).not.toHaveBeenCalled();
  });
});
