/**
 * The simple text protocol over real TCP through the whole product: startService with a text listener (our own
 * config), an IPP terminal pointing at the simulated myPOS terminal, a real SQLite journal.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import { startService, type Service } from '../../src/service';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';

interface Setup {
  readonly sim: IppSimulator;
  readonly service: Service;
  readonly port: number;
  readonly dataDir: string;
}

let current: Setup | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  if (current) {
    await current.service.close();
    await current.sim.close();
    rmSync(current.dataDir, { recursive: true, force: true });
    current = undefined;
  }
});

async function start(options: Record<string, unknown> = {}): Promise<Setup> {
  const sim = new IppSimulator({ fast: true });
  const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
  const dataDir = mkdtempSync(join(tmpdir(), 'rb-text-'));
  const config = parseConfig({
    dataDir,
    listeners: [{ id: 'till', protocol: 'text', transport: { type: 'tcp', host: '127.0.0.1', port: 0 }, options }],
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
  current = { sim, service, port: service.listeners[0]!.port!, dataDir };
  return current;
}

/** A register writing lines over TCP; collects the lines it receives (any line ending). */
class LineClient {
  readonly lines: string[] = [];
  private buf = '';
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      this.buf += text;
      const parts = this.buf.split(/\r\n|\n|\r/);
      this.buf = parts.pop()!;
      this.lines.push(...parts.filter((p) => p !== ''));
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new LineClient(s)));
      sockets.push(s);
      s.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** The first received line matching, waiting for it (event-driven, bounded). */
  async line(pred: (l: string) => boolean, timeoutMs = 20_000): Promise<string> {
    await this.until(() => this.lines.some(pred), timeoutMs);
    return this.lines.find(pred)!;
  }

  /** Waits, on each received chunk, until `cond` holds. */
  async until(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (cond()) return;
      if (this.socket.destroyed) throw new Error(`connection closed; got ${JSON.stringify(this.lines)}`);
      if (Date.now() > until) throw new Error(`no matching line; got ${JSON.stringify(this.lines)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 1000).unref();
      });
    }
  }
}

async function settled(s: Setup): Promise<void> {
  const until = Date.now() + 10_000;
  while (s.sim.openTransaction() !== undefined && Date.now() < until) await once(s.sim, 'ledger');
  expect(s.sim.openTransaction()).toBeUndefined();
}

describe('text protocol over TCP → bridge → IPP terminal', () => {
  it('approved sale: OK;ref;APPROVED;auth, recorded as delivered, charged once', async () => {
    const s = await start();
    const pos = await LineClient.open(s.port);
    pos.send('SALE;T-1;12.34;EUR\r\n');
    const answer = await pos.line((l) => l.startsWith('OK;T-1;'));
    expect(answer).toMatch(/^OK;T-1;APPROVED;\w+$/);
    await settled(s);
    expect(s.sim.netCharges('T-1')).toBe(1);
    const view = s.service.bridge.status({ listener: 'till', register: 'till' }, 'T-1');
    expect(view).toMatchObject({ outcome: 'approved', amount: { minor: 1234, currency: 'EUR' }, delivered: true });
  });

  it('declined sale (amount ending 51): OK;ref;DECLINED;51, nothing charged', async () => {
    const s = await start();
    const pos = await LineClient.open(s.port);
    pos.send('SALE;T-2;10.51\r\n');
    expect(await pos.line((l) => l.startsWith('OK;T-2;'))).toBe('OK;T-2;DECLINED;51');
    expect(s.sim.netCharges('T-2')).toBe(0);
  });

  it('bad lines are answered ERR and the connection serves the next request', async () => {
    const s = await start();
    const pos = await LineClient.open(s.port);
    pos.send('GARBAGE\r\n\u0000\u00ff;;\r\nSALE;T-3;1,00;EUR\r\nSALE;T-3;5.00;USD\r\n');
    await pos.line((l) => l.startsWith('ERR;T-3;currency_mismatch'));
    expect(pos.lines).toEqual([
      // The error texts come from the catalogue (English here); the codes say exactly what was wrong.
      'ERR;;unknown_op;Unknown operation',
      'ERR;;unknown_op;Unknown operation',
      'ERR;T-3;invalid_amount;The amount is not valid',
      "ERR;T-3;currency_mismatch;The currency does not match the terminal's",
    ]);
    pos.send('SALE;T-3;7.00\r\n');
    expect(await pos.line((l) => l.startsWith('OK;T-3;'))).toMatch(/^OK;T-3;APPROVED;/);
    pos.send('STATUS;T-3\r\n');
    await pos.until(() => pos.lines.filter((x) => x.startsWith('OK;T-3;APPROVED')).length === 2);
    expect(pos.socket.destroyed).toBe(false);
  });

  it('a configured format: "|" fields, decimal comma, LF line ends, progress lines, ref first', async () => {
    const s = await start({
      separator: '|',
      decimal: ',',
      lineEnding: 'LF',
      progress: true,
      fields: ['ref', 'command', 'amount', 'currency'],
    });
    const pos = await LineClient.open(s.port);
    pos.send('K-9|SALE|23,45\n');
    const answer = await pos.line((l) => l.startsWith('OK|K-9|'));
    expect(answer).toMatch(/^OK\|K-9\|APPROVED\|\w+$/);
    expect(pos.lines.filter((l) => l.startsWith('PROGRESS|K-9|'))).toEqual(
      expect.arrayContaining(['PROGRESS|K-9|QUEUED', 'PROGRESS|K-9|PRESENT_CARD']),
    );
    expect(s.service.bridge.status({ listener: 'till', register: 'till' }, 'K-9')?.amount).toEqual({
      minor: 2345,
      currency: 'EUR',
    });
  });
});
