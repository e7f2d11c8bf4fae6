import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import { parseConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import { startService, type Service } from '../../src/service';
import type { StatusEvent } from '../../src/status/contract';
import { StatusCore } from '../../src/status/core';
import { startStatusServer, type StatusServer } from '../../src/status/server';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';

/** The product behind its status API on loopback, as a test drives it. */
export interface StatusStack {
  readonly sim: IppSimulator;
  readonly service: Service;
  readonly core: StatusCore;
  readonly server: StatusServer;
  /** The status server's address without a trailing slash. */
  readonly base: string;
  /** Every event the page would receive on /api/events, in order. */
  readonly events: StatusEvent[];
}

/**
 * Starts the simulated IPP terminal, the service from the config `configOf(simPort, dataDir)` gives (status off: the
 * test's own status server serves it), the status core and server, and a WebSocket on the event stream. Call at the
 * top level of a test file; whatever a test started is stopped after it.
 */
export function statusStacks(): (
  configOf: (simPort: number, dataDir: string) => Record<string, unknown>,
) => Promise<StatusStack> {
  const stops: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });
  return async (configOf) => {
    const sim = new IppSimulator({ fast: true });
    const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
    stops.push(() => sim.close());
    const dir = mkdtempSync(join(tmpdir(), 'rb-status-stack-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = parseConfig({ ...configOf(simPort, dir), status: { enabled: false } });
    const service = await startService(config, { log: silentLogger(), status: false, bridge: { healthIntervalMs: 0 } });
    stops.push(() => service.close());
    const core = new StatusCore({ config, log: silentLogger() });
    core.attach(service);
    stops.push(() => core.detach());
    const server = await startStatusServer({ core, host: '127.0.0.1', port: 0, log: silentLogger() });
    stops.push(() => server.close());
    const base = server.url.replace(/\/$/, '');
    const events: StatusEvent[] = [];
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/events`, { headers: { origin: base } });
    stops.push(() => ws.close());
    ws.on('message', (m) => events.push(JSON.parse(String(m)) as StatusEvent));
    await once(ws, 'open');
    return { sim, service, core, server, base, events };
  };
}
