/**
 * Serial register listeners and serial open errors on real ptys (socat): the listener opens the port, hands the
 * stream to the protocol, and after the cable is pulled and plugged back in opens it again and serves the new
 * stream; a port held by someone else, a missing port and DTR/RTS on a pty are reported or tolerated in words.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openListener, type OpenListener } from '../../src/transport/listeners';
import { openSerialStream, serialSettings, type SerialByteStream } from '../../src/transport/serial';
import type { ByteStream } from '../../src/transport/byte-stream';
import { DeviceError } from '../../src/transport/usb/device-error';
import { ensureTool } from '../helpers/system-tools';
import { PtyPair } from './serial-pty';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function pty(): Promise<PtyPair> {
  const p = await PtyPair.start();
  cleanups.push(() => p.stop());
  return p;
}

async function port(path: string): Promise<SerialByteStream> {
  const p = await openSerialStream(serialSettings({ path }, 'native'));
  cleanups.push(() => void p.destroy());
  return p;
}

function nextData(s: ByteStream): Promise<string> {
  return new Promise((resolve) => s.on('data', (d: Buffer) => resolve(d.toString('utf8'))));
}

function closed(s: ByteStream): Promise<void> {
  return new Promise((resolve) => s.on('close', () => resolve()));
}

/** A stream queue: resolves with each stream the listener hands over, in order. */
class Streams {
  private readonly queue: ByteStream[] = [];
  private waiter: ((s: ByteStream) => void) | undefined;
  push = (s: ByteStream): void => {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(s);
    } else this.queue.push(s);
  };
  next(): Promise<ByteStream> {
    const s = this.queue.shift();
    return s ? Promise.resolve(s) : new Promise((resolve) => (this.waiter = resolve));
  }
}

function echo(s: ByteStream): void {
  s.on('data', (d: Buffer) => s.write(Buffer.from(`echo:${d.toString('utf8')}`)));
  s.on('error', () => undefined);
}

describe('serial register listener', () => {
  it('serves the port, and after unplug/replug opens it again and serves the new stream', async () => {
    const cable = await pty();
    const streams = new Streams();
    const peers: string[] = [];
    const listener: OpenListener = await openListener(
      { type: 'serial', path: cable.a },
      (s, peer) => {
        peers.push(peer);
        echo(s);
        streams.push(s);
      },
      { protocol: 'zvt', plugEvents: null, reopenMinMs: 20, reopenMaxMs: 200 },
    );
    cleanups.push(() => listener.close());
    // ZVT's serial line: 9600 8N2.
    expect(listener.address).toBe(`serial ${cable.a} 9600 8N2`);
    const first = await streams.next();
    expect(listener.device?.()).toEqual({ open: true });

    let register = await port(cable.b);
    const answer = nextData(register);
    register.write(Buffer.from('one'));
    expect(await answer).toBe('echo:one');

    const lost = closed(first);
    await cable.unplug();
    await lost;
    await cable.replug();
    const second = await streams.next();
    expect(second).not.toBe(first);
    register = await port(cable.b);
    const again = nextData(register);
    register.write(Buffer.from('two'));
    expect(await again).toBe('echo:two');
    expect(peers).toEqual([`serial ${cable.a}`, `serial ${cable.a}`]);

    const gone = closed(second);
    await listener.close();
    await gone;
  });

  it('a port missing at start is not fatal: reported in words, opened when it appears', async () => {
    const cable = await pty();
    await cable.unplug();
    const streams = new Streams();
    const listener = await openListener({ type: 'serial', path: cable.a }, (s) => streams.push(s), {
      plugEvents: null,
      reopenMinMs: 20,
      reopenMaxMs: 100,
    });
    cleanups.push(() => listener.close());
    const state = listener.device?.();
    expect(state?.open).toBe(false);
    expect(state?.error).toMatch(
      new RegExp(
        `serial port ${cable.a} was not found\\. (Serial ports on this computer: |This computer has no serial ports)`,
      ),
    );
    await cable.replug();
    await streams.next();
    expect(listener.device?.()).toEqual({ open: true });
  });
});

describe('serial open errors and line control on real ptys', () => {
  it('DTR/RTS refused by a pty ("Inappropriate ioctl") is tolerated', async () => {
    const cable = await pty();
    const s = await openSerialStream({ ...serialSettings({ path: cable.a }, 'ipp'), dtr: true, rts: true });
    cleanups.push(() => void s.destroy());
    expect(await s.setLines({ dtr: true, rts: true })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/ioctl/i),
    });
    const b = await port(cable.b);
    const got = nextData(b);
    s.write(Buffer.from('still works'));
    expect(await got).toBe('still works');
  });

  it('a port already open in this process: "already open in this bridge"', async () => {
    const cable = await pty();
    await port(cable.a);
    const err = await openSerialStream(serialSettings({ path: cable.a }, 'native')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect(err).toMatchObject({
      problem: 'busy',
      message: `serial port ${cable.a} is already open in this bridge: two listeners or terminals are configured on the same port`,
    });
  });

  it('a port locked by another program names that program and its process id', async () => {
    const flock = ensureTool('flock', 'util-linux');
    const cable = await pty();
    // flock takes the lock, then its command says so on stdout and keeps running.
    // In its own process group, so that flock and the command it runs are both ended by the group's id.
    const holder: ChildProcess = spawn(
      flock,
      ['--nonblock', realpathSync(cable.a), '-c', 'echo locked; exec sleep 60'],
      { stdio: ['ignore', 'pipe', 'ignore'], detached: true },
    );
    cleanups.push(() => {
      if (holder.pid) process.kill(-holder.pid, 'SIGKILL');
    });
    await new Promise<void>((resolve) =>
      holder.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()),
    );
    const err = await openSerialStream(serialSettings({ path: cable.a }, 'native')).catch((e: unknown) => e);
    expect(err).toMatchObject({ problem: 'busy' });
    expect((err as Error).message).toMatch(
      new RegExp(
        `^serial port ${cable.a} is in use by another program: (flock|sleep) \\(process ${holder.pid}\\)\\. Close it`,
      ),
    );
  });

  it('a missing port: not found, with the ports that do exist and where ports appear', async () => {
    const err = await openSerialStream(serialSettings({ path: '/dev/ttyNOPE9' }, 'native')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect(err).toMatchObject({ problem: 'not_found' });
    expect((err as Error).message).toMatch(
      /^serial port \/dev\/ttyNOPE9 was not found\. (Serial ports on this computer: .+\.|This computer has no serial ports right now\.) A USB terminal appears as \/dev\/ttyACM0/,
    );
  });
});
