/**
 * The core inside the desktop app: the same startService as the headless command, with the keychain for secrets,
 * the in-memory log for the Logs view and the StatusCore the window talks to over IPC. Pausing stops the service
 * (listeners, terminals, journal) and resuming starts it again from the config file.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { demoConfig, loadConfigFile } from '../src/config/load';
import type { Config } from '../src/config/schema';
import type { KeychainReader } from '../src/config/secrets';
import type { Logger } from '../src/log/logger';
import { startService, type Service } from '../src/service';
import { StatusCore, type DesktopHooks } from '../src/status/core';
import type { LogRing } from '../src/status/log-ring';
import type { SecretStore } from '../src/status/settings';

export interface CoreHostOptions {
  /** The config file; created with the simulated terminal on first start unless `demo`. */
  readonly configFile: string;
  /** Where the journal lives when the config names no dataDir. */
  readonly defaultDataDir: string;
  /** Run the built-in demo configuration (simulated terminal) instead of the config file. */
  readonly demo: boolean;
  readonly log: Logger;
  readonly logs: LogRing;
  /** Set the logger's level from the config's log.level at every start. */
  readonly followConfigLogLevel?: boolean;
  readonly keychain: KeychainReader & SecretStore;
  readonly loginItem: { get(): boolean; set(on: boolean): void };
  /** Called whenever the service starts or stops. */
  readonly onChange?: () => void;
}

export class CoreHost {
  readonly core: StatusCore;
  private service: Service | undefined;
  private config: Config;
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly o: CoreHostOptions) {
    this.config = this.readConfig();
    const desktop: DesktopHooks = {
      keychain: true,
      getStartAtLogin: () => o.loginItem.get(),
      setStartAtLogin: (on) => o.loginItem.set(on),
      setPaused: (paused) => (paused ? this.pause() : this.resume()),
    };
    this.core = new StatusCore({
      config: this.config,
      ...(o.demo ? {} : { configFile: o.configFile }),
      log: o.log,
      logs: o.logs,
      secretStore: o.keychain,
      desktop,
    });
  }

  private readConfig(): Config {
    if (this.o.demo) return demoConfig({ port: 7450, statusPort: 7460 });
    if (!existsSync(this.o.configFile)) {
      // First start: a working setup with the simulated terminal; the Setup view replaces it with a real one.
      const starter = {
        listeners: [{ id: 'native', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 7450 }, terminal: 'demo' }],
        terminals: [{ id: 'demo', driver: 'simulator', currency: 'EUR' }],
        status: { enabled: false },
      };
      mkdirSync(dirname(this.o.configFile), { recursive: true });
      writeFileSync(this.o.configFile, JSON.stringify(starter, null, 2) + '\n', { mode: 0o600 });
    }
    return loadConfigFile(this.o.configFile);
  }

  get running(): boolean {
    return this.service !== undefined;
  }

  /** Serialises start/stop so that a quick pause-resume cannot overlap. */
  private serial(fn: () => Promise<void>): Promise<void> {
    this.transition = this.transition.then(fn, fn);
    return this.transition;
  }

  start(): Promise<void> {
    return this.serial(async () => {
      if (this.service) return;
      this.config = this.readConfig();
      if (this.o.followConfigLogLevel) this.o.log.level = this.config.log.level;
      this.service = await startService(this.config, {
        log: this.o.log,
        dataDir: this.config.dataDir ?? join(this.o.defaultDataDir, 'data'),
        secrets: { env: process.env, keychain: this.o.keychain },
        ...(this.o.demo ? {} : { configFile: this.o.configFile }),
        logs: this.o.logs,
      });
      this.core.attach(this.service);
      this.o.onChange?.();
    });
  }

  stop(): Promise<void> {
    return this.serial(async () => {
      const s = this.service;
      if (!s) return;
      this.core.detach();
      this.service = undefined;
      await s.close();
      this.o.onChange?.();
    });
  }

  pause(): Promise<void> {
    this.o.log.info('register listeners paused from the desktop app');
    return this.stop();
  }

  resume(): Promise<void> {
    this.o.log.info('register listeners resumed from the desktop app');
    return this.start();
  }
}
