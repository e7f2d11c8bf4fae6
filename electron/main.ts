/**
 * The desktop shell's main process: one instance (a second launch focuses the window), the core started through
 * startService, the status window over IPC, a tray icon, start at login, secrets in the OS keychain (safeStorage).
 * Everything else lives in the core (src/), which never imports Electron.
 */
import { join } from 'node:path';
import { app, ipcMain, protocol, safeStorage, session, type BrowserWindow } from 'electron';
import { LOG_FILE_NAME } from '../src/log/files';
import { createLogger, logOutputs } from '../src/log/logger';
import { LogRing } from '../src/status/log-ring';
import { CoreHost } from './core-host';
import { registerIpc } from './ipc-main';
import { SafeStorageKeychain } from './keychain';
import { appProtocolHandler } from './protocol';
import { APP_SCHEME, lockDownContents, lockDownSession } from './security';
import { BridgeTray } from './tray';
import { trayStateOf } from './tray-state';
import { createStatusWindow, focusWindow } from './window';

const demo = process.argv.includes('--demo');
let quitting = false;
let win: BrowserWindow | undefined;
let tray: BridgeTray | undefined;
let host: CoreHost | undefined;

// The app's page is served from app://bridge/ (a standard, secure scheme) instead of file://.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => void showWindow());
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
  // The bridge keeps running in the tray with no window open.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void shutdown();
  });
  app.whenReady().then(start, (e: unknown) => fatal(e));
}

function showWindow(): BrowserWindow {
  if (!win || win.isDestroyed()) {
    win = createStatusWindow({ preload: join(__dirname, 'preload.cjs'), quitting: () => quitting });
  }
  focusWindow(win);
  return win;
}

async function start(): Promise<void> {
  lockDownSession(session.defaultSession);
  protocol.handle(APP_SCHEME, appProtocolHandler(join(app.getAppPath(), 'dist-renderer')));

  const userData = app.getPath('userData');
  // Logs: rotating files in the OS's log folder (Windows %APPDATA%\Register Bridge\logs, macOS ~/Library/Logs/Register
  // Bridge, Linux ~/.config/Register Bridge/logs), stdout, and the Logs view's ring. Level: the config's log.level
  // unless REGISTER_BRIDGE_LOG_LEVEL says otherwise.
  const logFile = join(app.getPath('logs'), LOG_FILE_NAME);
  const logs = new LogRing(2000, logOutputs({ file: logFile, stdout: true }));
  const levelOverride = process.env.REGISTER_BRIDGE_LOG_LEVEL;
  const log = createLogger({ level: levelOverride ?? 'info', destination: logs });
  log.info({ logFile }, 'desktop app starting');
  const keychain = new SafeStorageKeychain(join(userData, 'secrets.json'), safeStorage);
  host = new CoreHost({
    configFile: join(userData, 'config.json'),
    defaultDataDir: userData,
    demo,
    log,
    logs,
    followConfigLogLevel: levelOverride === undefined,
    keychain,
    loginItem: {
      get: () => app.getLoginItemSettings().openAtLogin,
      // Started at login the app goes straight to the tray (--hidden); Windows passes the args, macOS/Linux ignore them.
      set: (on) => app.setLoginItemSettings({ openAtLogin: on, args: ['--hidden'] }),
    },
    onChange: () => void refreshTray(),
  });
  registerIpc(ipcMain, host.core, () => win?.webContents);
  tray = new BridgeTray({
    open: () => void showWindow(),
    setPaused: (paused) => void (paused ? host?.pause() : host?.resume())?.catch((e: unknown) => log.error({ err: e }, 'pause/resume failed')),
    quit: () => app.quit(),
  }, app.getLocale());
  let pending: NodeJS.Timeout | undefined;
  host.core.on('event', (e) => {
    if (e.type === 'log') return;
    if (pending) clearTimeout(pending);
    pending = setTimeout(() => void refreshTray(), 200);
  });
  try {
    await host.start();
  } catch (e) {
    log.error({ err: e }, 'the bridge could not start; fix the settings and resume');
  }
  if (!process.argv.includes('--hidden')) showWindow();
}

async function refreshTray(): Promise<void> {
  if (!host || !tray) return;
  const s = await host.core.state();
  tray.update(trayStateOf(s), s.paused);
}

async function shutdown(): Promise<void> {
  try {
    await host?.stop();
  } finally {
    tray?.destroy();
    app.exit(0);
  }
}

function fatal(e: unknown): void {
  process.stderr.write(`register-bridge: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  app.exit(1);
}
