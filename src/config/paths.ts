import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the bridge keeps its files when no `dataDir` is configured: the OS's application-data folder.
 * The desktop shell passes Electron's `app.getPath('userData')` instead; `--data-dir` overrides both.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Register Bridge');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Register Bridge');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'register-bridge');
}

export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Register Bridge', 'config.json');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Register Bridge', 'config.json');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'register-bridge', 'config.json');
}

/**
 * Where the bridge writes its log files when neither `--log-file` nor a data folder says otherwise: the OS's
 * folder for logs (Linux: $XDG_STATE_HOME/register-bridge/logs or ~/.local/state/register-bridge/logs; macOS:
 * ~/Library/Logs/Register Bridge; Windows: %LOCALAPPDATA%\Register Bridge\logs). The desktop shell passes
 * Electron's `app.getPath('logs')` instead.
 */
export function defaultLogDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Register Bridge', 'logs');
  if (platform === 'darwin') return join(home, 'Library', 'Logs', 'Register Bridge');
  return join(env.XDG_STATE_HOME ?? join(home, '.local', 'state'), 'register-bridge', 'logs');
}
