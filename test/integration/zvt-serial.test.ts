/**
 * ZVT over a real serial line: a pty pair from socat stands in for the null-modem cable. The terminal side is the
 * ZVT session on one end (opened with serialport, 9600 8N2 as the spec says), the register is written here on the
 * other end with the product's own DLE/CRC framing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../src/register/zvt/bcd';
import { zvtSerialProtocol } from '../../src/register/zvt/session';
import { ensureTool } from '../helpers/system-tools';
import { APPROVED_MC, FakeBridgeApi, TestEcr, contextFor, hex, norm } from '../unit/zvt-helpers';

let socat: ChildProcess | undefined;
let dir = '';
let ptPath = '';
let ecrPath = '';

beforeAll(async () => {
  const bin = ensureTool('socat', 'socat');
  dir = mkdtempSync(join(tmpdir(), 'zvt-pty-'));
  ptPath = join(dir, 'pt');
  ecrPath = join(dir, 'ecr');
  socat = spawn(bin, ['-d', '-d', `pty,raw,echo=0,link=${ptPath}`, `pty,raw,echo=0,link=${ecrPath}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // socat says "starting data transfer loop" once both ptys exist.
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

function openPort(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 2, autoOpen: false });
    port.open((err) => (err ? reject(err) : resolve(port)));
  });
}

function closePort(port: SerialPort): Promise<void> {
  return new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
}

describe('ZVT over a serial pty pair', () => {
  it('registration byte for byte, an approved payment with 04 FF and a status enquiry', async () => {
    const pt = await openPort(ptPath);
    const ecrPort = await openPort(ecrPath);
    try {
      const api = new FakeBridgeApi();
      zvtSerialProtocol({ options: { receipts: 'off' } }).serve(pt, contextFor(api, `serial ${ptPath}`));
      const ecr = new TestEcr({ write: (b) => ecrPort.write(b), onData: (l) => ecrPort.on('data', l) }, 'serial');

      // §9 (h): ECR frame → PT 06 → PT frame 80 00 00 → ECR 06 → PT frame 06 0F … → ECR 06 → ECR frame 80 00 00 → PT 06
      await ecr.send('06 00 04 00 00 00 3A'); // resolves on the terminal's ACK
      await ecr.expect('80 00 00');
      await ecr.expect('06 0F 07 19 00 29 12 34 56 78');
      await ecr.ack();
      expect(toHex(ecr.raw)).toBe(
        norm('06 10 02 80 00 00 10 03 F5 1F 10 02 06 0F 07 19 00 29 12 34 56 78 10 03 52 23 06'),
      );

      // an authorization whose amount contains a DLE byte (10 00): stuffed on the line, intact in the bridge
      await ecr.send('06 01 07 04 00 00 00 00 10 00');
      await ecr.expect('80 00 00');
      const run = await api.submits.next();
      expect(run.request.amount).toEqual({ minor: 1000, currency: 'EUR' });
      run.stage('present_card');
      await ecr.expect('04 FF 01 0A');
      await ecr.ack();
      run.finish({ ...APPROVED_MC, receiptNo: 1010 });
      const info = await ecr.next();
      expect(toHex(info.data)).toContain(norm('87 10 10'));
      await ecr.ack();
      expect(await api.deliveries.next()).toEqual({ ref: run.request.ref, how: 'acknowledged', kind: 'sale' });
      await ecr.expect('06 0F 00');
      await ecr.ack();

      await ecr.send('05 01 03 00 00 00');
      await ecr.expect('80 00 00');
      await ecr.expect('06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00');
      await ecr.ack();

      // a damaged frame gets NAK, and the line keeps serving
      const before = ecr.raw.length;
      const nak = new Promise<void>((resolve) => {
        const check = (): void => {
          if (ecr.raw.length > before) {
            ecrPort.off('data', check);
            resolve();
          }
        };
        ecrPort.on('data', check);
      });
      ecrPort.write(hex('10 02 05 01 03 00 00 00 10 03 DF DC'));
      await nak;
      expect(ecr.raw.subarray(before)).toEqual(hex('15'));
      await ecr.send('05 01 03 00 00 00');
      await ecr.expect('80 00 00');
      await ecr.expect('06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00');
      await ecr.ack();
    } finally {
      await closePort(ecrPort);
      await closePort(pt);
    }
  });
});
