/**
 * Raw sockets speaking other protocols to every kind of register listener (native, text, ZVT over TCP, pole-display
 * and printer capture): an HTTP request (fetch no-cors, form post, GET, OPTIONS), a bare header line, a WebSocket
 * upgrade, the HTTP/2 preface and a TLS ClientHello, each followed by the listener's own money frames (a refund, a
 * sale, a ZVT reversal, End-of-Day, Registration). Every connection is closed at the first bytes without an answer;
 * the simulated terminal's ledger and the journal stay empty; each refusal is a security event; and a genuine
 * register is served right after.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NativeClient } from '../helpers/native-client';
import { framesFor, LISTENER_PROTOCOLS, prefaces, startAttackStack, type AttackStack } from '../helpers/attack';

let stack: AttackStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Sends `bytes` in one write; resolves with what came back once the bridge closed the connection. */
function attack(port: number, bytes: Buffer): Promise<{ answer: Buffer; reset: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let reset = false;
    const s = connect({ port, host: '127.0.0.1' }, () => s.write(bytes));
    const t = setTimeout(() => {
      s.destroy();
      reject(
        new Error(
          `the listener on ${port} kept the connection open; it answered ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 200))}`,
        ),
      );
    }, 5000);
    s.on('data', (b: Buffer) => chunks.push(b));
    s.on('error', () => void (reset = true));
    s.on('close', () => {
      clearTimeout(t);
      resolve({ answer: Buffer.concat(chunks), reset });
    });
  });
}

describe('foreign protocols on every TCP register listener', () => {
  it('HTTP, WebSocket, HTTP/2 and TLS prefaces followed by money frames: closed at the first bytes, nothing runs', async () => {
    stack = await startAttackStack();
    const s = stack;
    for (const protocol of LISTENER_PROTOCOLS) {
      const port = s.ports[protocol];
      for (const [what, bytes] of Object.entries(prefaces(port, framesFor(protocol, 64)))) {
        const r = await attack(port, bytes);
        expect(r.answer.length, `${protocol} answered ${what}`).toBe(0);
      }
    }
    expect(s.sim.ledger()).toEqual([]);
    expect(s.service.journal.list({})).toEqual([]);
    const events = s.service.security.recent();
    const refusedOn = new Set(events.filter((e) => e.kind === 'foreign_protocol').map((e) => e.listener));
    expect(refusedOn.size).toBe(LISTENER_PROTOCOLS.length);
    expect(events.every((e) => /^tcp 127\.0\.0\.1:\d+$/.test(e.peer ?? ''))).toBe(true);

    // A genuine register right after: a sale on the native listener is approved.
    const till = await NativeClient.open(s.ports.native);
    till.send({ op: 'sale', id: 1, ref: 'REAL-1', amount: 1250, currency: 'EUR' });
    const result = await till.waitFor((m) => m.type === 'result');
    expect(result).toMatchObject({ outcome: 'approved', ref: 'REAL-1' });
    till.close();
  }, 60_000);

  it('a line protocol closes at a later HTTP line, and nothing after it in the same chunk runs', async () => {
    stack = await startAttackStack();
    const till = await NativeClient.open(stack.ports.native);
    till.send({ op: 'ping', id: 1 });
    await till.waitFor((m) => m.type === 'pong');
    till.socket.write('Host: 127.0.0.1\r\n{"op":"refund","id":"r","ref":"X","amount":100,"currency":"EUR"}\n');
    await new Promise((r) => till.socket.once('close', r));
    expect(till.messages.filter((m) => m.type !== 'pong')).toEqual([]);
    expect(stack.service.journal.list({})).toEqual([]);
    expect(stack.service.security.recent()[0]).toMatchObject({
      kind: 'foreign_protocol',
      detail: expect.stringMatching(/header line/),
    });
  });
});
