/**
 * The product with one TCP listener of every register protocol, to attack (attack-frames.ts has what to send).
 * Shared by the raw-socket attack tests, the flood test and the browser attack test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load';
import { silentLogger, type Logger } from '../../src/log/logger';
import { startService, type Service } from '../../src/service';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { LISTENER_PROTOCOLS, type ListenerProtocol } from './attack-frames';

export * from './attack-frames';

export interface AttackStack {
  readonly sim: IppSimulator;
  readonly service: Service;
  readonly dataDir: string;
  /** TCP port of each protocol's listener. */
  readonly ports: Record<ListenerProtocol, number>;
  close(): Promise<void>;
}

let n = 0;

/** The product with one loopback TCP listener of every register protocol on one simulated myPOS terminal. */
export async function startAttackStack(
  o: { log?: Logger; listener?: Record<string, unknown> } = {},
): Promise<AttackStack> {
  const sim = new IppSimulator({ fast: true });
  const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
  const dataDir = mkdtempSync(join(tmpdir(), 'rb-attack-'));
  const tcp = { type: 'tcp', host: '127.0.0.1', port: 0 };
  // Capture listener ids are unique per stack: the capture registry is one per process.
  const suffix = ++n;
  const config = parseConfig({
    dataDir,
    listeners: LISTENER_PROTOCOLS.map((protocol) => ({
      id: `${protocol === 'pole-display' ? 'pole' : protocol}${suffix}`,
      protocol,
      transport: tcp,
      ...(protocol === 'zvt' ? { password: '000000', options: { receipts: 'off' } } : {}),
      ...(protocol === 'pole-display' ? { options: { stableMs: 50 } } : {}),
      ...(protocol === 'caisse-ap' ? { options: { quietMs: 50 } } : {}),
      ...(protocol === 'ecr17' ? { options: { terminalId: '12345678' } } : {}),
      ...o.listener,
    })),
    terminals: [
      { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
    ],
    status: { enabled: false },
  });
  const service = await startService(config, {
    log: o.log ?? silentLogger(),
    status: false,
    bridge: {
      busyBackoffMs: 10,
      deliveryTimeoutMs: 5000,
      recoveryMinMs: 50,
      recoveryMaxMs: 200,
      healthIntervalMs: 0,
      inDoubtLookupDelayMs: 20,
    },
  });
  const ports = Object.fromEntries(LISTENER_PROTOCOLS.map((p, i) => [p, service.listeners[i]!.port!])) as Record<
    ListenerProtocol,
    number
  >;
  return {
    sim,
    service,
    dataDir,
    ports,
    async close() {
      await service.close();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
