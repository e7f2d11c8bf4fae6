/**
 * The tray icon with Electron mocked: its picture and tooltip follow the four states (idle, payment running,
 * attention needed, terminal offline), paused listeners say so, and its menu opens the window, pauses / resumes the
 * register listeners and quits. The main process wires the tray to the core: "Pause listeners" stops the service.
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
    nativeImage: { createFromBitmap: (buf: Buffer, size: { width: number; height: number }) => ({ buf, size }) },
  };
});

vi.mock('electron', () => ({ ...electron, default: electron }));

import { BridgeTray } from '../../electron/tray';
import { circleBitmap, TRAY_COLOURS, trayStateOf, trayTexts, type TrayState } from '../../electron/tray-state';

const TRAY_TOOLTIPS = trayTexts('en-US').tooltip;

const actions = { open: vi.fn(), setPaused: vi.fn(), quit: vi.fn() };
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
    expect(pixels().equals(circleBitmap(TRAY_COLOURS.idle))).toBe(true);
    const seen = new Set<string>();
    for (const state of ['running', 'attention', 'offline', 'idle'] as TrayState[]) {
      t.update(state, false);
      expect(tray().tooltip).toBe(TRAY_TOOLTIPS[state]);
      expect(pixels().equals(circleBitmap(TRAY_COLOURS[state])), state).toBe(true);
      seen.add(pixels().toString('hex'));
    }
    expect(seen.size).toBe(4);
    expect(TRAY_TOOLTIPS).toMatchObject({ running: expect.stringContaining('payment running'), attention: expect.stringContaining('attention'), offline: expect.stringContaining('offline') });
  });

  it('opens, pauses and resumes the listeners, and quits from its menu', () => {
    const t = new BridgeTray(actions);
    expect(tray().menu.map((m) => m.label ?? m.type)).toEqual(['Open Register Bridge', 'Pause listeners', 'separator', 'Quit']);
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

  it('speaks the app\'s language: German and Bulgarian menus and tooltips, English for a language without the page\'s words', () => {
    const de = new BridgeTray(actions, 'de-DE');
    expect(tray().menu.map((m) => m.label ?? m.type)).toEqual(['Register Bridge öffnen', 'Empfang anhalten', 'separator', 'Beenden']);
    expect(tray().tooltip).toBe('Register Bridge — bereit');
    de.update('offline', false);
    expect(tray().tooltip).toBe('Register Bridge — ein Terminal ist offline');
    de.update('offline', true);
    expect(tray().tooltip).toBe('Register Bridge — Empfang angehalten');
    new BridgeTray(actions, 'bg-BG');
    expect(tray().menu.map((m) => m.label ?? m.type)).toEqual(['Отвори Register Bridge', 'Спри приема', 'separator', 'Изход']);
    // Every state has its own words in every language the tray speaks.
    for (const locale of ['en', 'de', 'fr', 'it', 'es', 'bg']) expect(new Set(Object.values(trayTexts(locale).tooltip)).size, locale).toBe(4);
    // No catalogue for Japanese (and none for a tag that is not one): English.
    expect(trayTexts('ja-JP').open).toBe('Open Register Bridge');
    expect(trayTexts('').quit).toBe('Quit');
  });

  it('derives its state from the dashboard: a payment in doubt or paused listeners need attention', () => {
    const none = { attention: [], terminals: [], running: [], paused: false };
    const running = { payment: { id: 'p' } } as never;
    expect(trayStateOf({ ...none, running: [running] })).toBe('running');
    // An approval waiting for the register to take it is normal business, not attention.
    expect(trayStateOf({ ...none, attention: [{ payment: { outcome: 'approved' }, action: '' } as never] })).toBe('idle');
    expect(trayStateOf({ ...none, attention: [{ payment: { outcome: 'in_doubt' }, action: '' } as never] })).toBe('attention');
  });
});
