/**
 * A terminal that disappears while idle is known offline within seconds, not at the next 30-second health check:
 * the bridge probes idle IPP terminals (one PING every 2 s), the status flips at once, a sale started meanwhile is
 * refused with terminal_offline at once (nothing recorded, nothing sent), and the terminal is ready again within
 * seconds of its return. Bounds are measured with a wide margin against the production probe interval.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TerminalView } from '../../src/bridge/api';
import type { Service } from '../../src/service';
import { startIppService } from '../helpers/ipp-service';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { NativeClient } from '../helpers/native-client';
import { tempDirs } from '../helpers/temp-dirs';

const tmp = tempDirs('rb-offline-');
const stops: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function start(): Promise<{ service: Service; sim: IppSimulator; simPort: number }> {
  // The production health interval (30 s) and the driver's own probe interval: the probe alone must find it.
  return startIppService(tmp(), (fn) => stops.push(fn));
}

function nextState(service: Service, state: TerminalView['state'], timeoutMs = 15_000): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    if (service.bridge.terminals()[0]!.state === state) return resolve(0);
    const timer = setTimeout(() => reject(new Error(`terminal not ${state} within ${timeoutMs} ms`)), timeoutMs);
    const on = (v: TerminalView): void => {
      if (v.state !== state) return;
      clearTimeout(timer);
      service.bridge.off('terminal', on);
      resolve(Date.now() - t0);
    };
    service.bridge.on('terminal', on);
  });
}

describe('a terminal that disappears while idle', () => {
  it('is offline within 5 s, refuses a sale at once with terminal_offline, and is ready within 5 s of its return', async () => {
    const { service, sim, simPort } = await start();
    await nextState(service, 'ready');

    await sim.close();
    const offlineAfter = await nextState(service, 'offline');
    expect(offlineAfter).toBeLessThan(5000);
    expect(service.bridge.terminals()[0]!.message).toMatch(/cannot be reached/);

    const c = await NativeClient.open(service.listeners[0]!.port!);
    stops.push(() => c.close());
    const t0 = Date.now();
    const answer = await c.request({ op: 'sale', id: '1', ref: 'OFF-1', amount: 1234, currency: 'EUR' });
    const waited = Date.now() - t0;
    expect(answer).toMatchObject({ type: 'error', code: 'terminal_offline' });
    // "At once": no connect attempt in the sale's path (the IPP connect timeout is 5 s).
    expect(waited).toBeLessThan(1000);
    expect(service.journal.list({})).toHaveLength(0);

    // The terminal comes back at the same address (a new simulator: a closed one stays closed).
    const back = new IppSimulator({ fast: true });
    await back.listen({ host: '127.0.0.1', port: simPort });
    stops.push(() => back.close());
    const backAfter = await nextState(service, 'ready');
    expect(backAfter).toBeLessThan(5000);

    // The same ref goes through now that the terminal is back: nothing was recorded under it.
    const ok = await c.request({ op: 'sale', id: '2', ref: 'OFF-1', amount: 1234, currency: 'EUR' });
    expect(ok).toMatchObject({ type: 'result', outcome: 'approved' });
    expect(back.netCharges(service.journal.list({})[0]!.bridgeRef)).toBe(1);
  });
});
