/**
 * Native register keys over real sockets: nothing is served before a good hello, a register's name is bound to
 * its key, a weak key is refused at config load, and guessing is throttled per peer (measured on a fake clock).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { BridgeError } from '../../src/domain/errors';
import { silentLogger } from '../../src/log/logger';
import { nativeProtocol } from '../../src/register/native/session';
import { AuthThrottle } from '../../src/security/auth-throttle';
import { generateKey } from '../../src/security/keys';
import { listenTcp, type TcpListener } from '../../src/transport/tcp';
import type { BridgeApi } from '../../src/bridge/api';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import { NativeClient } from '../helpers/native-client';
import { captured } from '../helpers/security-capture';

const KEY_1 = generateKey();
const KEY_2 = generateKey();
const LISTENER_KEY = generateKey();

let harness: Harness | undefined;
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
  await harness?.close();
  harness = undefined;
});

async function keyed(): Promise<Harness> {
  harness = await startHarness({
    listener: {
      registers: [
        { name: 'till-1', key: { env: 'TILL_1_KEY' } },
        { name: 'till-2', key: { env: 'TILL_2_KEY' } },
      ],
    },
    service: { secrets: { env: { TILL_1_KEY: KEY_1, TILL_2_KEY: KEY_2 } } },
  });
  return harness;
}

describe('native listener with keys', () => {
  it('serves no op before a good hello: every op is refused and nothing reaches the terminal', async () => {
    const h = await keyed();
    const c = await h.client();
    const ops = [
      { id: 's', op: 'sale', ref: 'r1', amount: 4242, currency: 'EUR' },
      { id: 'f', op: 'refund', ref: 'r2', amount: 4242, currency: 'EUR' },
      { id: 'v', op: 'reversal', ref: 'r1' },
      { id: 'l', op: 'last' },
      { id: 'p', op: 'ping' },
      { id: 'st', op: 'status', ref: 'r1' },
      { id: 'e', op: 'end_of_day' },
    ];
    for (const op of ops) {
      const answer = await c.request(op, ['result', 'error', 'last', 'pong', 'status', 'end_of_day']);
      expect(answer).toMatchObject({ type: 'error', code: 'unauthorized' });
    }
    expect(h.sim.ledger()).toEqual([]);
    const hello = await c.request({ id: 'h1', op: 'hello', register: 'till-1', key: KEY_1 }, ['hello', 'error']);
    expect(hello).toMatchObject({ type: 'hello', register: 'pos/till-1' });
    const sale = await c.request({ id: 's3', op: 'sale', ref: 'r1', amount: 4242, currency: 'EUR' });
    expect(sale).toMatchObject({ type: 'result', outcome: 'approved' });
  });

  it('refuses a hello naming another register with this key (no impersonation)', async () => {
    const h = await keyed();
    const till1 = await h.client();
    expect(
      await till1.request({ id: 'h', op: 'hello', register: 'till-1', key: KEY_1 }, ['hello', 'error']),
    ).toMatchObject({ type: 'hello' });
    expect(await till1.request({ id: 's', op: 'sale', ref: 'paid-1', amount: 1000, currency: 'EUR' })).toMatchObject({
      outcome: 'approved',
    });

    const thief = await h.client();
    const answer = await thief.request({ id: 'h', op: 'hello', register: 'till-2', key: KEY_1 }, ['hello', 'error']);
    expect(answer).toMatchObject({ type: 'error', code: 'unauthorized' });
    // Then guessing till-1's key: refused (throttled after the first failure), and nothing served after either.
    const guess = await thief.request({ id: 'h0', op: 'hello', register: 'till-1', key: generateKey() }, [
      'hello',
      'error',
    ]);
    expect(guess.type).toBe('error');
    expect(['unauthorized', 'throttled']).toContain(guess.code);
    // Nothing of till-1's is readable, nothing reversible.
    expect(await thief.request({ id: 'l', op: 'last' }, ['last', 'error'])).toMatchObject({
      type: 'error',
      code: 'unauthorized',
    });
    expect(await thief.request({ id: 'v', op: 'reversal', ref: 'paid-1' })).toMatchObject({
      type: 'error',
      code: 'unauthorized',
    });
    expect(h.sim.ledger().map((e) => e.kind)).not.toContain('reversal');
  });

  it('a listener key admits any register name except those with keys of their own', async () => {
    harness = await startHarness({
      listener: { token: { env: 'POS_KEY' }, registers: [{ name: 'till-1', key: { env: 'TILL_1_KEY' } }] },
      service: { secrets: { env: { POS_KEY: LISTENER_KEY, TILL_1_KEY: KEY_1 } } },
    });
    const c = await harness.client();
    expect(
      await c.request({ id: 'h', op: 'hello', register: 'kiosk', key: LISTENER_KEY }, ['hello', 'error']),
    ).toMatchObject({ type: 'hello', register: 'pos/kiosk' });
    const c2 = await harness.client();
    expect(
      await c2.request({ id: 'h', op: 'hello', register: 'till-1', key: LISTENER_KEY }, ['hello', 'error']),
    ).toMatchObject({ type: 'error', code: 'unauthorized' });
  });

  it('refuses weak keys at config load, and a weak key behind an environment variable at start', async () => {
    const config = (listener: Record<string, unknown>) => ({
      listeners: [
        { id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 }, ...listener },
      ],
      terminals: [{ id: 't', driver: 'simulator' }],
    });
    expect(() => parseConfig(config({ token: 'x' }))).toThrow(/listeners\[0\]\.token: is too weak/);
    expect(() => parseConfig(config({ registers: [{ name: 'till-1', key: 'abcdefabcdef' }] }))).toThrow(
      /listeners\[0\]\.registers\[0\]\.key: is too weak/,
    );
    expect(() => parseConfig(config({ token: LISTENER_KEY }))).not.toThrow();
    await expect(
      startHarness({ listener: { token: { env: 'POS_KEY' } }, service: { secrets: { env: { POS_KEY: '1' } } } }),
    ).rejects.toThrow(/listeners\[0\]\.token is too weak/);
  });

  it('refuses a listener beyond loopback without authentication or a peer list, naming the field', () => {
    const config = (listener: Record<string, unknown>) => ({
      listeners: [{ id: 'l', transport: { type: 'tcp', host: '0.0.0.0', port: 0 }, ...listener }],
      terminals: [{ id: 't', driver: 'simulator' }],
    });
    expect(() => parseConfig(config({ protocol: 'native' }))).toThrow(/^listeners\[0\]\.token: /);
    expect(() => parseConfig(config({ protocol: 'text', options: { allowRemote: true } }))).toThrow(
      /^listeners\[0\]\.peers: /,
    );
    expect(() => parseConfig(config({ protocol: 'zvt' }))).toThrow(/^listeners\[0\]\.peers: /);
    expect(() => parseConfig(config({ protocol: 'zvt', password: '314159' }))).not.toThrow();
    expect(() => parseConfig(config({ protocol: 'text', peers: ['192.168.1.20', '10.0.0.0/24'] }))).not.toThrow();
    expect(() => parseConfig(config({ protocol: 'text', peers: ['till.local'] }))).toThrow(
      /^listeners\[0\]\.peers\[0\]: /,
    );
    try {
      parseConfig(config({ protocol: 'printer' }));
    } catch (e) {
      expect(e).toBeInstanceOf(BridgeError);
      expect((e as BridgeError).code).toBe('config_invalid');
    }
  });
});

/** A bridge that must never be reached: the throttle test runs no payment. */
const unreachable = new Proxy(
  {},
  {
    get: (_t, p) =>
      p === 'version'
        ? 'test'
        : p === 'terminals'
          ? () => []
          : () => {
              throw new Error(`bridge reached: ${String(p)}`);
            },
  },
) as BridgeApi;

