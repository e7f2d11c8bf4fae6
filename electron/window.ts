/**
 * The status window: hardened web preferences, the app's own page only, and closing hides it to the tray.
 * It is created hidden and shown at its first `ready-to-show` (no white flash), and only when someone asked for it:
 * a start at login keeps it hidden until the tray or a second launch opens it.
 */
import { BrowserWindow, type RenderProcessGoneDetails } from 'electron';
import { APP_START_URL, lockDownContents } from './security';

export interface WindowOptions {
  readonly preload: string;
  /** True while the app is quitting: then closing really closes. */
  readonly quitting: () => boolean;
  readonly icon?: Electron.NativeImage;
  /** Show the window once its page is ready (false: start at login, straight to the tray). */
  readonly show: boolean;
  /** The page's renderer process is gone (crash, killed, out of memory). */
  readonly onRendererGone?: (win: BrowserWindow, details: RenderProcessGoneDetails) => void;
}

/** Windows whose page has been ready to show, and windows someone asked to see before that. */
const readyWindows = new WeakSet<BrowserWindow>();
const wantedWindows = new WeakSet<BrowserWindow>();

export function createStatusWindow(o: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 600,
    show: false,
    title: 'Register Bridge',
    autoHideMenuBar: true,
    ...(o.icon ? { icon: o.icon } : {}),
    // Written out here (not built elsewhere) so that the security scan reads every value.
    webPreferences: {
      preload: o.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // A middle click must not open links in new windows.
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
  lockDownContents(win.webContents);
  if (o.show) wantedWindows.add(win);
  win.once('ready-to-show', () => {
    readyWindows.add(win);
    if (wantedWindows.has(win)) focusWindow(win);
  });
  if (o.onRendererGone) win.webContents.on('render-process-gone', (_event, details) => o.onRendererGone!(win, details));
  win.on('close', (event) => {
    if (o.quitting()) return;
    // The bridge keeps serving registers: the window only hides to the tray.
    event.preventDefault();
    win.hide();
  });
  void win.loadURL(APP_START_URL);
  return win;
}

/** Brings the window to the front (second launch, tray "Open"); before its page is ready, as soon as it is. */
export function focusWindow(win: BrowserWindow | undefined): void {
  if (!win || win.isDestroyed()) return;
  wantedWindows.add(win);
  if (!readyWindows.has(win)) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
