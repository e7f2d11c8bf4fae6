/**
 * What the tray icon shows, from the dashboard's state: attention needed (a payment in doubt, or a captured total
 * held as a possible duplicate waiting for the cashier's decision) wins
 * over a terminal offline, which wins over a payment running; otherwise idle. Plain logic, no Electron.
 */
import { translator } from '../src/i18n';
import type { StateView } from '../src/status/contract';

export type TrayState = 'idle' | 'running' | 'attention' | 'offline';

export function trayStateOf(s: Pick<StateView, 'attention' | 'terminals' | 'running' | 'paused' | 'captureHolds'>): TrayState {
  if (s.attention.some((a) => a.payment.outcome === 'in_doubt')) return 'attention';
  if ((s.captureHolds?.length ?? 0) > 0) return 'attention';
  if (s.terminals.some((t) => t.state === 'offline')) return 'offline';
  if (s.running.length > 0 || s.terminals.some((t) => t.state === 'busy')) return 'running';
  if (s.paused) return 'attention';
  return 'idle';
}

/** The tray's words in the app's locale (the `ui` catalogue; English for a language the status page is not offered in). */
export interface TrayTexts {
  readonly open: string;
  readonly pause: string;
  readonly quit: string;
  readonly paused: string;
  readonly tooltip: Readonly<Record<TrayState, string>>;
}

export function trayTexts(locale: string | undefined): TrayTexts {
  const t = translator('ui', locale);
  return {
    open: t('tray.open'),
    pause: t('tray.pause'),
    quit: t('tray.quit'),
    paused: t('tray.paused'),
    tooltip: { idle: t('tray.idle'), running: t('tray.running'), attention: t('tray.attention'), offline: t('tray.offline') },
  };
}

/** Icon colours (RGB) per state. */
export const TRAY_COLOURS: Readonly<Record<TrayState, readonly [number, number, number]>> = {
  idle: [26, 127, 55],
  running: [11, 92, 173],
  attention: [217, 162, 27],
  offline: [180, 35, 24],
};

/** A round 16×16 (or `size`) icon as BGRA pixels for nativeImage.createFromBitmap; drawn, not shipped as files. */
export function circleBitmap(rgb: readonly [number, number, number], size = 16): Buffer {
  const buf = Buffer.alloc(size * size * 4);
  const c = (size - 1) / 2;
  const r = size / 2 - 0.5;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      const alpha = d <= r - 0.5 ? 255 : d <= r + 0.5 ? Math.round((r + 0.5 - d) * 255) : 0;
      const i = (y * size + x) * 4;
      buf[i] = rgb[2];
      buf[i + 1] = rgb[1];
      buf[i + 2] = rgb[0];
      buf[i + 3] = alpha;
    }
  }
  return buf;
}
