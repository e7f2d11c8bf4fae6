/** The tray icon: its colour and tooltip follow the bridge's state; its menu opens, pauses and quits. */
import { Menu, Tray, nativeImage, type NativeImage } from 'electron';
import { circleBitmap, TRAY_COLOURS, TRAY_TOOLTIPS, type TrayState } from './tray-state';

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

  constructor(private readonly actions: TrayActions) {
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
    this.tray.setToolTip(this.paused ? 'Register Bridge — listeners paused' : TRAY_TOOLTIPS[this.state]);
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Open Register Bridge', click: () => this.actions.open() },
        { label: 'Pause listeners', type: 'checkbox', checked: this.paused, click: (item) => this.actions.setPaused(item.checked) },
        { type: 'separator' },
        { label: 'Quit', click: () => this.actions.quit() },
      ]),
    );
  }

  destroy(): void {
    this.tray.destroy();
  }
}
