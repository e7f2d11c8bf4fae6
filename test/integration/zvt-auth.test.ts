/**
 * The ZVT password over real loopback TCP: with a password set, money commands wait for a Registration carrying it
 * (84 6B 00 before), a wrong password is refused with 84 83 00, and guessing is throttled per peer address —
 * measured on a fake clock: 1,000 guesses take hours and lock the peer out with a log line.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { zvtTcpProtocol } from '../../src/register/zvt/session';
import { AuthThrottle } from '../../src/security/auth-throttle';
import { listenTcp } from '../../src/transport/tcp';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import { captured } from '../helpers/security-capture';
import { FakeBridgeApi, TestEcr, contextFor } from '../unit/zvt-helpers';

let h: Harness | undefined;
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
  await h?.close();
  h = undefined;
});

async function ecrAt(port: number): Promise<TestEcr> {
  const socket: Socket = connect({ host: '127.0.0.1', port });
  open.push({ close: () => socket.destroy() });
  await once(socket, 'connect');
  return new TestEcr({ write: (b) => socket.write(b), onData: (l) => socket.on('data', l) }, 'tcp');
}

describe('ZVT listener with a password', () => {
  it('serves no money command before a Registration with the password; a wrong password gets 84 83 00', async () => {
    h = await startHarness({
      listener: { protocol: 'zvt', password: { env: 'ZVT_PASSWORD' }, options: { receipts: 'off' } },
      service: { secrets: { env: { ZVT_PASSWORD: '314159' } } },
    });
    const ecr = await ecrAt(h.port);
    // Sale, refund, reversal and end of day before any Registration: "PT not registered".
    for (const cmd of [
      '06 01 07 04 00 00 00 00 42 42',
      '06 31 0A 31 41 59 04 00 00 00 00 42 42',
      '06 30 06 31 41 59 87 00 01',
      '06 50 03 31 41 59',
    ]) {
      await ecr.send(cmd);
      await ecr.expect('84 6B 00');
    }
    // A Registration with a wrong password changes nothing and is refused.
    await ecr.send('06 00 04 00 00 00 BA');
    await ecr.expect('84 83 00');
    await ecr.send('06 01 07 04 00 00 00 00 42 42');
    await ecr.expect('84 6B 00');
    expect(h.sim.ledger()).toEqual([]);
    expect(h.service.journal.list({})).toEqual([]);
  });

  it("after a Registration with the password, payments run (also on the register's next connection)", async () => {
    h = await startHarness({ listener: { protocol: 'zvt', password: '314159', options: { receipts: 'off' } } });
    const first = await ecrAt(h.port);
    await first.send('06 00 04 31 41 59 86');
    await first.expect('80 00 00');
    await first.next();
    await first.ack();
    const second = await ecrAt(h.port);
    await second.send('06 01 07 04 00 00 00 00 10 00');
    await second.expect('80 00 00');
  });
});

describe('guessing the ZVT password', () => {
  it('1,000 wrong passwords from one peer take hours on the clock, all refused with 84 83 00, and lock it out', async () => {
    const { clock, lines, events, log, security } = captured();
    const throttle = new AuthThrottle({ listener: 'zvt-1', secret: 'password', log, security, now: () => clock.now });
    const api = new FakeBridgeApi();
    const protocol = zvtTcpProtocol({ options: { password: '999999', receipts: 'off' } });
    const listener = await listenTcp('127.0.0.1', 0, (socket, peer) =>
      protocol.serve(socket, { ...contextFor(api, peer), auth: { throttle } }),
    );
    open.push(listener);
    const ecr = await ecrAt(listener.port);

    const start = clock.now;
    for (let guess = 0; guess < 1000; guess++) {
      // The guesser waits as long as the throttle makes it (it cannot tell from the answer: every refusal reads alike).
      const verdict = throttle.check('tcp 127.0.0.1:1');
      if (!verdict.allowed) clock.now += verdict.retryAfterMs;
      const pw = String(guess).padStart(6, '0');
      await ecr.send(`06 00 04 ${pw.slice(0, 2)} ${pw.slice(2, 4)} ${pw.slice(4, 6)} BA`);
      await ecr.expect('84 83 00');
    }
    expect((clock.now - start) / 3_600_000).toBeGreaterThan(1);
    expect(
      lines.some((l) => l.includes('locked out after 10 wrong passwords in a row') && l.includes('127.0.0.1')),
    ).toBe(true);
    expect(events.filter((e) => e.kind === 'auth_lockout').length).toBeGreaterThan(50);

    // A try between two waits is refused without being looked at — even the right password.
    clock.now += 1;
    await ecr.send('06 00 04 99 99 99 BA');
    await ecr.expect('84 83 00');
    expect(api.submits.size).toBe(0);
  });
});
