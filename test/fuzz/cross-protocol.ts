/**
 * Other protocols at register ports: random HTTP request lines (any method, any target), header lines, WebSocket
 * upgrades, the HTTP/2 preface and TLS records, with random bytes after them and then valid money frames of each
 * register protocol (a refund, a sale, a ZVT reversal, End-of-Day, Registration), in any segmentation, through the
 * transport's foreign-protocol guard and the product's own session behind it. Property: the guard never opens the
 * connection to the protocol — 0 executions of anything, the connection is closed — while the same money frames
 * alone pass the guard byte for byte.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PaymentRequest } from '../../src/domain/payment';
import type { EndOfDayReport } from '../../src/reports/day-reports';
import type { RegisterIdentity } from '../../src/bridge/api';
import { silentLogger } from '../../src/log/logger';
import { guardConnection, guardContext } from '../../src/transport/foreign-protocol-guard';
import { ForeignProtocolScanner } from '../../src/transport/foreign-protocol';
import { nativeProtocol } from '../../src/register/native/session';
import { textProtocol } from '../../src/register/text/session';
import { freshState, zvtTcpProtocol } from '../../src/register/zvt/session';
import type { RegisterProtocol } from '../../src/register/protocol';
import { LISTENER_PROTOCOLS, MONEY_FRAMES, type ListenerProtocol } from '../helpers/attack-frames';
import { contextFor, InstantBridgeApi, MemoryStream, settle } from './doubles';
import { cuts, segments, target, type FuzzTarget } from './target';

/** Counts every call that could move money or change the bridge. */
class CountingApi extends InstantBridgeApi {
  calls = 0;
  override async submit(who: RegisterIdentity, request: PaymentRequest): ReturnType<InstantBridgeApi['submit']> {
    this.calls++;
    return super.submit(who, request);
  }
  override async cancel(): ReturnType<InstantBridgeApi['cancel']> {
    this.calls++;
    return super.cancel();
  }
  override async endOfDay(): Promise<EndOfDayReport> {
    this.calls++;
    throw new Error('not in the fuzz');
  }
}

const SESSIONS: Partial<Record<ListenerProtocol, () => RegisterProtocol>> = {
  native: () => nativeProtocol(),
  text: () => textProtocol({}),
  zvt: () => zvtTcpProtocol({ options: { receipts: 'off' } }),
};
const LINES: Record<ListenerProtocol, boolean> = {
  native: true,
  text: true,
  zvt: false,
  'pole-display': false,
  printer: false,
  'caisse-ap': false,
  ecr17: false,
};

const token = fc.stringMatching(/^[A-Za-z][A-Za-z_-]{0,15}$/);
const knownMethod = fc.constantFrom(
  'GET',
  'POST',
  'PUT',
  'OPTIONS',
  'HEAD',
  'CONNECT',
  'PATCH',
  'DELETE',
  'TRACE',
  'PRI',
  'get',
  'Post',
);
const target_ = fc.oneof(
  fc.stringMatching(/^\/[\x21-\x7e]{0,40}$/),
  fc.constant('*'),
  fc.stringMatching(/^https?:\/\/[a-z0-9.:-]{1,30}\/[\x21-\x7e]{0,10}$/),
);
const header = fc
  .tuple(
    fc.constantFrom(
      'Host',
      'Origin',
      'User-Agent',
      'Accept',
      'Content-Type',
      'Content-Length',
      'Connection',
      'Upgrade',
      'Referer',
      'Cookie',
      'Sec-Fetch-Mode',
      'sec-ch-ua',
      'accept-language',
    ),
    fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
  )
  .map(([k, v]) => `${k}: ${v}\r\n`);

/** The start of another protocol, as bytes. */
const preface = fc.oneof(
  fc
    .tuple(
      fc.oneof(knownMethod, token),
      target_,
      fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0'),
      fc.array(header, { maxLength: 4 }),
    )
    .map(([m, t, v, hs]) => Buffer.from(`${m} ${t} ${v}\r\n${hs.join('')}\r\n`, 'latin1')),
  fc
    .tuple(knownMethod, fc.stringMatching(/^[\x21-\x7e]{0,30}$/))
    .map(([m, rest]) => Buffer.from(`${m} ${rest}`, 'latin1')),
  fc.array(header, { minLength: 1, maxLength: 4 }).map((hs) => Buffer.from(hs.join(''), 'latin1')),
  fc.constant(
    Buffer.from(
      'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n',
    ),
  ),
  fc.constant(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')),
  fc
    .tuple(fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 64 }))
    .map(([minor, rest]) => Buffer.concat([Buffer.from([0x16, 0x03, minor]), rest])),
);

const foreignFirst = target({
  name: 'cross-protocol: HTTP/TLS/WebSocket/HTTP2 prefaces before valid frames of each protocol never reach a session',
  async: true,
  arbitrary: fc.record({
    protocol: fc.constantFrom(...LISTENER_PROTOCOLS),
    preface,
    junk: fc.uint8Array({ maxLength: 128 }),
    repeat: fc.integer({ min: 1, max: 3 }),
    cuts,
  }),
  check: async ({ protocol, preface: head, junk, repeat, cuts: points }) => {
    const api = new CountingApi();
    const socket = new MemoryStream();
    let opened = false;
    const frames = Buffer.concat(Array.from({ length: repeat }, () => Buffer.concat(MONEY_FRAMES[protocol])));
    const zvtState = freshState();
    const session =
      protocol === 'zvt'
        ? () => zvtTcpProtocol({ options: { receipts: 'off', password: '000000' }, state: zvtState })
        : SESSIONS[protocol];
    guardConnection(socket, 'memory', { lines: LINES[protocol] }, guardContext(silentLogger(), 'fuzz'), (stream) => {
      opened = true;
      session?.().serve(stream, contextFor(api));
    });
    for (const piece of segments(Buffer.concat([head, junk, frames]), points)) if (piece.length) socket.feed(piece);
    socket.emit('end');
    await settle(1);
    socket.emit('close');
    assert.equal(
      opened,
      false,
      `${protocol}: the guard opened a connection that began ${JSON.stringify(head.subarray(0, 24).toString('latin1'))}`,
    );
    assert.equal(socket.destroyed, true, 'the connection was not closed');
    assert.equal(api.calls, 0);
    assert.equal(socket.written.length, 0, 'something was answered');
    assert.equal(zvtState.registered, false);
  },
});

const framesPass = target({
  name: 'cross-protocol: valid frames of each protocol pass the guard unchanged, however segmented',
  arbitrary: fc.record({
    protocol: fc.constantFrom(...LISTENER_PROTOCOLS),
    cuts,
    repeat: fc.integer({ min: 1, max: 3 }),
  }),
  check: ({ protocol, cuts: points, repeat }) => {
    const frames = Buffer.concat(Array.from({ length: repeat }, () => Buffer.concat(MONEY_FRAMES[protocol])));
    const scanner = new ForeignProtocolScanner(LINES[protocol]);
    const passed: Buffer[] = [];
    for (const piece of segments(frames, points)) {
      const r = scanner.push(piece);
      assert.equal(r.foreign, undefined);
      passed.push(r.pass);
    }
    passed.push(scanner.flush().pass);
    assert.deepEqual(Buffer.concat(passed), frames);
  },
});

export const crossProtocolTargets: FuzzTarget[] = [foreignFirst, framesPass];
