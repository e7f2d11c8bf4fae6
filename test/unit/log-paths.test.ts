/**
 * Where config, journal and logs live: the OS's application-data folders in headless mode, all three in one folder
 * with --data-dir, and --config / --log-dir / --log-file for each alone.
 */
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { configFileFor, dataDirFor, defaultConfigFile, defaultDataDir, defaultLogDir } from '../../src/config/paths';
import { LOG_FILE_NAME, logFileFor } from '../../src/log/files';

describe('OS folders', () => {
  it('Linux: XDG config, data and state folders, with their defaults under HOME', () => {
    const env = { HOME: '/home/shop' };
    expect(defaultConfigFile(env, 'linux')).toBe('/home/shop/.config/register-bridge/config.json');
    expect(defaultDataDir(env, 'linux')).toBe('/home/shop/.local/share/register-bridge');
    expect(defaultLogDir(env, 'linux')).toBe('/home/shop/.local/state/register-bridge/logs');
    const xdg = { HOME: '/home/shop', XDG_CONFIG_HOME: '/cfg', XDG_DATA_HOME: '/data', XDG_STATE_HOME: '/state' };
    expect(defaultConfigFile(xdg, 'linux')).toBe('/cfg/register-bridge/config.json');
    expect(defaultDataDir(xdg, 'linux')).toBe('/data/register-bridge');
    expect(defaultLogDir(xdg, 'linux')).toBe('/state/register-bridge/logs');
  });

  it('Windows: %APPDATA% for config and journal, %LOCALAPPDATA% for logs', () => {
    const env = {
      USERPROFILE: 'C:\\Users\\shop',
      APPDATA: 'C:\\Users\\shop\\AppData\\Roaming',
      LOCALAPPDATA: 'C:\\Users\\shop\\AppData\\Local',
    };
    expect(defaultConfigFile(env, 'win32')).toBe(join(env.APPDATA, 'Register Bridge', 'config.json'));
    expect(defaultDataDir(env, 'win32')).toBe(join(env.APPDATA, 'Register Bridge'));
    expect(defaultLogDir(env, 'win32')).toBe(join(env.LOCALAPPDATA, 'Register Bridge', 'logs'));
  });

  it('macOS: Application Support and Library/Logs', () => {
    const env = { HOME: '/Users/shop' };
    expect(defaultConfigFile(env, 'darwin')).toBe(
      '/Users/shop/Library/Application Support/Register Bridge/config.json',
    );
    expect(defaultDataDir(env, 'darwin')).toBe('/Users/shop/Library/Application Support/Register Bridge');
    expect(defaultLogDir(env, 'darwin')).toBe('/Users/shop/Library/Logs/Register Bridge');
  });
});

describe('choices', () => {
  const env = { HOME: '/home/shop' };

  it('without flags: the OS folders', () => {
    expect(configFileFor({ env, platform: 'linux' })).toBe('/home/shop/.config/register-bridge/config.json');
    expect(dataDirFor({ env, platform: 'linux' })).toBe('/home/shop/.local/share/register-bridge');
    expect(logFileFor({ env, platform: 'linux' })).toBe(
      `/home/shop/.local/state/register-bridge/logs/${LOG_FILE_NAME}`,
    );
  });

  it('--data-dir DIR: config, journal and logs all in DIR (relative paths resolved)', () => {
    expect(configFileFor({ dataDir: 'shop-data', env, platform: 'linux' })).toBe(resolve('shop-data', 'config.json'));
    expect(dataDirFor({ dataDir: 'shop-data', configDataDir: '/elsewhere', env, platform: 'linux' })).toBe(
      resolve('shop-data'),
    );
    expect(logFileFor({ dataDir: 'shop-data', env, platform: 'linux' })).toBe(
      resolve('shop-data', 'logs', LOG_FILE_NAME),
    );
  });

  it("the config's dataDir when no --data-dir; --config, --log-dir and --log-file win for their own file", () => {
    expect(dataDirFor({ configDataDir: '/srv/rb', env, platform: 'linux' })).toBe('/srv/rb');
    expect(configFileFor({ config: '/etc/rb.json', dataDir: '/d', env, platform: 'linux' })).toBe('/etc/rb.json');
    expect(logFileFor({ logDir: '/var/log/rb', dataDir: '/d' })).toBe(`/var/log/rb/${LOG_FILE_NAME}`);
    expect(logFileFor({ logFile: '/tmp/x.log', logDir: '/var/log/rb', dataDir: '/d' })).toBe('/tmp/x.log');
  });
});
