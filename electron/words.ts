/**
 * Every word the desktop shell itself shows (tray, start-failure box, crash box), in one place so that it can move
 * into the message catalogue as a whole. The status page's words live in the renderer.
 */
import type { TrayState } from './tray-state';

export const TRAY_WORDS = {
  tooltip: {
    idle: 'Register Bridge — ready',
    running: 'Register Bridge — payment running',
    attention: 'Register Bridge — needs attention',
    offline: 'Register Bridge — a terminal is offline',
    failed: 'Register Bridge — NOT running: registers cannot pay',
  } satisfies Record<TrayState, string>,
  paused: 'Register Bridge — listeners paused',
  open: 'Open Register Bridge',
  pause: 'Pause listeners',
  problem: 'Why is Register Bridge not running?',
  quit: 'Quit',
} as const;

/** Why the bridge did not start, in the words the box shows. */
export type FailureKind = 'config' | 'port' | 'other';

export const FAILURE_WORDS = {
  title: 'Register Bridge',
  message: 'Register Bridge could not start. Registers cannot take card payments until this is fixed.',
  what: (reason: string) => `What is wrong: ${reason}`,
  fix: {
    config: (file: string) =>
      `The settings file has an error:\n${file}\n\nOpen it, correct what is named above and save it, then choose "Try again". ` +
      'Or restore the last settings that worked, or start with the simulated terminal (no real payments) until it is fixed.',
    port: (file: string) =>
      'Another program (or another copy of Register Bridge) already uses that port. Close that program and choose "Try again", ' +
      `or change the port in the settings file (and in the register):\n${file}`,
    other: (file: string) => `Choose "Try again". If it happens again, check the settings file:\n${file}\nand send the log files to support.`,
  } satisfies Record<FailureKind, (file: string) => string>,
  /** The tray tooltip's second line while the bridge is not running. */
  short: {
    config: 'the settings file has an error',
    port: 'a port it needs is in use by another program',
    other: 'it could not start',
  } satisfies Record<FailureKind, string>,
  noLastGood: 'There is no earlier working copy of the settings to restore.',
  button: {
    retry: 'Try again',
    openConfig: 'Open the settings file',
    restore: 'Restore the last good settings',
    demo: 'Start with the simulated terminal',
    quit: 'Quit Register Bridge',
  },
} as const;

export const CRASH_WORDS = {
  title: 'Register Bridge',
  message: 'Register Bridge stopped after an internal error. Registers cannot take card payments until it is restarted.',
  detail: (reason: string) => `${reason}\n\nThe payment journal is safe. Restart Register Bridge; if it happens again, send the log files to support.`,
  short: 'stopped after an internal error',
  restart: 'Restart Register Bridge',
  quit: 'Quit Register Bridge',
  /** Before the app is ready there is no window: a plain error box. */
  early: (reason: string) => `Register Bridge could not start: ${reason}`,
} as const;
