/**
 * Start at login, per operating system, and whether this launch was one (then the app goes straight to the tray).
 *
 * - Windows: the per-user Run key. Electron names the value after the app's AppUserModelId and compares the WHOLE
 *   command line, so the app sets its AppUserModelId to the appId (the value name build/installer.nsh writes) and
 *   reads and writes the entry with the same `--hidden` argument the installer writes: the Settings checkbox then
 *   shows and changes the installer's entry instead of adding a second one.
 * - macOS: a login item; `args` do not exist there, so a start at login is recognised by `wasOpenedAtLogin`.
 * - Linux: Electron's login-item API does nothing; an XDG autostart entry
 *   (`$XDG_CONFIG_HOME/autostart/register-bridge.desktop`) does the same for GNOME, KDE, Xfce and the others.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { App } from 'electron';

/** electron-builder.yml's appId: the AppUserModelId, and the Run value name of the installer's start-at-login entry. */
export const APP_USER_MODEL_ID = 'org.registerbridge.desktop';
/** The argument a start at login carries (Windows Run entry, Linux autostart entry). */
export const HIDDEN_ARG = '--hidden';
/** The autostart entry's file name (the .desktop name electron-builder gives the app's menu entry). */
export const AUTOSTART_FILE_NAME = 'register-bridge.desktop';

export interface LoginItem {
  get(): boolean;
  set(on: boolean): void;
  /** True when this launch is a start at login (or asked for the tray with --hidden). */
  startedHidden(): boolean;
}

export interface LoginItemContext {
  readonly platform: NodeJS.Platform;
  readonly app: Pick<App, 'getLoginItemSettings' | 'setLoginItemSettings' | 'isPackaged' | 'getAppPath'>;
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly execPath: string;
}

export function loginItemFor(c: LoginItemContext): LoginItem {
  const hiddenArg = c.argv.includes(HIDDEN_ARG);
  switch (c.platform) {
    case 'win32':
      return {
        get: () => c.app.getLoginItemSettings({ args: [HIDDEN_ARG] }).openAtLogin,
        set: (on) => c.app.setLoginItemSettings({ openAtLogin: on, args: [HIDDEN_ARG] }),
        startedHidden: () => hiddenArg,
      };
    case 'darwin':
      return {
        get: () => c.app.getLoginItemSettings().openAtLogin,
        set: (on) => c.app.setLoginItemSettings({ openAtLogin: on }),
        startedHidden: () => hiddenArg || c.app.getLoginItemSettings().wasOpenedAtLogin === true,
      };
    default: {
      const file = autostartFile(c.env);
      return {
        get: () => existsSync(file) && !/^Hidden\s*=\s*true\s*$/m.test(readFileSync(file, 'utf8')),
        set: (on) => {
          if (!on) return rmSync(file, { force: true });
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, autostartEntry(launchCommand(c)));
        },
        startedHidden: () => hiddenArg,
      };
    }
  }
}

/** `$XDG_CONFIG_HOME/autostart/register-bridge.desktop` (XDG_CONFIG_HOME defaults to ~/.config). */
export function autostartFile(env: NodeJS.ProcessEnv): string {
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/')
      ? env.XDG_CONFIG_HOME
      : join(env.HOME ?? homedir(), '.config');
  return join(base, 'autostart', AUTOSTART_FILE_NAME);
}

/**
 * What starts this app again: the AppImage file itself when run from one (its mount point changes every run), the
 * installed executable, or in development Electron with the app's folder.
 */
function launchCommand(c: LoginItemContext): string[] {
  if (c.env.APPIMAGE) return [c.env.APPIMAGE, HIDDEN_ARG];
  return c.app.isPackaged ? [c.execPath, HIDDEN_ARG] : [c.execPath, c.app.getAppPath(), HIDDEN_ARG];
}

export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Register Bridge',
    `Exec=${command.map(execArg).join(' ')}`,
    'Icon=register-bridge',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * One argument of an Exec line (Desktop Entry Specification, "The Exec key"): quoted when it holds a reserved
 * character, with `"`, `` ` ``, `$` and `\` escaped inside the quotes; then the string escape of the value (a
 * backslash doubled again) and `%` as `%%` (field codes).
 */
export function execArg(arg: string): string {
  const quoted = /[\s"'\\><~|&;$*?#()`]/.test(arg) ? `"${arg.replace(/["`$\\]/g, (ch) => `\\${ch}`)}"` : arg;
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}
