import type { TerminalConfig } from '../config/schema';
import type { Logger } from '../log/logger';
import type { TerminalDriver } from './driver';
import { IppDriver } from './ipp/driver';
import { IppSimulator } from './simulator/ipp-simulator';
import { resolveSecret, type SecretContext } from '../config/secrets';
import { createEposDriver, eposConfigWarnings } from './epos';
import { countingFetch, type GatewayCallCounter } from '../ops/metrics/gateway-calls';
import { createStreamIppLink, type IppLink } from './ipp/link';
import type { SerialConfig } from '../transport/serial/settings';
import { AUTO_PATH, describeSerial, openSerialStream, serialSettings } from '../transport/serial';
import { MYPOS_USB_IDS } from '../transport/usb/ids';
import { usbPlugHub, type UsbPlugEvent, type UsbPlugHub } from '../transport/usb';
import { errorText } from '../transport/usb/device-error';

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
  /** USB plug events (a terminal plugged back in is checked at once); null: none. Default: the `usb` package. */
  readonly plugEvents?: UsbPlugHub | null;
  /** Counts the ePOS drivers' calls to the myPOS API Gateway (metrics). */
  readonly gatewayCalls?: GatewayCallCounter;
}

/** Builds the driver for one configured terminal. The simulator is a real IPP server on loopback driven by the real IPP driver. */
export async function createTerminal(cfg: TerminalConfig, deps: TerminalDeps): Promise<CreatedTerminal> {
  const log = deps.log.child({ terminal: cfg.id });
  switch (cfg.driver) {
    case 'ipp': {
      const password =
        cfg.password === undefined
          ? undefined
          : resolveSecret(cfg.password, deps.secrets, `terminals.${cfg.id}.password`);
      const serial = cfg.transport.type === 'serial' ? serialIppLink(cfg.transport, log) : undefined;
      const driver = new IppDriver({
        id: cfg.id,
        ...(cfg.transport.type === 'tcp'
          ? { host: cfg.transport.host, port: cfg.transport.port }
          : { link: serial!.link }),
        ...(cfg.currency ? { currency: cfg.currency } : {}),
        ...(cfg.version ? { version: cfg.version } : {}),
        ...(password ? { password } : {}),
        ...(cfg.referenceNumberType ? { referenceNumberType: cfg.referenceNumberType } : {}),
        ...(cfg.amountDecimals !== undefined ? { amountDecimals: cfg.amountDecimals } : {}),
        ...(cfg.statusSelector ? { statusSelector: cfg.statusSelector } : {}),
        ...(cfg.lang ? { lang: cfg.lang } : {}),
        logger: log,
      });
      const stopWatching = serial ? watchReplug(serial.plugFilter, driver, log, deps.plugEvents) : () => undefined;
      return { driver, ...(cfg.currency ? { currency: cfg.currency } : {}), close: async () => stopWatching() };
    }
    case 'simulator': {
      const simulator = new IppSimulator({
        currency: cfg.currency,
        ...(cfg.stageDelayMs !== undefined ? { stageDelayMs: cfg.stageDelayMs } : {}),
      });
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
      const driver = createEposDriver(cfg, {
        secrets: deps.secrets,
        log,
        ...(deps.gatewayCalls ? { fetch: countingFetch(deps.gatewayCalls) } : {}),
      });
      return { driver, ...(cfg.currency ? { currency: cfg.currency } : {}), close: async () => undefined };
    }
  }
}

/**
 * IPP over a serial port (mypos-ipp.md §1): a myPOS terminal on a USB cable (CDC-ACM) or a Bluetooth SPP port,
 * 115200 8N1 unless configured otherwise; DTR/RTS asserted ("if the terminal never answers, try asserting DTR/RTS";
 * refused on some ports, which is tolerated). The port stays open between requests and is reopened by the link on the
 * next request after it closed (unplug); path "auto" finds the terminal by its USB id on every open.
 */
function serialIppLink(
  transport: SerialConfig,
  log: Logger,
): { link: IppLink; plugFilter: (e: UsbPlugEvent) => boolean } {
  const s = serialSettings(transport, 'ipp');
  const settings = { ...s, dtr: s.dtr ?? true, rts: s.rts ?? true };
  const link = createStreamIppLink({
    open: () => openSerialStream(settings, { log }),
    description: describeSerial(settings),
    logger: log,
  });
  // "auto" waits for a myPOS id; a named port may sit behind any USB-serial adapter, so any attach counts.
  const plugFilter =
    settings.path === AUTO_PATH
      ? (e: UsbPlugEvent) => MYPOS_USB_IDS.some((id) => id.vendorId === e.vendorId && id.productId === e.productId)
      : () => true;
  return { link, plugFilter };
}

/**
 * When a USB device that may be the terminal is plugged in, ask the terminal for its health at once: that reopens
 * the port and PINGs (under the driver's lock, so never in the middle of a payment). In-doubt payments are then
 * resolved by the bridge's recovery, which asks the terminal on its own schedule.
 */
function watchReplug(
  filter: (e: UsbPlugEvent) => boolean,
  driver: IppDriver,
  log: Logger,
  hub: UsbPlugHub | null | undefined,
): () => void {
  const events = hub === undefined ? usbPlugHub() : hub;
  if (!events) return () => undefined;
  try {
    return events.subscribe((e) => {
      if (e.type !== 'attach' || !filter(e)) return;
      log.info('USB device plugged in: checking the terminal');
      driver.health().then(
        (h) => log.info({ online: h.online, message: h.message }, 'terminal checked after plug-in'),
        (err: unknown) => log.warn({ err: errorText(err) }, 'terminal check after plug-in failed'),
      );
    });
  } catch (e) {
    log.debug({ err: errorText(e) }, 'USB plug events are not available; the port is reopened on the next request');
    return () => undefined;
  }
}

/** The same driver with a different description (the simulator is an IPP driver on a built-in terminal). */
function withInfo(driver: TerminalDriver, info: { driver: string; link: string }): TerminalDriver {
  const merged = { ...driver.info, ...info };
  return new Proxy(driver, {
    get: (target, prop, receiver) => (prop === 'info' ? merged : Reflect.get(target, prop, receiver)),
  });
}
