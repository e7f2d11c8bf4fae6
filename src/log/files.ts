/**
 * Which log file the bridge writes and `register-bridge logs` reads. One rule for both:
 * `--log-file FILE` if given; else `register-bridge.log` in `--log-dir DIR`; else `logs/register-bridge.log` in the data folder when one is chosen (`--data-dir`
 * or the config's `dataDir`, so a bridge run from its own folder keeps everything there); else the OS's log
 * folder (src/config/paths.ts defaultLogDir).
 */
import { join, resolve } from 'node:path';
import { defaultLogDir } from '../config/paths';

export const LOG_FILE_NAME = 'register-bridge.log';

export interface LogFileChoice {
  readonly logFile?: string | undefined;
  readonly logDir?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
}

export function logFileFor(choice: LogFileChoice = {}): string {
  if (choice.logFile) return resolve(choice.logFile);
  if (choice.logDir) return join(resolve(choice.logDir), LOG_FILE_NAME);
  if (choice.dataDir) return join(resolve(choice.dataDir), 'logs', LOG_FILE_NAME);
  return join(defaultLogDir(choice.env, choice.platform), LOG_FILE_NAME);
}
