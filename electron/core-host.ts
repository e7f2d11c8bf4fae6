/**
 * The core inside the desktop app: the same startService as the headless command, with the keychain for secrets,
 * the in-memory log for the Logs view and the StatusCore the window talks to over IPC. Pausing stops the service
 * (listeners, terminals, journal) and resuming starts it again from the config file.
 *
 * A start that fails (a config file with an error, a port taken) never throws out of the constructor: the host
 * keeps the failure for the shell to show (`failure`), and the shell offers the ways out — try again, restore the
 * last config that started (`restoreLastGood`, kept as config.last-good.json at every good start), or run the
 * simulated terminal for now (`startDemo`).
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
  /** Called whenever the service starts, stops or fails to start. */
  readonly onChange?: () => void;
}

/** Why the last start did not happen: reading the config file, or starting the service from it. */
export interface StartFailure {
  readonly stage: 'config' | 'start';
  readonly error: unknown;
}

export class CoreHost {
  readonly core: StatusCore;
  private service: Service | undefined;
  private config: Config;
  private transition: Promise<void> = Promise.resolve();
  private demo: boolean;
  private lastFailure: StartFailure | undefined;

  constructor(private readonly o: CoreHostOptions) {
    this.demo = o.demo;
    // The StatusCore shows the config FILE in Settings (its errors included); the config given here is only what it
    // shows when there is no file (demo). A file that cannot be read yet is reported by start().
    this.config = this.tryReadConfig() ?? demoConfig();
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

  private tryReadConfig(): Config | undefined {
    try {
      return this.readConfig();
    } catch {
      return undefined;
    }
  }

  private readConfig(): Config {
    if (this.demo) return demoConfig({ port: 7450, statusPort: 7460 });
    if (!existsSync(this.o.configFile)) {
      // First start: a working setup with the simulated terminal; the Setup view replaces it with a real one.
      const starter = {
        listeners: [
          {
            id: 'native',
            protocol: 'native',
            transport: { type: 'tcp', host: '127.0.0.1', port: 7450 },
            terminal: 'demo',
          },
        ],
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

  /** Why the last start failed; undefined once the bridge runs (or before the first start). */
  get failure(): StartFailure | undefined {
    return this.lastFailure;
  }

  /** True when this run uses the simulated terminal instead of the config file. */
  get demoMode(): boolean {
    return this.demo;
  }

  /** The copy of the config file that last started (written at every good start). */
  get lastGoodFile(): string {
    return this.sibling('last-good');
  }

  /** config.json → config.<tag>.json in the same folder. */
  private sibling(tag: string): string {
    return join(dirname(this.o.configFile), `${basename(this.o.configFile, '.json')}.${tag}.json`);
  }

  /** Puts the last config that started back in place; the broken one is kept as config.broken.json. */
  restoreLastGood(): boolean {
    if (!existsSync(this.lastGoodFile)) return false;
    if (existsSync(this.o.configFile)) copyFileSync(this.o.configFile, this.sibling('broken'));
    copyFileSync(this.lastGoodFile, this.o.configFile);
    this.o.log.warn({ file: this.o.configFile }, 'config file restored from the last one that started');
    return true;
  }

  /** Starts with the simulated terminal (the config file stays as it is). */
  startDemo(): Promise<void> {
    this.demo = true;
    this.o.log.warn('started with the simulated terminal after a failed start: no real payments');
    return this.start();
  }

  /** Serialises start/stop so that a quick pause-resume cannot overlap. */
  private serial(fn: () => Promise<void>): Promise<void> {
    this.transition = this.transition.then(fn, fn);
    return this.transition;
  }

  start(): Promise<void> {
    return this.serial(async () => {
      if (this.service) return;
      let stage: StartFailure['stage'] = 'config';
      try {
        this.config = this.readConfig();
        stage = 'start';
        if (this.o.followConfigLogLevel) this.o.log.level = this.config.log.level;
        this.service = await startService(this.config, {
          log: this.o.log,
          dataDir: this.config.dataDir ?? join(this.o.defaultDataDir, 'data'),
          secrets: { env: process.env, keychain: this.o.keychain },
          ...(this.demo ? {} : { configFile: this.o.configFile }),
          logs: this.o.logs,
        });
        this.lastFailure = undefined;
        this.core.attach(this.service);
        if (!this.demo) this.keepLastGood();
      } catch (e) {
        this.lastFailure = { stage, error: e };
        throw e;
      } finally {
        this.o.onChange?.();
      }
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

  private keepLastGood(): void {
    try {
      copyFileSync(this.o.configFile, this.lastGoodFile);
    } catch (e) {
      this.o.log.warn({ err: e }, 'could not keep a copy of the config file that started');
    }
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
