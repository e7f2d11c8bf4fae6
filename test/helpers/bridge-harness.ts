import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IppSimulator, type IppSimulatorOptions } from '../../src/terminal/simulator/ipp-simulator';
import { parseConfig } from '../../src/config/load';
import { startService, type Service, type ServiceOptions } from '../../src/service';
import { silentLogger } from '../../src/log/logger';
import { NativeClient } from './native-client';

/**
 * The whole product on loopback: the simulated myPOS terminal as its own IPP server, the bridge configured with
 * an `ipp` terminal pointing at it (exactly as at a shop), and native listeners for registers.
 */
export interface Harness {
  readonly sim: IppSimulator;
  readonly service: Service;
  readonly port: number;
  readonly dataDir: string;
  client(): Promise<NativeClient>;
  restart(): Promise<Harness>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: {
    sim?: IppSimulatorOptions;
    listener?: Record<string, unknown>;
    service?: Partial<ServiceOptions>;
    dataDir?: string;
    simulator?: IppSimulator;
    /** More config sections (e.g. merchant) */ config?: Record<string, unknown>;
  } = {},
): Promise<Harness> {
  const sim = opts.simulator ?? new IppSimulator({ fast: true, ...opts.sim });
  const simPort = sim.port ?? (await sim.listen({ host: '127.0.0.1', port: 0 }));
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'rb-test-'));
  const config = parseConfig({
    dataDir,
    listeners: [
      { id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 }, ...opts.listener },
    ],
    terminals: [
      { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
    ],
    status: { enabled: false },
    ...opts.config,
  });
  const service = await startService(config, {
    log: silentLogger(),
    status: false,
    bridge: {
      busyBackoffMs: 10,
      deliveryTimeoutMs: 5000,
      recoveryMinMs: 50,
      recoveryMaxMs: 200,
      healthIntervalMs: 0,
      inDoubtLookupDelayMs: 20,
    },
    ...opts.service,
  });
  const clients: NativeClient[] = [];
  const h: Harness = {
    sim,
    service,
    port: service.listeners[0]!.port!,
    dataDir,
    async client() {
      const c = await NativeClient.open(h.port);
      clients.push(c);
      return c;
    },
    async restart() {
      for (const c of clients) c.close();
      await service.close();
      return startHarness({ ...opts, dataDir, simulator: sim });
    },
    async close() {
      for (const c of clients) c.close();
      await service.close();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}
