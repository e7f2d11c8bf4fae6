/** The tray icon: its picture and tooltip follow the bridge's state; its menu opens, pauses and quits. */
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { TRAY_SCALES, trayBitmap, type TrayState } from './tray-state';
import { TRAY_WORDS } from './words';

export interface TrayActions {
  open(): void;
  setPaused(paused: boolean): void;
  /** Shows why the bridge is not running (only offered in the failed state). */
  showProblem(): void;
  quit(): void;
}

/**
 * The icon at 1× and 2×. On macOS it is a template image (black and alpha; the menu bar recolours it for light and
 * dark mode), elsewhere the state's colour.
 */
export function trayIcon(state: TrayState, platform: NodeJS.Platform = process.platform): NativeImage {
  const template = platform === 'darwin';
  const [first, ...more] = TRAY_SCALES;
  const image = nativeImage.createFromBitmap(trayBitmap(state, first.size, template), {
    width: first.size,
    height: first.size,
    scaleFactor: first.scaleFactor,
  });
  for (const s of more)
    image.addRepresentation({
      scaleFactor: s.scaleFactor,
      width: s.size,
      height: s.size,
      buffer: trayBitmap(state, s.size, template),
    });
  if (template) image.setTemplateImage(true);
  return image;
}

export class BridgeTray {
  private readonly tray: Tray;
  private state: TrayState = 'idle';
  private paused = false;
  private detail: string | undefined;

  constructor(
    private readonly actions: TrayActions,
    initial: TrayState = 'idle',
  ) {
    this.state = initial;
    this.tray = new Tray(trayIcon(initial));
    this.tray.on('click', () => (this.state === 'failed' ? actions.showProblem() : actions.open()));
    this.render();
  }

  /** `detail` (failed state only): the reason, added to the tooltip. */
  update(state: TrayState, paused: boolean, detail?: string): void {
    if (state === this.state && paused === this.paused && detail === this.detail) return;
    this.state = state;
    this.paused = paused;
    this.detail = detail;
    this.render();
  }

  private render(): void {
    this.tray.setImage(trayIcon(this.state));
    const tip =
      this.state === 'failed'
        ? TRAY_WORDS.tooltip.failed
        : this.paused
          ? TRAY_WORDS.paused
          : TRAY_WORDS.tooltip[this.state];
    // Windows cuts tooltips at 127 characters.
    this.tray.setToolTip(this.detail ? `${tip}\n${this.detail}`.slice(0, 127) : tip);
    const items: MenuItemConstructorOptions[] = [];
    if (this.state === 'failed') items.push({ label: TRAY_WORDS.problem, click: () => this.actions.showProblem() });
    items.push(
      { label: TRAY_WORDS.open, click: () => this.actions.open() },
      {
        label: TRAY_WORDS.pause,
        type: 'checkbox',
        checked: this.paused,
        enabled: this.state !== 'failed',
        click: (item) => this.actions.setPaused(item.checked),
      },
      { type: 'separator' },
      { label: TRAY_WORDS.quit, click: () => this.actions.quit() },
    );
    this.tray.setContextMenu(Menu.buildFromTemplate(items));
  }

  destroy(): void {
    this.tray.destroy();
  }
}
