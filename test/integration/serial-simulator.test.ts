/**
 * The simulator as its own process on a serial line (`ipp-simulator-main --serial PATH`), as a myPOS terminal on a
 * USB cable is: one end of a socat pty pair for the simulator, the other for the bridge's IPP driver at 115200 8N1.
 * A payment is approved and completed over the line; the cable is pulled and plugged back in, the simulator opens its
 * port again by itself and the next payment goes through; its control channel counts one charge for each.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { IppDriver } from '../../src/terminal/ipp/driver';
import { createStreamIppLink } from '../../src/terminal/ipp/link';
import { openSerialStream, serialSettings } from '../../src/transport/serial';
import type { DriverContext } from '../../src/terminal/driver';
import { money } from '../../src/domain/money';
import { PtyPair } from './serial-pty';

const ROOT = resolve(__dirname, '../..');
const MAIN = 'src/terminal/simulator/ipp-simulator-main.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Simulator {
  readonly child: ChildProcess;
  readonly ready: string;
  readonly control: string;
  /** Resolves with the next stdout line matching `re`. */
  line(re: RegExp): Promise<string>;
  readonly stderr: () => string;
}

function start(args: string[]): Promise<Simulator> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(
    () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const seen: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    seen.push(l);
    for (const w of waiters.splice(0)) {
      if (w.re.test(l)) w.resolve(l);
      else waiters.push(w);
    }
  });
  const line = (re: RegExp): Promise<string> => {
    const i = seen.findIndex((l) => re.test(l));
    if (i !== -1) return Promise.resolve(seen.splice(i, 1)[0]!);
    return new Promise((res) =>
      waiters.push({
        re,
        resolve: (l) => {
          seen.splice(seen.indexOf(l), 1);
          res(l);
        },
      }),
    );
  };
  return new Promise((res, reject) => {
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${stderr}`)));
    void line(/^ipp-simulator listening on /).then((ready) => {
      const control = /control (127\.0\.0\.1:\d+)$/.exec(ready)?.[1];
      res({ child, ready, control: `http://${control}`, line, stderr: () => stderr });
    });
  });
}

function ctx(): DriverContext {
  return { signal: new AbortController().signal, stage: () => undefined, beforeSend: async () => undefined };
}

async function charges(control: string, reference: string): Promise<number> {
  const r = await fetch(`${control}/net-charges?reference=${reference}`);
  return ((await r.json()) as { charges: number }).charges;
}

describe('ipp-simulator-main --serial', () => {
  it('serves IPP on a serial port; after unplug and replug it opens the port again and serves the next payment', async () => {
    const cable = await PtyPair.start();
    cleanups.push(() => cable.stop());
    const sim = await start(['--serial', cable.b, '--fast', '--control-port', '0']);
    // Only the serial line: no TCP port without --port.
    expect(sim.ready).toMatch(
      new RegExp(`^ipp-simulator listening on serial ${cable.b} 115200 8N1 control 127\\.0\\.0\\.1:\\d+$`),
    );

    const driver = new IppDriver({
      id: 'usb',
      currency: 'EUR',
      link: createStreamIppLink({
        open: () => openSerialStream(serialSettings({ path: cable.a }, 'ipp')),
        description: `serial ${cable.a}`,
      }),
    });
    cleanups.push(() => driver.close());
    const first = await driver.execute({ kind: 'sale', amount: money(1234, 'EUR'), reference: 'SIM-SER-1' }, ctx());
    expect(first).toMatchObject({ outcome: 'approved', needsSettlement: true });
    expect((await driver.settle(first.driverRef!, 'complete')).ok).toBe(true);
    expect(await charges(sim.control, 'SIM-SER-1')).toBe(1);

    const lost = sim.line(/^ipp-simulator serial port .* closed/);
    await cable.unplug();
    await lost;
    const back = sim.line(/^ipp-simulator serial port .* open$/);
    await cable.replug();
    expect(await back).toBe(`ipp-simulator serial port ${cable.b} open`);

    const second = await driver.execute({ kind: 'sale', amount: money(500, 'EUR'), reference: 'SIM-SER-2' }, ctx());
    expect(second).toMatchObject({ outcome: 'approved' });
    expect((await driver.settle(second.driverRef!, 'complete')).ok).toBe(true);
    expect(await charges(sim.control, 'SIM-SER-2')).toBe(1);
    expect(await charges(sim.control, 'SIM-SER-1')).toBe(1);
  });

  it('with --port as well it serves both; a missing port is reported and waited for; bad options are refused', async () => {
    const cable = await PtyPair.start();
    cleanups.push(() => cable.stop());
    await cable.unplug();
    const sim = await start(['--serial', cable.b, '--baud', '9600', '--port', '0', '--control-port', '0', '--fast']);
    expect(sim.ready).toMatch(
      new RegExp(
        `^ipp-simulator listening on 127\\.0\\.0\\.1:\\d+ and serial ${cable.b} 9600 8N1 control 127\\.0\\.0\\.1:\\d+$`,
      ),
    );
    expect(sim.stderr()).toContain(`serial port ${cable.b} was not found`);
    const open = sim.line(/^ipp-simulator serial port .* open$/);
    await cable.replug();
    await open;

    const refused = await new Promise<{ code: number | null; err: string }>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--baud', '9600'], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.once('exit', (code) => done({ code, err }));
    });
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--baud needs --serial/);
  });
});
