/**
 * A recording stand-in for the `electron` module, as the main process of one launch sees it. It keeps Electron's
 * rules, so that a main process that breaks them fails here as it would in the real app:
 *
 * - APIs that need `ready` throw before it (BrowserWindow, Tray, protocol.handle, session.defaultSession,
 *   dialog.showMessageBox, safeStorage); protocol.registerSchemesAsPrivileged throws after it.
 * - One handler per IPC channel (Electron's own "Attempted to register a second handler" error).
 * - Platform-only APIs follow the stubbed process.platform: app.setAppUserModelId exists on Windows only; the
 *   login-item API writes the Run key on Windows (value named after the AppUserModelId, the whole command line
 *   compared, as Electron does), login items on macOS (`wasOpenedAtLogin`), and does nothing on Linux; `activate`
 *   is a macOS event and `session-end` a Windows one.
 * - nativeImage.createFromBitmap takes width × height × 4 bytes, like Electron.
 * - After app.exit() the process is gone: calls are ignored and nothing is emitted.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Launch } from './launch';

export class LifecycleError extends Error {}

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

function fakeEvent<T extends object>(extra?: T): FakeEvent & T {
  const e = {
    defaultPrevented: false,
    preventDefault: () => void (e.defaultPrevented = true),
    ...(extra ?? ({} as T)),
  };
  return e;
}

export interface ImageRep {
  readonly scaleFactor: number;
  readonly width: number;
  readonly height: number;
  readonly buffer: Buffer;
}

export class FakeImage {
  readonly reps: ImageRep[] = [];
  template = false;
  addRepresentation(o: { scaleFactor: number; width: number; height: number; buffer: Buffer }): void {
    if (o.buffer.length !== o.width * o.height * 4) throw new Error('invalid buffer size');
    this.reps.push({ scaleFactor: o.scaleFactor, width: o.width, height: o.height, buffer: o.buffer });
  }
  setTemplateImage(on: boolean): void {
    this.template = on;
  }
  isTemplateImage(): boolean {
    return this.template;
  }
  getSize(): { width: number; height: number } {
    return { width: this.reps[0]?.width ?? 0, height: this.reps[0]?.height ?? 0 };
  }
}

export interface MenuItem {
  label?: string;
  type?: string;
  checked?: boolean;
  enabled?: boolean;
  click?: (item: { checked: boolean }) => void;
}

export interface FakeMessageBox {
  readonly options: {
    type?: string;
    title?: string;
    message: string;
    detail?: string;
    buttons: string[];
    defaultId?: number;
    cancelId?: number;
  };
  readonly parent: unknown;
  /** Answers the box as if `label` was clicked. */
  choose(label: string): void;
  /** Closes the box with Escape (its cancelId). */
  dismiss(): void;
}

type Listener = (...args: unknown[]) => void;

export type FakeElectron = ReturnType<typeof createFakeElectron>;
export type FakeBrowserWindow = InstanceType<FakeElectron['BrowserWindow']>;
export type FakeTray = InstanceType<FakeElectron['Tray']>;

