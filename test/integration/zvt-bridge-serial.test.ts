/**
 * The whole product with a ZVT register on a serial line: the bridge's ZVT listener (started from a config by the
 * real service) opens one end of a socat pty pair, the register written here the other; payments run on the
 * simulated myPOS terminal over IPP on loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BMP, parseBmps } from '../../src/register/zvt/bmp';
import { startHarness } from '../helpers/bridge-harness';
import { ensureTool } from '../helpers/system-tools';
import { TestEcr } from '../unit/zvt-helpers';

let socat: ChildProcess | undefined;
let dir = '';

beforeAll(async () => {
  const bin = ensureTool('socat', 'socat');
  dir = mkdtempSync(join(tmpdir(), 'zvt-line-'));
  socat = spawn(
    bin,
    ['-d', '-d', `pty,raw,echo=0,link=${join(dir, 'bridge')}`, `pty,raw,echo=0,link=${join(dir, 'register')}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let log = '';
    socat!.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('starting data transfer loop')) resolve();
    });
    socat!.once('exit', (code) => reject(new Error(`socat exited (${code}): ${log}`)));
  });
});

afterAll(() => {
  if (socat?.pid) process.kill(socat.pid);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ZVT register on a serial line → bridge → simulated myPOS terminal', () => {
  it('registration and an approved payment, committed by the register, completed on the terminal', async () => {
    const h = await startHarness({
      listener: {
        protocol: 'zvt',
        transport: { type: 'serial', path: join(dir, 'bridge') },
        options: { receipts: 'off' },
      },
    });
    const port = new SerialPort({
      path: join(dir, 'register'),
      baudRate: 9600,
      dataBits: 8,
      parity: 'none',
      stopBits: 2,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    try {
      const ecr = new TestEcr({ write: (b) => port.write(b), onData: (l) => port.on('data', l) }, 'serial');
      await ecr.send('06 00 04 00 00 00 3A');
      await ecr.expect('80 00 00');
      const completion = await ecr.next();
      expect([completion.cls, completion.instr]).toEqual([0x06, 0x0f]);
      await ecr.ack();

      await ecr.send('06 01 07 04 00 00 00 00 10 00'); // EUR 10.00: a DLE byte on the line
      await ecr.expect('80 00 00');
      let info = await ecr.next();
      while (info.cls === 0x04 && info.instr === 0xff) {
        await ecr.ack();
        info = await ecr.next();
      }
      expect([info.cls, info.instr]).toEqual([0x04, 0x0f]);
      const bmps = parseBmps(info.data);
      expect(bmps.get(BMP.resultCode)).toBe(0x00);
      expect(bmps.get(BMP.amount)).toBe(1000);
      await ecr.ack();
      await ecr.expect('06 0F 00');
      await ecr.ack();

      const payment = h.service.bridge.last({ listener: 'pos', register: 'pos' })!;
      expect(payment).toMatchObject({
        outcome: 'approved',
        acknowledged: true,
        amount: { minor: 1000, currency: 'EUR' },
      });
      while (h.sim.openTransaction() !== undefined) await once(h.sim, 'ledger');
      expect(h.sim.netCharges(payment.ref)).toBe(1);
    } finally {
      await new Promise<void>((resolve) => port.close(() => resolve()));
      await h.close();
    }
  });
});
