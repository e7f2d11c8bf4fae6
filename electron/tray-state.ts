/**
 * What the tray icon shows, from the dashboard's state: attention needed (a payment in doubt, or a captured total
 * held as a possible duplicate waiting for the cashier's decision) wins
 * over a terminal offline, which wins over a payment running; otherwise idle. Plain logic, no Electron.
 */
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

export const TRAY_TOOLTIPS: Readonly<Record<TrayState, string>> = {
  idle: 'Register Bridge — ready',
  running: 'Register Bridge — payment running',
  attention: 'Register Bridge — needs attention',
  offline: 'Register Bridge — a terminal is offline',
};

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
