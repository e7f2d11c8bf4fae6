/**
 * What the tray icon shows, from the dashboard's state: attention needed (a payment in doubt, or a captured total
 * held as a possible duplicate waiting for the cashier's decision) wins
 * over a terminal offline, which wins over a payment running; otherwise idle. A bridge that could not start is
 * 'failed', whatever else. Plain logic, no Electron.
 */
import type { StateView } from '../src/status/contract';
import { TRAY_WORDS } from './words';

export type TrayState = 'idle' | 'running' | 'attention' | 'offline' | 'failed';

export function trayStateOf(
  s: Pick<StateView, 'attention' | 'terminals' | 'running' | 'paused' | 'captureHolds'>,
): TrayState {
  if (s.attention.some((a) => a.payment.outcome === 'in_doubt')) return 'attention';
  if ((s.captureHolds?.length ?? 0) > 0) return 'attention';
  if (s.terminals.some((t) => t.state === 'offline')) return 'offline';
  if (s.running.length > 0 || s.terminals.some((t) => t.state === 'busy')) return 'running';
  if (s.paused) return 'attention';
  return 'idle';
}

/** The tooltip of each state, in the desktop shell's language (words.ts). */
export function trayTooltips(): Readonly<Record<TrayState, string>> {
  return TRAY_WORDS.tooltip;
}

/** Icon colours (RGB) per state. */
export const TRAY_COLOURS: Readonly<Record<TrayState, readonly [number, number, number]>> = {
  idle: [26, 127, 55],
  running: [11, 92, 173],
  attention: [217, 162, 27],
  offline: [180, 35, 24],
  failed: [180, 35, 24],
};

/** The sizes drawn: 16 px at 1× and 32 px at 2× (HiDPI screens, Retina menu bars). */
export const TRAY_SCALES = [
  { scaleFactor: 1, size: 16 },
  { scaleFactor: 2, size: 32 },
] as const;

/**
 * The icon of `state` as `size`×`size` BGRA pixels with PREMULTIPLIED alpha, the layout
 * nativeImage.createFromBitmap and addRepresentation take (Skia's N32 premultiplied): a straight-alpha edge would
 * show a light fringe. A disc for idle and running; a ring (hollow centre) for the states that need a look, so a
 * monochrome template (macOS menu bar: black and alpha only, recoloured by the system) still tells them apart.
 */
export function trayBitmap(state: TrayState, size: number, template: boolean): Buffer {
  const rgb = template ? ([0, 0, 0] as const) : TRAY_COLOURS[state];
  const ring = state === 'attention' || state === 'offline' || state === 'failed';
  const buf = Buffer.alloc(size * size * 4);
  const c = (size - 1) / 2;
  const outer = size / 2 - 0.5;
  const inner = ring ? outer * 0.45 : -1;
  // Coverage of a pixel at distance d from the centre: 1 inside, 0 outside, a linear ramp over one pixel at each edge.
  const cover = (d: number, r: number): number => Math.min(1, Math.max(0, r + 0.5 - d));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      const coverage = cover(d, outer) - (inner > 0 ? cover(d, inner) : 0);
      const alpha = Math.round(Math.max(0, coverage) * 255);
      const i = (y * size + x) * 4;
      buf[i] = premultiply(rgb[2], alpha);
      buf[i + 1] = premultiply(rgb[1], alpha);
      buf[i + 2] = premultiply(rgb[0], alpha);
      buf[i + 3] = alpha;
    }
  }
  return buf;
}

function premultiply(channel: number, alpha: number): number {
  return Math.round((channel * alpha) / 255);
}
