/**
 * Capture modes over real TCP through the whole product: the register writes to the bridge as if it were its pole
 * display or receipt printer, the bridge passes every byte on to a real device (here a TCP sink), charges the
 * total on the simulated myPOS terminal, and holds a repeated total for confirmation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import {
  type CaptureRegistry,
  type CaptureRecord,
  type PendingConfirmation,
} from '../../src/register/capture/capture-registry';
import { startService, type Service } from '../../src/service';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { loadFixture } from '../fixtures/capture/load';

/** The capture registry of the running service. */
const captures = (): CaptureRegistry => current!.service.registers.captures;

/** A stand-in for the real display or printer: records each connection's bytes. */
class Sink extends EventEmitter {
  readonly connections: Buffer[][] = [];
  private server: Server | undefined;
  port = 0;

  async listen(): Promise<void> {
    this.server = createServer((socket) => {
      const chunks: Buffer[] = [];
      this.connections.push(chunks);
      socket.on('data', (b: Buffer) => {
        chunks.push(b);
        this.emit('data');
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as { port: number }).port;
  }

  bytes(connection: number): Buffer {
    return Buffer.concat(this.connections[connection] ?? []);
  }

  async until(cond: () => boolean, what: string): Promise<void> {
    const t = setTimeout(() => this.emit('timeout'), 20_000);
    try {
      while (!cond()) {
        const [ev] = await Promise.race([
          once(this, 'data').then(() => ['data']),
          once(this, 'timeout').then(() => ['timeout']),
        ]);
        if (ev === 'timeout' && !cond()) throw new Error(`sink: ${what} did not happen`);
      }
    } finally {
      clearTimeout(t);
    }
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

interface Setup {
  readonly sim: IppSimulator;
  readonly service: Service;
  readonly sink: Sink;
  readonly dataDir: string;
  readonly listener: string;
  readonly port: number;
}

let current: Setup | undefined;
const sockets: Socket[] = [];
let n = 0;

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  if (current) {
    await captures().idle();
    await current.service.close();
    await current.sim.close();
    await current.sink.close();
    rmSync(current.dataDir, { recursive: true, force: true });
    current = undefined;
  }
});

async function start(protocol: 'pole-display' | 'printer', options: Record<string, unknown> = {}): Promise<Setup> {
  const sim = new IppSimulator({ fast: true });
  const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
  const sink = new Sink();
  await sink.listen();
  const dataDir = mkdtempSync(join(tmpdir(), 'rb-capture-'));
  // Listener ids are unique per test: the capture registry is one per process.
  const listener = `${protocol === 'printer' ? 'prn' : 'pole'}${++n}`;
  const config = parseConfig({
    dataDir,
    listeners: [
      {
        id: listener,
        protocol,
        transport: { type: 'tcp', host: '127.0.0.1', port: 0 },
        options: { forward: { type: 'tcp', host: '127.0.0.1', port: sink.port }, ...options },
      },
    ],
    terminals: [
      { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
    ],
    status: { enabled: false },
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
  });
  current = { sim, service, sink, dataDir, listener, port: service.listeners[0]!.port! };
  return current;
}

function register(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s));
    sockets.push(s);
    s.on('error', reject);
  });
}

