/**
 * The computer a fake-Electron app runs on: its operating system (process.platform is stubbed for as long as the
 * machine is in use), a home folder in a temporary folder, the per-user state that outlives one run of the app
 * (the Windows Run key, the macOS login items, the single-instance lock, whether the OS offers encryption), and
 * the lines the app wrote to stdout (its log). Launches of the built main bundle run on it (launch.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Launch } from './launch';

export type FakePlatform = 'win32' | 'darwin' | 'linux';

export interface MachineOptions {
  readonly platform: FakePlatform;
  /** Whether safeStorage can encrypt (Linux without a keyring: false). Default true. */
  readonly encryption?: boolean;
  /** The operating system's language, as `app.getLocale()` gives it. Default en-US. */
  readonly locale?: string;
}

export class FakeMachine {
  readonly platform: FakePlatform;
  /** The user's home folder (a real temporary folder). */
  readonly home: string;
  /** The installed executable, as the OS would name it (process.execPath of the app). */
  readonly execPath: string;
  /** HKCU\Software\Microsoft\Windows\CurrentVersion\Run: value name → command line. */
  readonly runKey = new Map<string, string>();
  /** macOS: the app is a login item. */
  macLoginItem = false;
  encryptionAvailable: boolean;
  readonly locale: string;
  /** The launch holding the single-instance lock. */
  lockHolder: Launch | undefined;
  readonly launches: Launch[] = [];
  /** Every line written to stdout while the machine ran (the app's JSON log lines among them). */
  readonly stdout: string[] = [];
  private readonly restore: Array<() => void> = [];

  constructor(o: MachineOptions) {
    this.platform = o.platform;
    this.encryptionAvailable = o.encryption ?? true;
    this.locale = o.locale ?? 'en-US';
    this.home = mkdtempSync(join(tmpdir(), 'rb-fake-home-'));
    this.execPath = {
      win32: 'C:\\Users\\cashier\\AppData\\Local\\Programs\\register-bridge\\register-bridge.exe',
      darwin: '/Applications/Register Bridge.app/Contents/MacOS/Register Bridge',
      linux: '/opt/Register Bridge/register-bridge',
    }[o.platform];
    const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
    Object.defineProperty(process, 'platform', { ...platform, value: o.platform });
    this.restore.push(() => Object.defineProperty(process, 'platform', platform));
    const env = {
      XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME,
      REGISTER_BRIDGE_LOG_LEVEL: process.env.REGISTER_BRIDGE_LOG_LEVEL,
      APPIMAGE: process.env.APPIMAGE,
    };
    process.env.XDG_CONFIG_HOME = join(this.home, '.config');
    delete process.env.REGISTER_BRIDGE_LOG_LEVEL;
    delete process.env.APPIMAGE;
    this.restore.push(() => {
      for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    const argv = process.argv;
    this.restore.push(() => void (process.argv = argv));
    // Inside Electron, process.execPath is the app's executable.
    const execPath = process.execPath;
    process.execPath = this.execPath;
    this.restore.push(() => void (process.execPath = execPath));
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      this.stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
    this.restore.push(() => void (process.stdout.write = write));
  }

  /** The app's folder for `name` the way Electron derives it on this OS. */
  appFolder(kind: 'appData' | 'logs', appName: string): string {
    if (kind === 'appData') {
      if (this.platform === 'win32') return join(this.home, 'AppData', 'Roaming');
      if (this.platform === 'darwin') return join(this.home, 'Library', 'Application Support');
      return process.env.XDG_CONFIG_HOME!;
    }
    if (this.platform === 'darwin') return join(this.home, 'Library', 'Logs', appName);
    return join(this.appFolder('appData', appName), appName, 'logs');
  }

  /** The app's log lines (JSON) written to stdout so far. */
  logLines(): Array<Record<string, unknown> & { msg?: string; level?: number | string }> {
    return this.stdout
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Quits every launch still running (their clean stop), then gives the process back its platform and stdout. */
  async dispose(): Promise<void> {
    for (const l of this.launches) await l.dispose();
    for (const r of this.restore.reverse()) r();
    rmSync(this.home, { recursive: true, force: true });
  }
}
