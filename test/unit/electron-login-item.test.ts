/**
 * Start at login per OS without Electron (login-item.ts): which API each OS uses and with what, and the Linux
 * autostart entry's Exec line quoted by the Desktop Entry Specification's rules.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { autostartFile, execArg, loginItemFor, type LoginItemContext } from '../../electron/login-item';
import { describeFailure } from '../../electron/start-failure';
import { BridgeError } from '../../src/domain/errors';

vi.mock('electron', () => ({ dialog: {}, shell: {} }));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function context(
  platform: NodeJS.Platform,
  o: Partial<LoginItemContext> = {},
): LoginItemContext & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    platform,
    argv: ['/exe'],
    env: {},
    execPath: '/exe',
    calls,
    app: {
      isPackaged: true,
      getAppPath: () => '/app',
      getLoginItemSettings: (opts?: unknown) =>
        (calls.push(['get', opts]), { openAtLogin: true, wasOpenedAtLogin: true }) as never,
      setLoginItemSettings: (s: unknown) => void calls.push(['set', s]),
    },
    ...o,
  };
}

describe('start at login', () => {
  it('Windows reads and writes the Run entry with the --hidden argument the installer writes', () => {
    const c = context('win32', { argv: ['C:\\rb.exe', '--hidden'] });
    const item = loginItemFor(c);
    expect(item.get()).toBe(true);
    item.set(false);
    expect(c.calls).toEqual([
      ['get', { args: ['--hidden'] }],
      ['set', { openAtLogin: false, args: ['--hidden'] }],
    ]);
    expect(item.startedHidden()).toBe(true);
    expect(loginItemFor(context('win32')).startedHidden()).toBe(false);
  });

  it('macOS uses a login item without args and knows a login start by wasOpenedAtLogin', () => {
    const c = context('darwin');
    const item = loginItemFor(c);
    item.set(true);
    expect(c.calls).toEqual([['set', { openAtLogin: true }]]);
    expect(item.startedHidden()).toBe(true);
  });

  it('Linux writes and removes an XDG autostart entry that starts the AppImage file, the executable, or Electron with the app', () => {
    const home = mkdtempSync(join(tmpdir(), 'rb-autostart-'));
    dirs.push(home);
    const env = { XDG_CONFIG_HOME: join(home, 'cfg') };
    const file = autostartFile(env);
    expect(file).toBe(join(home, 'cfg', 'autostart', 'register-bridge.desktop'));
    expect(autostartFile({ HOME: home, XDG_CONFIG_HOME: 'relative/ignored' })).toBe(
      join(home, '.config', 'autostart', 'register-bridge.desktop'),
    );

    const packaged = loginItemFor(context('linux', { env, execPath: '/opt/Register Bridge/register-bridge' }));
    expect(packaged.get()).toBe(false);
    packaged.set(true);
    expect(readFileSync(file, 'utf8')).toContain('\nExec="/opt/Register Bridge/register-bridge" --hidden\n');
    expect(packaged.get()).toBe(true);
    packaged.set(false);
    expect(existsSync(file)).toBe(false);

    loginItemFor(context('linux', { env: { ...env, APPIMAGE: '/home/jo/Apps/rb.AppImage' } })).set(true);
    expect(readFileSync(file, 'utf8')).toContain('\nExec=/home/jo/Apps/rb.AppImage --hidden\n');
    const dev = context('linux', { env, execPath: '/src/node_modules/electron/dist/electron' });
    loginItemFor({ ...dev, app: { ...dev.app, isPackaged: false } }).set(true);
    expect(readFileSync(file, 'utf8')).toContain('\nExec=/src/node_modules/electron/dist/electron /app --hidden\n');
  });

  it('quotes Exec arguments by the Desktop Entry rules', () => {
    expect(execArg('/usr/bin/rb')).toBe('/usr/bin/rb');
    expect(execArg('/opt/My App/rb')).toBe('"/opt/My App/rb"');
    expect(execArg('/opt/a"b$c`d')).toBe('"/opt/a\\\\"b\\\\$c\\\\`d"');
    expect(execArg('/opt/back\\slash')).toBe('"/opt/back\\\\\\\\slash"');
    expect(execArg('/opt/100%')).toBe('/opt/100%%');
  });
});

describe('start failure', () => {
  it('tells a config error from a port taken from anything else', () => {
    expect(
      describeFailure({
        stage: 'config',
        error: new BridgeError('config_invalid', 'x.json is not valid JSON: Unexpected end\nmore'),
      }),
    ).toEqual({
      kind: 'config',
      reason: 'x.json is not valid JSON: Unexpected end',
    });
    expect(
      describeFailure({
        stage: 'start',
        error: new BridgeError('config_invalid', 'port 7450 on 127.0.0.1 is already in use by another program'),
      }).kind,
    ).toBe('port');
    expect(describeFailure({ stage: 'start', error: 'disk full' })).toEqual({ kind: 'other', reason: 'disk full' });
  });
});