/** The next capture event of a listener that satisfies `pred`. */
function capture(listener: string, pred: (c: CaptureRecord) => boolean): Promise<CaptureRecord> {
  const seen = captures()
    .recentCaptures(100)
    .find((c) => c.listener === listener && pred(c));
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no matching capture for ${listener}`)), 20_000);
    const on = (c: CaptureRecord): void => {
      if (c.listener !== listener || !pred(c)) return;
      clearTimeout(t);
      captures().off('capture', on);
      resolve(c);
    };
    captures().on('capture', on);
  });
}

async function settled(s: Setup): Promise<void> {
  const until = Date.now() + 10_000;
  while (s.sim.openTransaction() !== undefined && Date.now() < until) await once(s.sim, 'ledger');
  expect(s.sim.openTransaction()).toBeUndefined();
}

describe('capture over TCP → bridge → IPP terminal', () => {
  it('a pole display stream starts one approved payment; the real display gets every byte unchanged', async () => {
    const s = await start('pole-display', { stableMs: 100 });
    const fixture = loadFixture('pole-cd5220.esc');
    const pos = await register(s.port);
    pos.write(fixture.bytes);
    const done = await capture(s.listener, (c) => c.outcome !== null);
    expect(done).toMatchObject({
      outcome: 'approved',
      amount: { minor: 1234, currency: 'EUR' },
      ref: expect.stringMatching(/^POLE-\d{8}-0001$/),
      mode: 'pole-display',
    });
    await s.sink.until(() => s.sink.bytes(0).length >= fixture.bytes.length, 'display bytes');
    expect(s.sink.bytes(0).equals(fixture.bytes)).toBe(true);
    await settled(s);
    expect(s.sim.netCharges(done.ref)).toBe(1);
    const journal = s.service.bridge.status({ listener: s.listener, register: s.listener }, done.ref);
    expect(journal).toMatchObject({ outcome: 'approved', delivered: true, amount: { minor: 1234, currency: 'EUR' } });
  });

  it('a printer job starts one approved payment; the printer gets the job byte for byte and the slip after it', async () => {
    const s = await start('printer', { slip: true });
    const fixture = loadFixture('receipt-summe-eur.esc');
    const pos = await register(s.port);
    const ended = once(pos, 'end');
    pos.end(fixture.bytes);
    const done = await capture(s.listener, (c) => c.outcome !== null);
    expect(done).toMatchObject({
      outcome: 'approved',
      amount: { minor: 123456, currency: 'EUR' },
      ref: expect.stringMatching(/^PRN-\d{8}-0001$/),
      mode: 'printer',
    });
    await ended;
    await s.sink.until(
      () => s.sink.connections.length === 2 && s.sink.bytes(1).includes(Buffer.from('\x1dVB\x00', 'latin1')),
      'slip',
    );
    expect(s.sink.bytes(0).equals(fixture.bytes)).toBe(true);
    const slip = s.sink.bytes(1).toString('latin1');
    expect(slip).toContain('APPROVED\n');
    expect(slip).toContain(`Ref  ${done.ref}\n`);
    await settled(s);
    expect(s.sim.netCharges(done.ref)).toBe(1);
  });

  it('the same total printed again within the window is held for confirmation, then charged on confirm', async () => {
    const s = await start('printer');
    const fixture = loadFixture('receipt-total-comma.esc');
    const first = await register(s.port);
    first.end(fixture.bytes);
    const approved = await capture(s.listener, (c) => c.outcome === 'approved');
    await settled(s);

    const held = new Promise<PendingConfirmation>((resolve) => captures().once('pending', resolve));
    const again = await register(s.port);
    again.end(fixture.bytes);
    const pending = await held;
    expect(pending).toMatchObject({
      listener: s.listener,
      amount: { minor: 1234, currency: 'EUR' },
      previousRef: approved.ref,
      times: 1,
    });
    expect(
      captures()
        .listPendingConfirmations()
        .filter((p) => p.listener === s.listener),
    ).toHaveLength(1);
    // Not charged: the journal knows one payment of this listener.
    expect(s.service.journal.list({ register: s.listener })).toHaveLength(1);

    const { ref } = captures().confirm(pending.id);
    expect(ref).not.toBe(approved.ref);
    expect(await capture(s.listener, (c) => c.ref === ref && c.outcome !== null)).toMatchObject({
      outcome: 'approved',
      confirmed: true,
    });
    await settled(s);
    expect(s.service.journal.list({ register: s.listener })).toHaveLength(2);
    expect(
      captures()
        .listPendingConfirmations()
        .filter((p) => p.listener === s.listener),
    ).toHaveLength(0);
  });
});
