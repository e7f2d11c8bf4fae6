/**
 * The native session writes the lines of one turn of the event loop together: a sale's first progress lines go out
 * in one write, the result in the next, each still one complete line, in order; a line sent just before the register
 * half-closes is not lost.
 */
import { describe, expect, it } from 'vitest';
import type { PaymentHandle, PaymentObserver, RegisterIdentity } from '../../src/bridge/api';
import type { PaymentRequest, PaymentResult } from '../../src/domain/payment';
import { nativeProtocol } from '../../src/register/native/session';
import { contextFor, InstantBridgeApi, MemoryStream, settle } from '../fuzz/doubles';

/** Reports two stages at once when a sale is submitted (as the bridge does with `queued` and `connecting`). */
class StagingApi extends InstantBridgeApi {
  override async submit(who: RegisterIdentity, r: PaymentRequest, o?: PaymentObserver): Promise<PaymentHandle> {
    o?.stage?.({ ref: r.ref, stage: 'queued', message: 'Queued' });
    o?.stage?.({ ref: r.ref, stage: 'connecting', message: 'Connecting' });
    const handle = await super.submit(who, r);
    const result = await handle.result;
    return { ...handle, result: new Promise<PaymentResult>((res) => setImmediate(() => res(result))) };
  }
}

/** Like a socket: nothing can be written once the session ended its side. */
class EndingStream extends MemoryStream {
  override write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if (this.ended) {
      queueMicrotask(() => cb?.(new Error('write after end')));
      return false;
    }
    return super.write(chunk, cb);
  }
}

const lines = (chunk: Buffer): Array<Record<string, unknown>> =>
  chunk
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('native session writes', () => {
  it('writes the progress lines of one turn in one write, then the result', async () => {
    const stream = new MemoryStream();
    nativeProtocol().serve(stream, contextFor(new StagingApi()));
    stream.feed(Buffer.from('{"op":"sale","id":"1","ref":"A-1","amount":1234,"currency":"EUR"}\n'));
    for (let i = 0; i < 20 && !stream.text().includes('"type":"result"'); i++) await settle(1);
    expect(stream.written.map((w) => lines(w).map((m) => `${m.type}:${m.stage ?? m.outcome}`))).toEqual([
      ['progress:queued', 'progress:connecting'],
      ['result:approved'],
    ]);
    expect(stream.written.every((w) => w.toString('utf8').endsWith('\n'))).toBe(true);
  });

  it('writes an answer sent just before the register half-closed before ending the connection', async () => {
    const stream = new EndingStream();
    nativeProtocol().serve(stream, contextFor(new InstantBridgeApi()));
    stream.feed(Buffer.from('not json\n'));
    stream.emit('end');
    await settle(2);
    expect(lines(Buffer.concat(stream.written)).map((m) => m.type)).toEqual(['error']);
    expect(stream.ended).toBe(true);
  });
});
