/**
 * The IPP driver over a long-lived byte stream (serial link, mypos-ipp.md §1 "Serial handling"): one stream reused
 * for every request, late messages between requests dropped, a partial message discarded after silence, the stream
 * reopened after it closed. The stream here is an in-memory fake; a real serial port satisfies the same ByteStream.
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { IppDriver } from '../../src/terminal/ipp/driver';
import { createStreamIppLink } from '../../src/terminal/ipp/link';
import { decodeIppBody, encodeIpp, IppMessage } from '../../src/terminal/ipp/codec';
import type { ByteStream } from '../../src/transport/byte-stream';
import type { DriverContext } from '../../src/terminal/driver';
import { money } from '../../src/domain/money';
import { silentLogger } from '../../src/log/logger';

function answer(req: IppMessage, stage: number, status: number): Buffer {
  return encodeIpp([
    ['PROTOCOL', 'IPP'],
    ['METHOD', req.method ?? ''],
    ['SID', req.sid ?? ''],
    ['STAGE', String(stage)],
    ['STATUS', String(status)],
  ]);
}

/** A fake serial port: records requests; `reply` decides what the "terminal" writes back. */
class FakePort extends EventEmitter {
  readonly requests: IppMessage[] = [];
  destroyed = false;
  constructor(private readonly reply: (req: IppMessage, port: FakePort) => void) {
    super();
  }
  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    const req = decodeIppBody(Buffer.from(chunk).subarray(2));
    this.requests.push(req);
    cb?.(null);
    queueMicrotask(() => this.reply(req, this));
    return true;
  }
  receive(bytes: Buffer): void {
    this.emit('data', bytes);
  }
  end(): void {
    this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

function ctx(): DriverContext {
  return { signal: new AbortController().signal, stage: () => undefined, beforeSend: async () => undefined };
}

function counter(): () => string {
  let i = 0;
  return () => `s-${++i}`;
}

const sale = { kind: 'sale' as const, amount: money(100, 'EUR'), reference: 'R' };

/** A logger whose lines can be awaited. */
function capturingLogger(): { logger: pino.Logger; line(match: RegExp): Promise<string> } {
  const lines: string[] = [];
  let waiters: Array<{ match: RegExp; resolve: (l: string) => void }> = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, done) {
      const l = chunk.toString();
      lines.push(l);
      for (const w of waiters.filter((w) => w.match.test(l))) w.resolve(l);
      waiters = waiters.filter((w) => !w.match.test(l));
      done();
    },
  });
  return {
    logger: pino({ level: 'warn' }, dest),
    line(match) {
      const have = lines.find((l) => match.test(l));
      if (have) return Promise.resolve(have);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

describe('IPP driver over a stream link (serial)', () => {
  it('keeps one stream open for every request and reopens it after it closed', async () => {
    const ports: FakePort[] = [];
    const link = createStreamIppLink({
      description: 'serial fake',
      open: async () => {
        const p = new FakePort((req, port) => port.receive(Buffer.concat([answer(req, 1, 0), answer(req, 5, 0)])));
        ports.push(p);
        return p as unknown as ByteStream;
      },
    });
    const d = new IppDriver({ link, currency: 'EUR', sid: counter(), logger: silentLogger() });
    expect((await d.execute(sale, ctx())).outcome).toBe('approved');
    expect((await d.settle('s-1', 'complete')).ok).toBe(true);
    expect(ports).toHaveLength(1);
    expect(ports[0]!.requests.map((r) => r.method)).toEqual(['PURCHASE', 'COMPLETE_TX']);
    expect(ports[0]!.destroyed).toBe(false);
    ports[0]!.destroy(); // USB re-plug (§1: the port must be reopened)
    expect((await d.execute(sale, ctx())).outcome).toBe('approved');
    expect(ports).toHaveLength(2);
    await d.close();
    expect(ports[1]!.destroyed).toBe(true);
  });

  it('a stream that closes mid-payment leaves the payment in doubt', async () => {
    const link = createStreamIppLink({
      description: 'serial fake',
      open: async () =>
        new FakePort((req, port) => {
          port.receive(answer(req, 1, 0));
          port.destroy();
        }) as unknown as ByteStream,
    });
    const d = new IppDriver({ link, currency: 'EUR', sid: counter(), logger: silentLogger() });
    const r = await d.execute(sale, ctx());
    expect(r).toMatchObject({ outcome: 'in_doubt', driverRef: 's-1' });
  });

  it('drops a late answer from an earlier request and a partial message left after silence', async () => {
    const { logger, line } = capturingLogger();
    let port!: FakePort;
    let mode: 'silent' | 'answer' = 'silent';
    const link = createStreamIppLink({
      description: 'serial fake',
      partialMessageTimeoutMs: 20,
      logger,
      open: async () => {
        port = new FakePort((req, p) => {
          if (mode === 'answer') p.receive(Buffer.concat([answer(req, 1, 0), answer(req, 5, 0)]));
        });
        return port as unknown as ByteStream;
      },
    });
    const d = new IppDriver({ link, currency: 'EUR', sid: counter(), logger, firstAnswerMs: 10 });
    // The terminal stays silent: in doubt.
    const lost = await d.execute(sale, ctx());
    expect(lost.outcome).toBe('in_doubt');
    const late = port.requests[0]!;
    // Between requests: the late final answer of s-1 arrives, then half of a message, then silence.
    port.receive(answer(late, 5, 0));
    await line(/outside a request dropped/);
    port.receive(answer(late, 5, 0).subarray(0, 7));
    await line(/partial message discarded/);
    // The next request is framed correctly and is not confused by s-1's late answer.
    mode = 'answer';
    const next = await d.execute(sale, ctx());
    expect(next).toMatchObject({ outcome: 'approved', driverRef: 's-2' });
  });
});
