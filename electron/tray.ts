/** The tray icon: its colour and tooltip follow the bridge's state; its menu opens, pauses and quits. */
import { Menu, Tray, nativeImage, type NativeImage } from 'electron';
import { circleBitmap, TRAY_COLOURS, trayTexts, type TrayState, type TrayTexts } from './tray-state';

export interface TrayActions {
  open(): void;
  setPaused(paused: boolean): void;
  quit(): void;
}

export function trayIcon(state: TrayState): NativeImage {
  return nativeImage.createFromBitmap(circleBitmap(TRAY_COLOURS[state], 16), { width: 16, height: 16 });
}

export class BridgeTray {
  private readonly tray: Tray;
  private state: TrayState = 'idle';
  private paused = false;
  private readonly texts: TrayTexts;

  /** `locale`: the app's locale (Electron's `app.getLocale()`), which the tray's words follow. */
  constructor(private readonly actions: TrayActions, locale?: string) {
    this.texts = trayTexts(locale);
    this.tray = new Tray(trayIcon('idle'));
    this.tray.on('click', () => actions.open());
    this.render();
  }

  update(state: TrayState, paused: boolean): void {
    if (state === this.state && paused === this.paused) return;
    this.state = state;
    this.paused = paused;
    this.render();
  }

  private render(): void {
    this.tray.setImage(trayIcon(this.state));
    const w = this.texts;
    this.tray.setToolTip(this.paused ? w.paused : w.tooltip[this.state]);
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: w.open, click: () => this.actions.open() },
        { label: w.pause, type: 'checkbox', checked: this.paused, click: (item) => this.actions.setPaused(item.checked) },
        { type: 'separator' },
        { label: w.quit, click: () => this.actions.quit() },
      ]),
    );
  }

  destroy(): void {
    this.tray.destroy();
  }
}