export function createFakeElectron(launch: Launch) {
  const machine = launch.machine;
  let isReady = false;
  let exited = false;
  let resolveReady!: () => void;
  const whenReady = new Promise<void>((r) => (resolveReady = r));
  const privileged = new Set<string>();
  const protocolHandlers = new Map<string, (req: Request) => Promise<Response> | Response>();
  const ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const messageBoxes: FakeMessageBox[] = [];
  const boxWaiters: Array<(b: FakeMessageBox) => void> = [];
  const errorBoxes: Array<{ title: string; content: string }> = [];
  const openedPaths: string[] = [];
  const relaunches: unknown[] = [];
  const windows: FakeBrowserWindowImpl[] = [];
  const trays: FakeTrayImpl[] = [];
  let handed = 0;
  let appUserModelId: string | undefined;
  const pkg = JSON.parse(readFileSync(join(launch.app.appPath, 'package.json'), 'utf8')) as {
    name: string;
    productName?: string;
  };
  const appName = pkg.productName ?? pkg.name;

  const needsReady = (what: string): void => {
    if (!isReady) throw new LifecycleError(`${what} cannot be used before the app is ready`);
  };
  const platformOnly = (what: string, platform: string): void => {
    if (machine.platform !== platform) throw new TypeError(`${what} is not a function (it exists on ${platform} only)`);
  };

  class FakeWebContents extends EventEmitter {
    url = '';
    readonly sent: Array<[string, unknown[]]> = [];
    windowOpenHandler: ((d: { url: string }) => unknown) | undefined;
    destroyed = false;
    /** The page's globals exposed by the preload (window.registerBridge …); empty while no page runs. */
    pageGlobals: Record<string, unknown> = {};
    private rendererListeners = new Map<string, Listener[]>();
    loads = 0;

    constructor(readonly owner: FakeBrowserWindowImpl) {
      super();
    }
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      return exited ? false : super.emit(event, ...args);
    }
    setWindowOpenHandler(fn: (d: { url: string }) => unknown): void {
      this.windowOpenHandler = fn;
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
    getURL(): string {
      return this.url;
    }
    send(channel: string, ...args: unknown[]): void {
      if (exited) return;
      if (this.destroyed) throw new LifecycleError('Object has been destroyed');
      this.sent.push([channel, args]);
      for (const l of this.rendererListeners.get(channel) ?? []) l({ sender: this }, ...args);
    }
    reload(): void {
      if (exited) return;
      void this.render(this.url);
    }
    /** What the renderer would do for `url`: fetch it through the app's protocol, run the preload, finish loading. */
    async render(url: string): Promise<void> {
      this.url = url;
      this.pageGlobals = {};
      this.rendererListeners = new Map();
      const res = await fetchUrl(url);
      this.lastPage = { status: res.status, csp: res.headers.get('content-security-policy'), html: await res.text() };
      if (res.status !== 200) throw new Error(`ERR_FILE_NOT_FOUND (${url})`);
      const preload = (this.owner.options.webPreferences as { preload?: string } | undefined)?.preload;
      if (preload) launch.loadPreload(this.rendererElectron());
      this.loads++;
      this.emit('did-finish-load');
    }
    lastPage: { status: number; csp: string | null; html: string } | undefined;

    /** The `electron` module as the preload sees it: contextBridge and ipcRenderer wired to the main process. */
    private rendererElectron(): unknown {
      return {
        contextBridge: {
          exposeInMainWorld: (name: string, api: unknown) => void (this.pageGlobals[name] = api),
        },
        ipcRenderer: {
          invoke: async (channel: string, ...args: unknown[]) => {
            const handler = ipcHandlers.get(channel);
            if (!handler)
              throw new Error(
                `Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`,
              );
            // Electron passes the answer through the structured clone algorithm.
            return structuredClone(
              await handler({ sender: this, senderFrame: { url: this.url } }, ...args.map((a) => structuredClone(a))),
            );
          },
          on: (channel: string, l: Listener) =>
            void this.rendererListeners.set(channel, [...(this.rendererListeners.get(channel) ?? []), l]),
          removeListener: (channel: string, l: Listener) =>
            void this.rendererListeners.set(
              channel,
              (this.rendererListeners.get(channel) ?? []).filter((x) => x !== l),
            ),
        },
      };
    }
    /** The renderer process dies (`reason`: crashed, killed, oom …). */
    crash(reason = 'crashed', exitCode = 139): void {
      this.pageGlobals = {};
      this.rendererListeners = new Map();
      this.emit('render-process-gone', fakeEvent(), { reason, exitCode });
    }
  }

  class FakeBrowserWindowImpl extends EventEmitter {
    readonly webContents: FakeWebContents;
    visible = false;
    shows = 0;
    focuses = 0;
    destroyed = false;
    minimized = false;
    private readyShown = false;

    constructor(readonly options: Record<string, unknown>) {
      super();
      if (exited) throw new LifecycleError('the app has exited');
      needsReady('new BrowserWindow()');
      this.webContents = new FakeWebContents(this);
      windows.push(this);
      launch.timeline.push('window created');
      // In the log's order too: what the core had logged before the window existed.
      machine.stdout.push('# window created\n');
      app.emit('web-contents-created', fakeEvent(), this.webContents);
    }
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      return exited ? false : super.emit(event, ...args);
    }
    async loadURL(url: string): Promise<void> {
      if (exited) return;
      await this.webContents.render(url);
      if (!this.readyShown && !this.destroyed) {
        this.readyShown = true;
        launch.timeline.push('ready-to-show');
        this.emit('ready-to-show');
      }
    }
    show(): void {
      if (exited) return;
      if (this.destroyed) throw new LifecycleError('Object has been destroyed');
      this.visible = true;
      this.shows++;
      launch.timeline.push(this.readyShown ? 'window shown' : 'window shown BEFORE ready-to-show');
    }
    hide(): void {
      if (!exited && !this.destroyed) this.visible = false;
    }
    focus(): void {
      if (!exited && !this.destroyed) this.focuses++;
    }
    isVisible(): boolean {
      return this.visible;
    }
    isMinimized(): boolean {
      return this.minimized;
    }
    restore(): void {
      this.minimized = false;
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
    destroy(): void {
      if (this.destroyed) return;
      this.destroyed = true;
      this.visible = false;
      this.webContents.destroyed = true;
      this.emit('closed');
    }
    /** The user (or app.quit) closes the window: 'close' may be prevented (hide to the tray). */
    close(): boolean {
      const e = fakeEvent();
      this.emit('close', e);
      if (e.defaultPrevented) return false;
      this.destroy();
      return true;
    }
  }

  class FakeTrayImpl extends EventEmitter {
    image: FakeImage;
    tooltip = '';
    menu: MenuItem[] = [];
    destroyed = false;
    constructor(image: FakeImage) {
      super();
      needsReady('new Tray()');
      this.image = image;
      trays.push(this);
    }
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      return exited ? false : super.emit(event, ...args);
    }
    private alive(): boolean {
      if (exited) return false;
      if (this.destroyed) throw new LifecycleError('Object has been destroyed');
      return true;
    }
    setImage(image: FakeImage): void {
      if (this.alive()) this.image = image;
    }
    setToolTip(text: string): void {
      if (this.alive()) this.tooltip = text;
    }
    setContextMenu(menu: { items: MenuItem[] }): void {
      if (this.alive()) this.menu = menu.items;
    }
    destroy(): void {
      this.destroyed = true;
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
    /** Clicks the menu item with `label`. */
    clickItem(label: string): void {
      const item = this.menu.find((m) => m.label === label);
      if (!item) throw new Error(`no tray menu item "${label}" in ${JSON.stringify(this.menu.map((m) => m.label))}`);
      if (item.enabled === false) throw new Error(`tray menu item "${label}" is disabled`);
      item.click?.({ checked: item.type === 'checkbox' ? !item.checked : false });
    }
  }

  async function fetchUrl(url: string): Promise<Response> {
    const scheme = new URL(url).protocol.replace(/:$/, '');
    const handler = protocolHandlers.get(scheme);
    if (!handler) throw new Error(`ERR_UNKNOWN_URL_SCHEME (${url})`);
    return handler(new Request(url));
  }

  const commandLine = (path: string | undefined, args: readonly string[] | undefined): string =>
    `"${path ?? machine.execPath}"${args && args.length > 0 ? ` ${args.join(' ')}` : ''}`;
  const runValueName = (): string => appUserModelId ?? `electron.app.${appName}`;

  class FakeApp extends EventEmitter {
    readonly isPackaged = true;
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      return exited ? false : super.emit(event, ...args);
    }
    emitReady(): void {
      if (isReady || exited) return;
      isReady = true;
      launch.timeline.push('ready');
      this.emit('ready', fakeEvent(), {});
      resolveReady();
    }
    whenReady(): Promise<void> {
      return whenReady;
    }
    isReady(): boolean {
      return isReady;
    }
    getName(): string {
      return appName;
    }
    getLocale(): string {
      return machine.locale;
    }
    getAppPath(): string {
      return launch.app.appPath;
    }
    getPath(name: string): string {
      switch (name) {
        case 'appData':
          return machine.appFolder('appData', appName);
        case 'userData':
          return join(machine.appFolder('appData', appName), appName);
        case 'logs':
          return machine.appFolder('logs', appName);
        case 'home':
          return machine.home;
        default:
          throw new Error(`Failed to get '${name}' path`);
      }
    }
    requestSingleInstanceLock(): boolean {
      const holder = machine.lockHolder;
      if (holder && holder !== launch && holder.exitCode === undefined) {
        // The running instance hears of the second launch; this one must quit.
        setImmediate(() => holder.electron.app.emit('second-instance', fakeEvent(), [...launch.argv], '/'));
        return false;
      }
      machine.lockHolder = launch;
      return true;
    }
    hasSingleInstanceLock(): boolean {
      return machine.lockHolder === launch;
    }
    releaseSingleInstanceLock(): void {
      if (machine.lockHolder === launch) machine.lockHolder = undefined;
    }
    quit(): void {
      if (exited) return;
      const e = fakeEvent();
      this.emit('before-quit', e);
      if (e.defaultPrevented) return;
      for (const w of windows) if (!w.isDestroyed() && !w.close()) return;
      const wq = fakeEvent();
      this.emit('will-quit', wq);
      if (wq.defaultPrevented) return;
      this.emit('quit', fakeEvent(), 0);
      this.exit(0);
    }
    exit(code = 0): void {
      if (exited) return;
      exited = true;
      // The process ends: its lock goes with it.
      if (machine.lockHolder === launch) machine.lockHolder = undefined;
      launch.markExited(code);
    }
    relaunch(options?: unknown): void {
      relaunches.push(options ?? {});
    }
    setAppUserModelId(id: string): void {
      platformOnly('app.setAppUserModelId', 'win32');
      appUserModelId = id;
    }
    getLoginItemSettings(options?: { args?: string[]; path?: string }): Record<string, unknown> {
      if (machine.platform === 'win32') {
        const value = machine.runKey.get(runValueName());
        const path = options?.path ?? machine.execPath;
        return {
          openAtLogin: value === commandLine(path, options?.args),
          executableWillLaunchAtLogin: value !== undefined && value.startsWith(`"${path}"`),
          launchItems:
            value === undefined
              ? []
              : [
                  {
                    name: runValueName(),
                    path,
                    args: value.slice(`"${path}"`.length).trim().split(' ').filter(Boolean),
                    scope: 'user',
                    enabled: true,
                  },
                ],
        };
      }
      if (machine.platform === 'darwin') {
        return {
          openAtLogin: machine.macLoginItem,
          wasOpenedAtLogin: launch.options.openedAtLogin === true,
          status: machine.macLoginItem ? 'enabled' : 'not-registered',
        };
      }
      // Linux: Electron's login items are not supported there.
      return { openAtLogin: false, executableWillLaunchAtLogin: false, launchItems: [] };
    }
    setLoginItemSettings(s: { openAtLogin?: boolean; args?: string[]; path?: string; name?: string }): void {
      if (machine.platform === 'win32') {
        const name = s.name ?? runValueName();
        if (s.openAtLogin) machine.runKey.set(name, commandLine(s.path, s.args));
        else machine.runKey.delete(name);
      } else if (machine.platform === 'darwin') {
        machine.macLoginItem = s.openAtLogin === true;
      }
    }
  }

  const app = new FakeApp();
  const defaultSession = {
    permissionRequestHandler: undefined as unknown,
    permissionCheckHandler: undefined as unknown,
    headersHandler: undefined as unknown,
    setPermissionRequestHandler(fn: unknown) {
      this.permissionRequestHandler = fn;
    },
    setPermissionCheckHandler(fn: unknown) {
      this.permissionCheckHandler = fn;
    },
    webRequest: {
      onHeadersReceived: (fn: unknown) => void (defaultSession.headersHandler = fn),
    },
  };

  const module = {
    app,
    BrowserWindow: FakeBrowserWindowImpl,
    Tray: FakeTrayImpl,
    Menu: { buildFromTemplate: (items: MenuItem[]) => ({ items }) },
    nativeImage: {
      createFromBitmap(buffer: Buffer, o: { width: number; height: number; scaleFactor?: number }): FakeImage {
        const image = new FakeImage();
        image.addRepresentation({ scaleFactor: o.scaleFactor ?? 1, width: o.width, height: o.height, buffer });
        return image;
      },
    },
    protocol: {
      registerSchemesAsPrivileged(schemes: Array<{ scheme: string }>): void {
        if (isReady)
          throw new LifecycleError('protocol.registerSchemesAsPrivileged should be called before app is ready');
        for (const s of schemes) privileged.add(s.scheme);
      },
      handle(scheme: string, handler: (req: Request) => Promise<Response>): void {
        needsReady('protocol.handle()');
        if (protocolHandlers.has(scheme)) throw new Error(`The scheme has been handled: ${scheme}`);
        protocolHandlers.set(scheme, handler);
      },
    },
    ipcMain: {
      handle(channel: string, fn: (event: unknown, ...args: unknown[]) => unknown): void {
        if (ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        ipcHandlers.set(channel, fn);
      },
      removeHandler(channel: string): void {
        ipcHandlers.delete(channel);
      },
    },
    get session() {
      return {
        get defaultSession() {
          needsReady('session.defaultSession');
          return defaultSession;
        },
      };
    },
    safeStorage: {
      isEncryptionAvailable(): boolean {
        needsReady('safeStorage');
        return machine.encryptionAvailable;
      },
      encryptString(text: string): Buffer {
        needsReady('safeStorage');
        if (!machine.encryptionAvailable)
          throw new Error(
            'Error while encrypting the text provided to safeStorage.encryptString. Encryption is not available.',
          );
        return Buffer.concat([Buffer.from('v10'), Buffer.from(Buffer.from(text, 'utf8').map((b) => b ^ 0x5a))]);
      },
      decryptString(data: Buffer): string {
        needsReady('safeStorage');
        if (!machine.encryptionAvailable)
          throw new Error(
            'Error while decrypting the ciphertext provided to safeStorage.decryptString. Decryption is not available.',
          );
        return Buffer.from(data.subarray(3).map((b) => b ^ 0x5a)).toString('utf8');
      },
    },
    dialog: {
      showMessageBox(a: unknown, b?: unknown): Promise<{ response: number; checkboxChecked: boolean }> {
        needsReady('dialog.showMessageBox()');
        const [parent, options] =
          b === undefined ? [undefined, a as FakeMessageBox['options']] : [a, b as FakeMessageBox['options']];
        return new Promise((resolve) => {
          const box: FakeMessageBox = {
            options,
            parent,
            choose(label) {
              const i = options.buttons.indexOf(label);
              if (i < 0) throw new Error(`no button "${label}" in ${JSON.stringify(options.buttons)}`);
              resolve({ response: i, checkboxChecked: false });
            },
            dismiss: () => resolve({ response: options.cancelId ?? 0, checkboxChecked: false }),
          };
          messageBoxes.push(box);
          const waiter = boxWaiters.shift();
          if (waiter) waiter(box);
        });
      },
      showErrorBox(title: string, content: string): void {
        errorBoxes.push({ title, content });
      },
    },
    shell: {
      openPath: async (path: string) => {
        openedPaths.push(path);
        return '';
      },
    },
    /** Test-side state and controls (not part of Electron's API). */
    state: {
      windows,
      trays,
      messageBoxes,
      errorBoxes,
      openedPaths,
      relaunches,
      ipcHandlers,
      privileged,
      defaultSession,
      get appUserModelId() {
        return appUserModelId;
      },
      fetch: fetchUrl,
      /** The next message box not yet handed out (waits for it). */
      nextMessageBox(): Promise<FakeMessageBox> {
        const index = handed++;
        if (messageBoxes.length > index) return Promise.resolve(messageBoxes[index]!);
        return new Promise((r) => boxWaiters.push(r));
      },
      /** macOS: the Dock icon or Finder opens the running app. */
      activate(): void {
        platformOnly("app 'activate'", 'darwin');
        app.emit('activate', fakeEvent(), false);
      },
      /** Windows: the user logs off or the machine shuts down; only the windows hear of it, then the process ends. */
      endSession(reasons: string[]): void {
        platformOnly("BrowserWindow 'session-end'", 'win32');
        for (const w of windows) if (!w.isDestroyed()) w.emit('session-end', fakeEvent({ reasons }));
      },
    },
  };
  return module;
}
