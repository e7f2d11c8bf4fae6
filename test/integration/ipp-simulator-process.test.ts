/**
 * The simulator as its own process (what the crash harness runs): ready line, HTTP control channel, faults set
 * from outside, and --state-file keeping the ledger and the open transaction across a SIGKILL and restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exchangeOnce, IppTestClient, last, stages } from './ipp-simulator-client';

const ROOT = resolve(__dirname, '../..');
const MAIN = 'src/terminal/simulator/ipp-simulator-main.ts';
const READY = /^ipp-simulator listening on 127\.0\.0\.1:(\d+) control 127\.0\.0\.1:(\d+)$/;

interface Running {
  child: ChildProcess;
  port: number;
  control: string;
}

const children = new Set<ChildProcess>();
const dir = mkdtempSync(join(tmpdir(), 'ipp-sim-'));

function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = READY.exec(line);
      if (m) resolvePromise({ child, port: Number(m[1]), control: `http://127.0.0.1:${m[2]}` });
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code} before it was ready: ${stderr}`)));
  });
}

function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    child.once('exit', () => resolvePromise());
    child.kill(signal);
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the simulator's JSON as parsed; each test reads what it checks
async function json(url: string, init?: RequestInit): Promise<{ status: number; type: string | null; body: any }> {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

const post = (url: string, body: unknown) =>
  json(url, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

afterEach(async () => {
  for (const c of children) await kill(c);
  children.clear();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ipp-simulator-main', () => {
  it('prints its ready line, serves IPP and the control channel; faults are set from outside', async () => {
    const sim = await start(['--port', '0', '--control-port', '0', '--fast']);
    expect(await json(`${sim.control}/ledger`)).toMatchObject({
      status: 200,
      body: { busy: false, open: null, entries: [] },
    });

    const sale = await exchangeOnce(sim.port, 'PURCHASE', 'proc-1', [
      ['AMOUNT', '12.34'],
      ['CURRENCY', '978'],
      ['REFERENCE_NUMBER', 'INV-P1'],
    ]);
    expect(last(sale).status).toBe(0);
    const ledger = await json(`${sim.control}/ledger`);
    expect(ledger.body.open).toBe('proc-1');
    expect(ledger.body.entries).toEqual([
      expect.objectContaining({ sid: 'proc-1', state: 'open', amountMinor: 1234, reference: 'INV-P1' }),
    ]);
    expect((await json(`${sim.control}/net-charges?reference=INV-P1`)).body).toEqual({
      reference: 'INV-P1',
      charges: 1,
      refunds: 0,
      holds: 0,
    });
    await exchangeOnce(sim.port, 'COMPLETE_TX', 'proc-2', [['SID_ORIGINAL', 'proc-1']]);

    expect((await post(`${sim.control}/faults`, { busyNext: 1 })).body).toMatchObject({ busyNext: 1 });
    expect(stages(await exchangeOnce(sim.port, 'PING', 'b'))).toEqual([[1, 1]]);
    expect(stages(await exchangeOnce(sim.port, 'PING', 'c'))).toEqual([
      [1, 0],
      [5, 0],
    ]);

    // hold over the control channel: once stage 2 is on the wire the transaction is waiting.
    expect((await post(`${sim.control}/faults`, { hold: true })).body.hold).toBe(true);
    const client = await IppTestClient.connect(sim.port);
    client.request('PURCHASE', 'proc-3', [
      ['AMOUNT', '2.00'],
      ['CURRENCY', '978'],
      ['REFERENCE_NUMBER', 'INV-P3'],
    ]);
    expect((await client.nextMessage()).stage).toBe(1);
    expect((await client.nextMessage()).stage).toBe(2);
    expect((await json(`${sim.control}/ledger`)).body.busy).toBe(true);
    expect((await post(`${sim.control}/release`, { outcome: 'user_cancel' })).body).toEqual({ released: true });
    expect(last(await client.untilFinal()).status).toBe(13);
    await client.close();
    expect((await post(`${sim.control}/release`, '')).body).toEqual({ released: false });

    const bad = await post(`${sim.control}/faults`, { bogus: true });
    expect(bad.status).toBe(400);
    expect(bad.type).toMatch(/application\/problem\+json/);
    expect(bad.body.detail).toMatch(/bogus/);
    expect((await post(`${sim.control}/faults`, '{not json')).status).toBe(400);
    expect((await post(`${sim.control}/faults`, { busyNext: -2 })).status).toBe(400);
    expect((await post(`${sim.control}/release`, { outcome: 'explode' })).status).toBe(400);
    expect((await json(`${sim.control}/nowhere`)).status).toBe(404);
    expect((await json(`${sim.control}/ledger`, { method: 'DELETE' })).status).toBe(405);
    expect((await json(`${sim.control}/net-charges`)).status).toBe(400);
  });

  it('--state-file keeps the ledger and the open transaction across a SIGKILL and restart', async () => {
    const file = join(dir, 'terminal.json');
    const first = await start(['--port', '0', '--control-port', '0', '--fast', '--state-file', file]);
    expect(
      last(
        await exchangeOnce(first.port, 'PURCHASE', 'keep-1', [
          ['AMOUNT', '5.00'],
          ['CURRENCY', '978'],
          ['REFERENCE_NUMBER', 'INV-K1'],
        ]),
      ).status,
    ).toBe(0);
    await kill(first.child);
    // The file holds the masked PAN only.
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { entries: Array<{ fields: Record<string, string> }> };
    expect(saved.entries[0]!.fields.PAN_MASKED).toBe('541333******1234');
    for (const [name, value] of Object.entries(saved.entries[0]!.fields))
      if (name !== 'AID') expect(value, name).not.toMatch(/[0-9]{13,19}/);

    const second = await start(['--port', '0', '--control-port', '0', '--fast', '--state-file', file]);
    const ledger = await json(`${second.control}/ledger`);
    expect(ledger.body.open).toBe('keep-1');
    expect(ledger.body.entries).toEqual([
      expect.objectContaining({ sid: 'keep-1', state: 'open', reference: 'INV-K1' }),
    ]);
    // Still open after the restart: a new payment is refused until it is settled.
    expect(
      stages(
        await exchangeOnce(second.port, 'PURCHASE', 'keep-2', [
          ['AMOUNT', '1.00'],
          ['CURRENCY', '978'],
        ]),
      ),
    ).toEqual([[1, 20]]);
    const status = last(await exchangeOnce(second.port, 'GET_STATUS', 'keep-3', [['SID_ORIGINAL', 'keep-1']]));
    expect(status.get('TX_STATUS')).toBe('OPEN');
    expect(last(await exchangeOnce(second.port, 'CANCEL_TX', 'keep-4', [['SID_ORIGINAL', 'keep-1']])).status).toBe(0);
    // Trace numbers continue rather than restart.
    const next = last(
      await exchangeOnce(second.port, 'PURCHASE', 'keep-5', [
        ['AMOUNT', '1.00'],
        ['CURRENCY', '978'],
      ]),
    );
    expect(next.get('STAN')).toBe('000002');
    await kill(second.child, 'SIGTERM');

    const third = await start(['--port', '0', '--control-port', '0', '--fast', '--state-file', file]);
    expect((await json(`${third.control}/net-charges?reference=INV-K1`)).body.charges).toBe(0);
    expect((await json(`${third.control}/ledger`)).body.open).toBe('keep-5');
  });

  it('refuses bad arguments with exit code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', 'seventy'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--port must be a TCP port number/);
  });
});
