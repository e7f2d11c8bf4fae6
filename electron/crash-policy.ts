/**
 * What happens to an error nothing caught in the main process. Without handlers Electron shows its own modal error
 * dialog (a stack trace, at the till) for an uncaught exception and only prints an unhandled rejection. Here:
 *
 * - `uncaughtException`: the process is in an unknown state. It is logged as fatal and handed to `onFatal`, which
 *   stops the core cleanly and offers a restart (main.ts) — no Electron dialog.
 * - `unhandledRejection`: a promise nobody waited for failed; what it was doing already failed on its own, the rest
 *   of the bridge is unaffected. It is logged as an error and the app keeps serving registers.
 */
import type { Logger } from '../src/log/logger';

export interface CrashPolicyOptions {
  /** The app's logger once it exists (before that, stderr). */
  readonly log: () => Logger | undefined;
  readonly ready: () => boolean;
  readonly onFatal: (error: unknown) => void;
}

export function installCrashPolicy(o: CrashPolicyOptions): void {
  let fatalSeen = false;
  process.on('uncaughtException', (error) => {
    report(o, 'fatal', error, 'uncaught exception in the main process');
    // A second one while the first is being handled changes nothing.
    if (fatalSeen) return;
    fatalSeen = true;
    o.onFatal(error);
  });
  process.on('unhandledRejection', (reason) => {
    report(o, 'error', reason, 'unhandled promise rejection in the main process (kept running)');
  });
}

function report(o: CrashPolicyOptions, level: 'fatal' | 'error', err: unknown, msg: string): void {
  const log = o.log();
  if (log) log[level]({ err }, msg);
  else
    process.stderr.write(
      `register-bridge: ${msg}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
}