describe('guessing native keys', () => {
  it('1,000 wrong keys from one peer take hours on the clock and lock it out, with a log line and an event', async () => {
    const { clock, lines, events, log, security } = captured();
    const throttle = new AuthThrottle({ listener: 'pos', secret: 'key', log, security, now: () => clock.now });
    const protocol = nativeProtocol();
    const listener: TcpListener = await listenTcp('127.0.0.1', 0, (socket, peer) =>
      protocol.serve(socket, {
        api: unreachable,
        identity: { listener: 'pos', register: 'pos' },
        peer,
        log: silentLogger(),
        auth: { throttle, key: LISTENER_KEY },
        security,
      }),
    );
    open.push(listener);
    const c = await NativeClient.open(listener.port);
    open.push(c);

    const start = clock.now;
    let guesses = 0;
    let lockedOut = 0;
    for (let i = 0; guesses < 1000; i++) {
      const answer = await c.request(
        { id: `h${i}`, op: 'hello', register: 'till-1', key: `guess-${i}-${'x'.repeat(30)}` },
        ['hello', 'error'],
      );
      expect(answer.type).toBe('error');
      if (answer.code === 'throttled') {
        // The attacker waits exactly as long as told, no longer.
        if (answer.lockedOut === true) lockedOut++;
        clock.now += Number(answer.retryAfter) * 1000;
        continue;
      }
      expect(answer.code).toBe('unauthorized');
      guesses++;
    }
    const hours = (clock.now - start) / 3_600_000;
    expect(hours).toBeGreaterThan(1);
    expect(lockedOut).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('locked out after 10 wrong keys in a row') && l.includes('127.0.0.1'))).toBe(
      true,
    );
    expect(events.some((e) => e.kind === 'auth_lockout' && e.listener === 'pos')).toBe(true);
    expect(events.some((e) => e.kind === 'auth_failed')).toBe(true);
    // Not a line per guess: the log stays readable.
    expect(lines.length).toBeLessThan(250);

    // Even the right key is refused while locked out (no oracle), and accepted once the lockout ends.
    c.send({ id: 'x', op: 'hello', register: 'till-1', key: 'wrong' });
    let answer = await c.waitFor((m) => m.id === 'x');
    clock.now += Number(answer.retryAfter ?? 0) * 1000;
    for (let i = 0; i < 20; i++) {
      const id = `good${i}`;
      answer = await c.request({ id, op: 'hello', register: 'till-1', key: LISTENER_KEY }, ['hello', 'error']);
      if (answer.type === 'hello') break;
      clock.now += Number(answer.retryAfter) * 1000;
    }
    expect(answer).toMatchObject({ type: 'hello' });
  });
});
