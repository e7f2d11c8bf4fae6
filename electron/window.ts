/**
 * The status window: hardened web preferences, the app's own page only, and closing hides it to the tray.
 */
import { BrowserWindow } from 'electron';
import { APP_START_URL, lockDownContents } from './security';

export interface WindowOptions {
  readonly preload: string;
  /** True while the app is quitting: then closing really closes. */
  readonly quitting: () => boolean;
  readonly icon?: Electron.NativeImage;
}

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
  win.once('ready-to-show', () => win.show());
  win.on('close', (event) => {
    if (o.quitting()) return;
    // The bridge keeps serving registers: the window only hides to the tray.
    event.preventDefault();
    win.hide();
  });
  void win.loadURL(APP_START_URL);
  return win;
}

/** Brings the window to the front (second launch, tray "Open"). */
export function focusWindow(win: BrowserWindow | undefined): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
