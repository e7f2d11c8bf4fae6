/**
 * The tray icon with Electron mocked: its picture and tooltip follow the states (idle, payment running, attention
 * needed, terminal offline, not running), paused listeners say so, and its menu opens the window, pauses / resumes
 * the register listeners and quits. The pictures are premultiplied BGRA at 1× and 2×, a template image on macOS.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

type MenuItem = { label?: string; type?: string; checked?: boolean; click?: (item: { checked: boolean }) => void };

const electron = vi.hoisted(() => {
  class Tray {
    static last: Tray | undefined;
    image: unknown;
    tooltip = '';
    menu: MenuItem[] = [];
    destroyed = false;
    handlers = new Map<string, () => void>();
    constructor(image: unknown) {
      this.image = image;
      Tray.last = this;
    }
    on(event: string, fn: () => void): void {
      this.handlers.set(event, fn);
    }
    setImage(image: unknown): void {
      this.image = image;
    }
    setToolTip(text: string): void {
      this.tooltip = text;
    }
    setContextMenu(menu: { items: MenuItem[] }): void {
      this.menu = menu.items;
    }
    destroy(): void {
      this.destroyed = true;
    }
  }
  return {
    Tray,
    Menu: { buildFromTemplate: (items: MenuItem[]) => ({ items }) },
    nativeImage: {
      createFromBitmap: (buf: Buffer, size: { width: number; height: number; scaleFactor?: number }) => {
        const image = {
          buf,
          size,
          reps: [{ scaleFactor: size.scaleFactor ?? 1, width: size.width, height: size.height, buffer: buf }],
          template: false,
          addRepresentation: (r: { scaleFactor: number; width: number; height: number; buffer: Buffer }) =>
            void image.reps.push(r),
          setTemplateImage: (on: boolean) => void (image.template = on),
        };
        return image;
      },
    },
  };
});

vi.mock('electron', () => ({ ...electron, default: electron }));

import { BridgeTray, trayIcon } from '../../electron/tray';
import { TRAY_COLOURS, trayBitmap, trayStateOf, trayTooltips, type TrayState } from '../../electron/tray-state';
import { CRASH_WORDS, FAILURE_WORDS, useDesktopLocale } from '../../electron/words';

const TRAY_TOOLTIPS = trayTooltips();

const actions = { open: vi.fn(), setPaused: vi.fn(), showProblem: vi.fn(), quit: vi.fn() };
const tray = (): InstanceType<typeof electron.Tray> => electron.Tray.last!;
const item = (label: string): MenuItem => tray().menu.find((m) => m.label === label)!;
const pixels = (): Buffer => (tray().image as { buf: Buffer }).buf;

beforeEach(() => {
  for (const fn of Object.values(actions)) fn.mockClear();
});

describe('tray icon', () => {
  it('shows each state with its own colour and words', () => {
    const t = new BridgeTray(actions);
    expect(tray().tooltip).toBe('Register Bridge — ready');
    expect(pixels().equals(trayBitmap('idle', 16, process.platform === 'darwin'))).toBe(true);
    const seen = new Set<string>();
    for (const state of ['running', 'attention', 'offline', 'idle'] as TrayState[]) {
      t.update(state, false);
      expect(tray().tooltip).toBe(TRAY_TOOLTIPS[state]);
      expect(pixels().equals(trayBitmap(state, 16, process.platform === 'darwin')), state).toBe(true);
      seen.add(pixels().toString('hex'));
    }
    expect(seen.size).toBe(4);
    expect(TRAY_TOOLTIPS).toMatchObject({
      running: expect.stringContaining('payment running'),
      attention: expect.stringContaining('attention'),
      offline: expect.stringContaining('offline'),
    });
  });

  it('opens, pauses and resumes the listeners, and quits from its menu', () => {
    const t = new BridgeTray(actions);
    expect(tray().menu.map((m) => m.label ?? m.type)).toEqual([
      'Open Register Bridge',
      'Pause listeners',
      'separator',
      'Quit',
    ]);
    tray().handlers.get('click')!();
    item('Open Register Bridge').click!({ checked: false });
    expect(actions.open).toHaveBeenCalledTimes(2);

    expect(item('Pause listeners')).toMatchObject({ type: 'checkbox', checked: false });
    item('Pause listeners').click!({ checked: true });
    expect(actions.setPaused).toHaveBeenLastCalledWith(true);
    t.update('attention', true);
    expect(tray().tooltip).toBe('Register Bridge — listeners paused');
    expect(item('Pause listeners').checked).toBe(true);
    item('Pause listeners').click!({ checked: false });
    expect(actions.setPaused).toHaveBeenLastCalledWith(false);

    item('Quit').click!({ checked: false });
    expect(actions.quit).toHaveBeenCalledOnce();
    t.destroy();
    expect(tray().destroyed).toBe(true);
  });

  it("speaks the app's language: German and Bulgarian menus, tooltips and boxes, English for a language without the page's words", () => {
    try {
      useDesktopLocale('de-DE');
      const de = new BridgeTray(actions);
      expect(tray().menu.map((m) => m.label ?? m.type)).toEqual([
        'Register Bridge öffnen',
        'Empfang anhalten',
        'separator',
        'Beenden',
      ]);
      expect(tray().tooltip).toBe('Register Bridge — bereit');
      de.update('offline', true);
      expect(tray().tooltip).toBe('Register Bridge — Empfang angehalten');
      expect(FAILURE_WORDS.fix.port('/cfg.json')).toContain('\n/cfg.json');
      expect(FAILURE_WORDS.button.retry).toBe('Erneut versuchen');
      useDesktopLocale('bg-BG');
      new BridgeTray(actions);
      expect(tray().menu.map((m) => m.label ?? m.type)).toEqual([
        'Отвори Register Bridge',
        'Спри приема',
        'separator',
        'Изход',
      ]);
      expect(CRASH_WORDS.early('disk full')).toBe('Register Bridge не успя да стартира: disk full');
      // Every state has its own words in every language the tray speaks.
      for (const locale of ['en', 'de', 'fr', 'it', 'es', 'bg']) {
        useDesktopLocale(locale);
        expect(new Set(Object.values(trayTooltips())).size, locale).toBe(5);
      }
      // No catalogue for Japanese, or no usable tag: English.
      useDesktopLocale('ja-JP');
      expect(FAILURE_WORDS.button.quit).toBe('Quit Register Bridge');
      useDesktopLocale('');
      expect(trayTooltips().idle).toBe('Register Bridge — ready');
    } finally {
      useDesktopLocale(undefined);
    }
  });

  it('derives its state from the dashboard: a payment in doubt or paused listeners need attention', () => {
    const none = { attention: [], terminals: [], running: [], paused: false };
    const running = { payment: { id: 'p' } } as never;
    expect(trayStateOf({ ...none, running: [running] })).toBe('running');
    // An approval waiting for the register to take it is normal business, not attention.
    expect(trayStateOf({ ...none, attention: [{ payment: { outcome: 'approved' }, action: '' } as never] })).toBe(
      'idle',
    );
    expect(trayStateOf({ ...none, attention: [{ payment: { outcome: 'in_doubt' }, action: '' } as never] })).toBe(
      'attention',
    );
  });
});

type Image = { reps: Array<{ scaleFactor: number; width: number; height: number; buffer: Buffer }>; template: boolean };

describe('tray pictures', () => {
  const states: TrayState[] = ['idle', 'running', 'attention', 'offline', 'failed'];

  it('are premultiplied BGRA: no channel above its alpha, edge pixels scaled by their coverage', () => {
    for (const state of states) {
      for (const size of [16, 32]) {
        const px = trayBitmap(state, size, false);
        expect(px).toHaveLength(size * size * 4);
        const [r, g, b] = TRAY_COLOURS[state];
        let edges = 0;
        for (let i = 0; i < px.length; i += 4) {
          const a = px[i + 3]!;
          expect([px[i]! <= a, px[i + 1]! <= a, px[i + 2]! <= a], `${state} ${size} @${i}`).toEqual([true, true, true]);
          // Each channel is the straight colour times alpha/255 (what createFromBitmap expects).
          expect([px[i], px[i + 1], px[i + 2]]).toEqual([
            Math.round((b * a) / 255),
            Math.round((g * a) / 255),
            Math.round((r * a) / 255),
          ]);
          if (a > 0 && a < 255) edges++;
        }
        expect(edges, `${state} ${size} has anti-aliased edges`).toBeGreaterThan(0);
        expect(px[3]).toBe(0); // corner transparent
      }
    }
    const centre = (8 * 16 + 8) * 4;
    expect([...trayBitmap('idle', 16, false).subarray(centre, centre + 4)]).toEqual([55, 127, 26, 255]);
    // The states that need a look are rings: a hollow centre, so a monochrome template still tells them apart.
    expect(trayBitmap('failed', 16, false)[centre + 3]).toBe(0);
  });

  it('give the icon a 1x and a 2x picture; a template image (black and alpha) on macOS only', () => {
    for (const platform of ['win32', 'linux', 'darwin'] as const) {
      const image = trayIcon('attention', platform) as unknown as Image;
      expect(image.reps.map((r) => [r.scaleFactor, r.width, r.height, r.buffer.length])).toEqual([
        [1, 16, 16, 16 * 16 * 4],
        [2, 32, 32, 32 * 32 * 4],
      ]);
      expect(image.template, platform).toBe(platform === 'darwin');
      const px = image.reps[1]!.buffer;
      const coloured = px.some((v, i) => i % 4 !== 3 && v > 0);
      expect(coloured, platform).toBe(platform !== 'darwin');
      expect(px.some((v, i) => i % 4 === 3 && v === 255)).toBe(true);
    }
  });

  it('shows a failed start: its own tooltip with the reason, and the menu offers the problem first', () => {
    const t = new BridgeTray(actions);
    t.update('failed', false, 'port 7450 on 127.0.0.1 is already in use by another program');
    expect(tray().tooltip).toBe(
      `${TRAY_TOOLTIPS.failed}\nport 7450 on 127.0.0.1 is already in use by another program`.slice(0, 127),
    );
    expect(tray().tooltip).not.toContain('— ready');
    expect(tray().menu[0]!.label).toBe('Why is Register Bridge not running?');
    tray().menu[0]!.click!({ checked: false });
    tray().handlers.get('click')!();
    expect(actions.showProblem).toHaveBeenCalledTimes(2);
    expect(actions.open).not.toHaveBeenCalled();
  });
});
