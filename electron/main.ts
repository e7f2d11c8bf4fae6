/**
 * The desktop shell's main process: one instance (a second launch focuses the window), the core started through
 * startService, the status window over IPC, a tray icon, start at login, secrets in the OS keychain (safeStorage).
 * Everything else lives in the core (src/), which never imports Electron.
 *
 * Its life: the crash policy and the app:// scheme before `ready`; at `ready` the window (shown at its first
 * ready-to-show, unless this is a start at login) and the tray, then the core. A core that cannot start is shown to
 * the person at the till (start-failure.ts) and in the tray; every way out of the app — the tray's Quit, the OS
 * quitting the app, a Windows logoff or shutdown (`session-end`, where `before-quit` never comes) — runs the same
 * clean stop and releases the single-instance lock.
 */
import { join } from 'node:path';
import {
  app,
  dialog,
  ipcMain,
  protocol,
  safeStorage,
  session,
  type BrowserWindow,
  type RenderProcessGoneDetails,
} from 'electron';
import { LOG_FILE_NAME } from '../src/log/files';
import { createLogger, logOutputs, type Logger } from '../src/log/logger';
import { LogRing } from '../src/status/log-ring';
import { CoreHost } from './core-host';
import { installCrashPolicy } from './crash-policy';
import { registerIpc } from './ipc-main';
import { SafeStorageKeychain } from './keychain';
import { APP_USER_MODEL_ID, loginItemFor } from './login-item';
import { appProtocolHandler } from './protocol';
import { APP_SCHEME, lockDownContents, lockDownSession } from './security';
import { askAboutFailure, describeFailure, openConfigFile } from './start-failure';
import { BridgeTray } from './tray';
import { trayStateOf } from './tray-state';
import { createStatusWindow, focusWindow } from './window';
import { CRASH_WORDS, FAILURE_WORDS, useDesktopLocale } from './words';

/** The command line this process was started with. */
const argv = [...process.argv];
const demo = argv.includes('--demo');
let quitting = false;
let stopping: Promise<void> | undefined;
let win: BrowserWindow | undefined;
let tray: BridgeTray | undefined;
let host: CoreHost | undefined;
let log: Logger | undefined;
let failureBoxOpen = false;
const crashes: number[] = [];

// The Run value that start at login reads and writes is named after the AppUserModelId (login-item.ts).
if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);

installCrashPolicy({ log: () => log, ready: () => app.isReady(), onFatal: (e) => void internalError(e) });

// The app's page is served from app://bridge/ (a standard, secure scheme) instead of file://.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => void showWindow());
  // macOS: the app is opened again from the Dock or Finder while it runs (its window hidden).
  app.on('activate', () => void showWindow());
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
  // The bridge keeps running in the tray with no window open.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    void shutdown('quit');
  });
  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => internalError(e));
}

function showWindow(): BrowserWindow {
  if (!win || win.isDestroyed()) win = openWindow(true);
  focusWindow(win);
  return win;
}

function openWindow(show: boolean): BrowserWindow {
  const w = createStatusWindow({
    preload: join(__dirname, 'preload.cjs'),
    quitting: () => quitting,
    show,
    onRendererGone: rendererGone,
  });
  // Windows logoff or shutdown: Electron emits no before-quit, only session-end on each window, and the process
  // ends soon after. The stop starts right here.
  w.on('session-end', (event) => void shutdown(`session end (${event.reasons.join(', ')})`));
  return w;
}

async function start(): Promise<void> {
  // The tray and the boxes speak the app's language (the operating system's, as Chromium reads it once ready).
  useDesktopLocale(app.getLocale());
  lockDownSession(session.defaultSession);
  protocol.handle(APP_SCHEME, appProtocolHandler(join(app.getAppPath(), 'dist-renderer')));

  const userData = app.getPath('userData');
  // Logs: rotating files in the OS's log folder (Windows %APPDATA%\Register Bridge\logs, macOS ~/Library/Logs/Register
  // Bridge, Linux ~/.config/Register Bridge/logs), stdout, and the Logs view's ring. Level: the config's log.level
  // unless REGISTER_BRIDGE_LOG_LEVEL says otherwise.
  const logFile = join(app.getPath('logs'), LOG_FILE_NAME);
  const logs = new LogRing(2000, logOutputs({ file: logFile, stdout: true }));
  const levelOverride = process.env.REGISTER_BRIDGE_LOG_LEVEL;
  log = createLogger({ level: levelOverride ?? 'info', destination: logs });
  log.info({ logFile }, 'desktop app starting');
  const loginItem = loginItemFor({
    platform: process.platform,
    app,
    argv,
    env: process.env,
    execPath: process.execPath,
  });
  const hidden = loginItem.startedHidden();

  // The window first: it is on screen while the core starts (the journal's recovery can ask the terminal first).
  // On Windows it exists even when hidden, so that a logoff reaches the app (session-end is a window event).
  if (!hidden || process.platform === 'win32') win = openWindow(!hidden);

  const keychain = new SafeStorageKeychain(join(userData, 'secrets.json'), safeStorage);
  host = new CoreHost({
    configFile: join(userData, 'config.json'),
    defaultDataDir: userData,
    demo,
    log,
    logs,
    followConfigLogLevel: levelOverride === undefined,
    keychain,
    loginItem,
    onChange: () => void refreshTray(),
  });
  registerIpc(ipcMain, host.core, () => win?.webContents);
  tray = new BridgeTray({
    open: () => void showWindow(),
    // Resuming starts the core again from the config file: a failure there is shown like one at start-up.
    setPaused: (paused) =>
      void (paused ? host?.pause() : startCore(() => host!.resume()))?.catch((e: unknown) =>
        log?.error({ err: e }, 'pause failed'),
      ),
    showProblem: () => void showFailure(),
    quit: () => app.quit(),
  });
  let pending: NodeJS.Timeout | undefined;
  host.core.on('event', (e) => {
    if (e.type === 'log') return;
    if (pending) clearTimeout(pending);
    pending = setTimeout(() => void refreshTray(), 200);
  });
  await startCore(() => host!.start());
}

