/**
 * A start that failed, shown to the person at the till: a native message box saying what is wrong and how to fix
 * it, with the ways out as buttons — try again, open the settings file, restore the last settings that started,
 * start with the simulated terminal, quit. The box has no parent window, so it shows even when the app was started
 * at login straight to the tray; the tray shows the failed state until the bridge runs.
 */
import { existsSync } from 'node:fs';
import { dialog, shell } from 'electron';
import type { StartFailure } from './core-host';
import { FAILURE_WORDS, type FailureKind } from './words';

export interface FailureText {
  readonly kind: FailureKind;
  /** The error in one line, as the core worded it. */
  readonly reason: string;
}

export function describeFailure(f: StartFailure): FailureText {
  const reason = (f.error instanceof Error ? f.error.message : String(f.error)).split('\n')[0]!;
  if (f.stage === 'config') return { kind: 'config', reason };
  if (/already in use|EADDRINUSE/.test(reason)) return { kind: 'port', reason };
  return { kind: 'other', reason };
}

export type FailureChoice = 'retry' | 'openConfig' | 'restore' | 'demo' | 'quit';

export interface FailureBoxOptions {
  readonly failure: StartFailure;
  readonly configFile: string;
  readonly lastGoodFile: string;
  /** False while already running on the simulated terminal. */
  readonly offerDemo: boolean;
}

/** Shows the box once and answers what was chosen (closing it counts as "Try again"). */
export async function askAboutFailure(o: FailureBoxOptions): Promise<FailureChoice> {
  const text = describeFailure(o.failure);
  const choices: FailureChoice[] = ['retry', 'openConfig'];
  if (existsSync(o.lastGoodFile)) choices.push('restore');
  if (o.offerDemo) choices.push('demo');
  choices.push('quit');
  const { response } = await dialog.showMessageBox({
    type: 'error',
    title: FAILURE_WORDS.title,
    message: FAILURE_WORDS.message,
    detail: `${FAILURE_WORDS.what(text.reason)}\n\n${FAILURE_WORDS.fix[text.kind](o.configFile)}`,
    buttons: choices.map((c) => FAILURE_WORDS.button[c]),
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  });
  return choices[response] ?? 'retry';
}

/** Opens the settings file in the system's editor for JSON; answers the error text, empty when it opened. */
export function openConfigFile(file: string): Promise<string> {
  return shell.openPath(file);
}
