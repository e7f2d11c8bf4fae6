import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where the bridge keeps its files when no `dataDir` is configured: the OS's application-data folder.
 * The desktop shell passes Electron's `app.getPath('userData')` instead; `--data-dir` overrides both.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Register Bridge');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Register Bridge');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'register-bridge');
}

export function defaultConfigFile(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  if (platform === 'win32')
    return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Register Bridge', 'config.json');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Register Bridge', 'config.json');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'register-bridge', 'config.json');
}

/**
 * Where the bridge writes its log files when neither `--log-file` nor a data folder says otherwise: the OS's
 * folder for logs (Linux: $XDG_STATE_HOME/register-bridge/logs or ~/.local/state/register-bridge/logs; macOS:
 * ~/Library/Logs/Register Bridge; Windows: %LOCALAPPDATA%\Register Bridge\logs). The desktop shell passes
 * Electron's `app.getPath('logs')` instead.
 */
export function defaultLogDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Register Bridge', 'logs');
  if (platform === 'darwin') return join(home, 'Library', 'Logs', 'Register Bridge');
  return join(env.XDG_STATE_HOME ?? join(home, '.local', 'state'), 'register-bridge', 'logs');
}

export interface PathChoice {
  /** `--config FILE`. */
  readonly config?: string | undefined;
  /** `--data-dir DIR`: config, journal and logs all in DIR. */
  readonly dataDir?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
}

/** The config file: `--config FILE`; else `config.json` in `--data-dir`; else the OS's config folder. */
export function configFileFor(choice: PathChoice = {}): string {
  if (choice.config) return resolve(choice.config);
  if (choice.dataDir) return join(resolve(choice.dataDir), 'config.json');
  return defaultConfigFile(choice.env, choice.platform);
}

/** The folder of the journal (journal.sqlite) and reports: `--data-dir`; else the config's `dataDir`; else the OS's data folder. */
export function dataDirFor(choice: PathChoice & { readonly configDataDir?: string | undefined } = {}): string {
  if (choice.dataDir) return resolve(choice.dataDir);
  if (choice.configDataDir) return resolve(choice.configDataDir);
  return defaultDataDir(choice.env, choice.platform);
}
