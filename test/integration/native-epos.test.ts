import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEposDemo, type EposDemo } from '../../src/terminal/simulator/epos-demo';
import { parseConfig } from '../../src/config/load';
import { startService, type Service } from '../../src/service';
import { silentLogger } from '../../src/log/logger';
import { NativeClient } from '../helpers/native-client';

let demo: EposDemo | undefined;
let service: Service | undefined;
let dir: string | undefined;
const clients: NativeClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await service?.close();
  await demo?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  service = undefined;
  demo = undefined;
});

async function start(): Promise<NativeClient> {
  demo = await startEposDemo('cloud');
  dir = mkdtempSync(join(tmpdir(), 'rb-epos-'));
  const config = parseConfig({
    dataDir: dir,
    listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
    terminals: [{ ...demo.config, pollIntervalMs: 100 }],
    status: { enabled: false },
  });
  service = await startService(config, { log: silentLogger(), status: false, bridge: { healthIntervalMs: 0 } });
  const c = await NativeClient.open(service.listeners[0]!.port!);
  clients.push(c);
  return c;
}

const sale = (id: string, ref: string, amount: number) => ({ op: 'sale', id, ref, amount, currency: 'EUR' });

describe('native register → bridge → ePOS driver → API Gateway (fake, real HTTP)', () => {
  it('approved sale, charged once at the gateway; a resend of the ref creates nothing', async () => {
    const pos = await start();
    const r = await pos.request(sale('1', 'E-1', 2500));
    expect(r).toMatchObject({ type: 'result', outcome: 'approved', amount: 2500, currency: 'EUR', terminal: 'cloud' });
    expect(pos.of('1').some((m) => m.type === 'progress' && m.stage === 'present_card')).toBe(true);
    expect(await pos.request(sale('2', 'E-1', 2500))).toMatchObject({ outcome: 'approved', attached: true });
    expect(demo!.gateway.paymentsWithReference('E-1')).toHaveLength(1);
    expect(demo!.gateway.duplicateReferences()).toEqual([]);
  });

  it('decline and cardholder cancel', async () => {
    const pos = await start();
    expect(await pos.request(sale('1', 'E-D', 1051))).toMatchObject({ outcome: 'declined' });
    expect(await pos.request(sale('2', 'E-C', 1013))).toMatchObject({ outcome: 'cancelled' });
  });

  it('register cancel takes effect while the cardholder has not paid; too late after approval', async () => {
    const pos = await start();
    demo!.gateway.hold();
    const created = once(demo!.gateway, 'payment');
    pos.send(sale('1', 'E-X', 3000));
    await created;
    demo!.gateway.hold();
    const c = await pos.request({ op: 'cancel', id: '2', ref: 'E-X' }, ['cancel']);
    expect(c).toMatchObject({ tookEffect: true });
    expect(await pos.waitFor((m) => m.id === '1' && m.type === 'result')).toMatchObject({
      outcome: 'cancelled',
      cancelTookEffect: true,
    });
    demo!.gateway.release();
    expect(await pos.request(sale('3', 'E-L', 3100))).toMatchObject({ outcome: 'approved' });
    expect(await pos.request({ op: 'cancel', id: '4', ref: 'E-L' }, ['cancel'])).toMatchObject({ tookEffect: false });
  });

  it('reversal and refund', async () => {
    const pos = await start();
    expect(await pos.request(sale('1', 'E-R', 4000))).toMatchObject({ outcome: 'approved' });
    expect(await pos.request({ op: 'reversal', id: '2', ref: 'E-R' })).toMatchObject({
      kind: 'reversal',
      outcome: 'approved',
    });
    expect(await pos.request({ op: 'status', id: '3', ref: 'E-R' }, ['status'])).toMatchObject({ reversed: true });
    expect(await pos.request({ op: 'refund', id: '4', ref: 'E-RF', amount: 700, currency: 'EUR' })).toMatchObject({
      kind: 'refund',
      outcome: 'approved',
    });
  });
});
