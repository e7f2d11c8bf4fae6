/**
 * Every word the desktop shell itself shows (tray, start-failure box, crash box), from the `ui` catalogue
 * (src/i18n/locales/<language>/ui.json: `tray.*`, `desktop.*`) in the app's locale. `useDesktopLocale` sets it once
 * the app is ready (Electron's `app.getLocale()`); until then, and for a language the catalogue does not speak, the
 * words are English. The status page's words come from the same catalogue, in the renderer.
 */
import { translator } from '../src/i18n';
import type { TrayState } from './tray-state';

let t = translator('ui', undefined);

/** The desktop shell speaks `locale` from now on (its words are read each time they are shown). */
export function useDesktopLocale(locale: string | undefined): void {
  t = translator('ui', locale);
}

export const TRAY_WORDS = {
  get tooltip(): Readonly<Record<TrayState, string>> {
    return {
      idle: t('tray.idle'),
      running: t('tray.running'),
      attention: t('tray.attention'),
      offline: t('tray.offline'),
      failed: t('tray.failed'),
    };
  },
  get paused(): string {
    return t('tray.paused');
  },
  get open(): string {
    return t('tray.open');
  },
  get pause(): string {
    return t('tray.pause');
  },
  get problem(): string {
    return t('tray.problem');
  },
  get quit(): string {
    return t('tray.quit');
  },
};

/** Why the bridge did not start, in the words the box shows. */
export type FailureKind = 'config' | 'port' | 'other';

export const FAILURE_WORDS = {
  get title(): string {
    return t('app.brand');
  },
  get message(): string {
    return t('desktop.failure.message');
  },
  what: (reason: string): string => t('desktop.failure.what', { reason }),
  fix: {
    config: (file: string) => t('desktop.failure.fixConfig', { file }),
    port: (file: string) => t('desktop.failure.fixPort', { file }),
    other: (file: string) => t('desktop.failure.fixOther', { file }),
  } satisfies Record<FailureKind, (file: string) => string>,
  /** The tray tooltip's second line while the bridge is not running. */
  get short(): Readonly<Record<FailureKind, string>> {
    return {
      config: t('desktop.failure.shortConfig'),
      port: t('desktop.failure.shortPort'),
      other: t('desktop.failure.shortOther'),
    };
  },
  get noLastGood(): string {
    return t('desktop.failure.noLastGood');
  },
  get button() {
    return {
      retry: t('desktop.failure.retry'),
      openConfig: t('desktop.failure.openConfig'),
      restore: t('desktop.failure.restore'),
      demo: t('desktop.failure.demo'),
      quit: t('desktop.failure.quit'),
    };
  },
};

export const CRASH_WORDS = {
  get title(): string {
    return t('app.brand');
  },
  get message(): string {
    return t('desktop.crash.message');
  },
  detail: (reason: string): string => t('desktop.crash.detail', { reason }),
  get short(): string {
    return t('desktop.crash.short');
  },
  get restart(): string {
    return t('desktop.crash.restart');
  },
  get quit(): string {
    return t('desktop.failure.quit');
  },
  /** Before the app is ready there is no window: a plain error box. */
  early: (reason: string): string => t('desktop.crash.early', { reason }),
};