/** Runs one start attempt; a failure goes to the tray and to the person at the till. */
async function startCore(attempt: () => Promise<void>): Promise<void> {
  try {
    await attempt();
  } catch (e) {
    log?.error({ err: e }, 'the bridge could not start');
    await showFailure();
  }
}

/** The start-failure box, until the bridge runs or the app quits (one box at a time). */
async function showFailure(): Promise<void> {
  if (failureBoxOpen || quitting) return;
  const h = host;
  const failure = h?.failure;
  if (!h || !failure) return;
  failureBoxOpen = true;
  let choice;
  try {
    choice = await askAboutFailure({
      failure,
      configFile: join(app.getPath('userData'), 'config.json'),
      lastGoodFile: h.lastGoodFile,
      offerDemo: !h.demoMode,
    });
  } finally {
    failureBoxOpen = false;
  }
  if (quitting) return;
  switch (choice) {
    case 'quit':
      return app.quit();
    case 'openConfig': {
      const error = await openConfigFile(join(app.getPath('userData'), 'config.json'));
      if (error) log?.warn({ error }, 'the config file could not be opened');
      return showFailure();
    }
    case 'restore':
      if (!h.restoreLastGood()) log?.warn(FAILURE_WORDS.noLastGood);
      return startCore(() => h.start());
    case 'demo':
      return startCore(() => h.startDemo());
    default:
      return startCore(() => h.start());
  }
}

async function refreshTray(): Promise<void> {
  if (!host || !tray) return;
  const failure = host.failure;
  if (failure) return tray.update('failed', false, FAILURE_WORDS.short[describeFailure(failure).kind]);
  const s = await host.core.state();
  tray.update(trayStateOf(s), s.paused);
}

/**
 * The page's renderer process is gone: reload it (the core runs in this process and lost nothing). Three crashes
 * within a minute close the window instead; the tray opens a fresh one.
 */
function rendererGone(w: BrowserWindow, details: RenderProcessGoneDetails): void {
  log?.error({ reason: details.reason, exitCode: details.exitCode }, 'the status window stopped');
  if (details.reason === 'clean-exit' || quitting || w.isDestroyed()) return;
  const now = Date.now();
  crashes.push(now);
  while (crashes.length > 0 && crashes[0]! < now - 60_000) crashes.shift();
  if (crashes.length >= 3) {
    log?.error('the status window stopped three times within a minute; it is closed until opened from the tray');
    w.destroy();
    return;
  }
  w.webContents.reload();
}

/**
 * An error nothing caught (crash-policy.ts): stop the core cleanly (the journal is consistent and registers are
 * refused rather than left waiting), show the failed state in the tray and a box to restart — never Electron's own
 * modal error dialog. Before `ready` there is nothing to show it in but a plain error box.
 */
async function internalError(e: unknown): Promise<void> {
  const reason = e instanceof Error ? e.message : String(e);
  if (!app.isReady()) {
    dialog.showErrorBox(CRASH_WORDS.title, CRASH_WORDS.early(reason));
    releaseAndExit(1);
    return;
  }
  if (quitting) return;
  await host?.stop().catch((err: unknown) => log?.error({ err }, 'error while stopping after an internal error'));
  tray?.update('failed', false, CRASH_WORDS.short);
  const { response } = await dialog.showMessageBox({
    type: 'error',
    title: CRASH_WORDS.title,
    message: CRASH_WORDS.message,
    detail: CRASH_WORDS.detail(reason),
    buttons: [CRASH_WORDS.restart, CRASH_WORDS.quit],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  });
  if (response === 0) app.relaunch();
  await shutdown('internal error');
}

/** The one clean stop: core (listeners, terminals, journal), tray, the single-instance lock, then exit. */
function shutdown(why: string): Promise<void> {
  quitting = true;
  stopping ??= (async () => {
    log?.info({ why }, 'desktop app stopping');
    try {
      await host?.stop();
    } catch (e) {
      log?.error({ err: e }, 'error while stopping');
    } finally {
      tray?.destroy();
      releaseAndExit(0);
    }
  })();
  return stopping;
}

function releaseAndExit(code: number): void {
  app.releaseSingleInstanceLock();
  app.exit(code);
}
