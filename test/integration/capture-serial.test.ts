/**
 * Forwarding to a real COM-port device: the bridge takes a print job over TCP and passes it on over a serial
 * port (a real pty pair from socat), byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { parseConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import type { CaptureRecord } from '../../src/register/capture/capture-registry';
import { startService, type Service } from '../../src/service';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { ensureTool } from '../helpers/system-tools';
import { loadFixture } from '../fixtures/capture/load';

let socat: ChildProcess | undefined;
let dir = '';
let printerSide = '';
let bridgeSide = '';

beforeAll(async () => {
  const bin = ensureTool('socat', 'socat');
  dir = mkdtempSync(join(tmpdir(), 'rb-pty-'));
  bridgeSide = join(dir, 'bridge');
  printerSide = join(dir, 'printer');
  socat = spawn(bin, ['-d', '-d', `pty,raw,echo=0,link=${bridgeSide}`, `pty,raw,echo=0,link=${printerSide}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // socat reports "starting data transfer loop" once both ptys exist.
  await new Promise<void>((resolve, reject) => {
    let err = '';
    socat!.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      if (err.includes('starting data transfer loop') && existsSync(bridgeSide) && existsSync(printerSide)) resolve();
    });
    socat!.once('exit', (code) => reject(new Error(`socat exited (${code}): ${err}`)));
  });
});

afterAll(() => {
  if (socat?.pid) process.kill(socat.pid);
  rmSync(dir, { recursive: true, force: true });
});

describe('capture forwarding to a serial device', () => {
  it('a print job taken over TCP reaches the COM-port printer unchanged, and is charged once', async () => {
    const printer = new SerialPort({ path: printerSide, baudRate: 9600 });
    const received: Buffer[] = [];
    let wake: (() => void) | undefined;
    printer.on('data', (b: Buffer) => {
      received.push(b);
      wake?.();
    });
    await new Promise<void>((r, j) => (printer.isOpen ? r() : printer.once('open', () => r()).once('error', j)));

    const sim = new IppSimulator({ fast: true });
    const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
    const dataDir = mkdtempSync(join(tmpdir(), 'rb-capture-serial-'));
    let service: Service | undefined;
    try {
      const config = parseConfig({
        dataDir,
        listeners: [
          {
            id: 'prn-serial',
            protocol: 'printer',
            transport: { type: 'tcp', host: '127.0.0.1', port: 0 },
            options: { forward: { type: 'serial', path: bridgeSide, baudRate: 9600 } },
          },
        ],
        terminals: [
          { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
        ],
        status: { enabled: false },
      });
      service = await startService(config, {
        log: silentLogger(),
        status: false,
        bridge: { healthIntervalMs: 0, deliveryTimeoutMs: 5000 },
      });
      const captures = service.registers.captures;
      const fixture = loadFixture('receipt-total-colon.esc');
      const done = new Promise<CaptureRecord>((resolve) => {
        const on = (c: CaptureRecord): void => {
          if (c.listener === 'prn-serial' && c.outcome !== null) {
            captures.off('capture', on);
            resolve(c);
          }
        };
        captures.on('capture', on);
      });
      const pos = connect({ port: service.listeners[0]!.port!, host: '127.0.0.1', allowHalfOpen: true });
      pos.on('error', () => undefined);
      pos.end(fixture.bytes);

      const deadline = Date.now() + 20_000;
      while (Buffer.concat(received).length < fixture.bytes.length && Date.now() < deadline) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 1000).unref();
        });
      }
      expect(Buffer.concat(received).equals(fixture.bytes)).toBe(true);
      expect(await done).toMatchObject({ outcome: 'approved', amount: { minor: 1234, currency: 'EUR' } });
      await captures.idle();
      pos.destroy();
    } finally {
      await service?.close();
      await sim.close();
      await new Promise<void>((r) => (printer.isOpen ? printer.close(() => r()) : r()));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
