import { BridgeError } from '../domain/errors';
import type { TerminalConfig } from '../config/schema';
import type { Logger } from '../log/logger';
import type { TerminalDriver } from './driver';
import { IppDriver } from './ipp/driver';
import { IppSimulator } from './simulator/ipp-simulator';
import { resolveSecret, type SecretContext } from '../config/secrets';
import { createEposDriver, eposConfigWarnings } from './epos';

export interface CreatedTerminal {
  readonly driver: TerminalDriver;
  readonly currency?: string;
  /** Extra things to stop with the terminal (the built-in simulator's server). */
  close(): Promise<void>;
  /** Where the built-in simulator listens, for `--demo` output. */
  readonly simulatorAddress?: string;
}

export interface TerminalDeps {
  readonly log: Logger;
  readonly secrets: SecretContext;
}

/** Builds the driver for one configured terminal. The simulator is a real IPP server on loopback driven by the real IPP driver. */
export async function createTerminal(cfg: TerminalConfig, deps: TerminalDeps): Promise<CreatedTerminal> {
  const log = deps.log.child({ terminal: cfg.id });
  switch (cfg.driver) {
    case 'ipp': {
      if (cfg.transport.type !== 'tcp') {
        throw new BridgeError('config_invalid', `terminals "${cfg.id}": IPP over a serial port is not available in this build`);
      }
      const password = cfg.password === undefined ? undefined : resolveSecret(cfg.password, deps.secrets, `terminals.${cfg.id}.password`);
      const driver = new IppDriver({
        id: cfg.id,
        host: cfg.transport.host,
        port: cfg.transport.port,
        ...(cfg.currency ? { currency: cfg.currency } : {}),
        ...(cfg.version ? { version: cfg.version } : {}),
        ...(password ? { password } : {}),
        ...(cfg.referenceNumberType ? { referenceNumberType: cfg.referenceNumberType } : {}),
        ...(cfg.amountDecimals !== undefined ? { amountDecimals: cfg.amountDecimals } : {}),
        ...(cfg.statusSelector ? { statusSelector: cfg.statusSelector } : {}),
        ...(cfg.lang ? { lang: cfg.lang } : {}),
        logger: log,
      });
      return { driver, ...(cfg.currency ? { currency: cfg.currency } : {}), close: async () => undefined };
    }
    case 'simulator': {
      const simulator = new IppSimulator({ currency: cfg.currency, ...(cfg.stageDelayMs !== undefined ? { stageDelayMs: cfg.stageDelayMs } : {}) });
      const port = await simulator.listen({ host: '127.0.0.1', port: cfg.port ?? 0 });
      const driver = new IppDriver({ id: cfg.id, host: '127.0.0.1', port, currency: cfg.currency, logger: log });
      return {
        driver: withInfo(driver, { driver: 'simulator', link: `simulated myPOS terminal (IPP on 127.0.0.1:${port})` }),
        currency: cfg.currency,
        simulatorAddress: `127.0.0.1:${port}`,
        close: () => simulator.close(),
      };
    }
    case 'epos': {
      for (const w of eposConfigWarnings(cfg)) log.warn(w);
      const driver = createEposDriver(cfg, { secrets: deps.secrets, log });
      return { driver, ...(cfg.currency ? { currency: cfg.currency } : {}), close: async () => undefined };
    }
  }
}

/** The same driver with a different description (the simulator is an IPP driver on a built-in terminal). */
function withInfo(driver: TerminalDriver, info: { driver: string; link: string }): TerminalDriver {
  const merged = { ...driver.info, ...info };
  return new Proxy(driver, { get: (target, prop, receiver) => (prop === 'info' ? merged : Reflect.get(target, prop, receiver)) });
}
