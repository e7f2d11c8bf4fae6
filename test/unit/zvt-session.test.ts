import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../src/domain/errors';
import { apduBytes } from '../../src/register/zvt/apdu';
import { toHex } from '../../src/register/zvt/bcd';
import { freshState, zvtSerialProtocol, zvtTcpProtocol } from '../../src/register/zvt/session';
import { silentLogger } from '../../src/log/logger';
import { AuthThrottle } from '../../src/security/auth-throttle';
import {
  APPROVED_MC,
  FakeBridgeApi,
  ManualTimers,
  contextFor,
  flushMany,
  hex,
  memoryPair,
  norm,
  type FinishFields,
} from './zvt-helpers';

/** A session on an in-memory connection. Receipt lines are off unless a test is about them: without Registration
 *  the config byte is 86, which asks for them (see "receipt lines" below). */
function setup(options: Record<string, unknown> = {}, api = new FakeBridgeApi(), state = freshState()) {
  const timers = new ManualTimers();
  const { stream, ecr } = memoryPair('tcp');
  let n = 0;
  // Failed passwords are throttled on this clock, which the test moves by hand.
  const clock = { now: Date.parse('2026-12-07T12:00:00Z') };
  const throttle = new AuthThrottle({
    listener: 'zvt-1',
    secret: 'password',
    log: silentLogger(),
    now: () => clock.now,
  });
  zvtTcpProtocol({ timers, newRef: () => `zvt-test-${++n}`, options: { receipts: 'off', ...options }, state }).serve(
    stream,
    {
      ...contextFor(api),
      auth: { throttle },
    },
  );
  return { api, ecr, stream, timers, clock };
}

type Setup = ReturnType<typeof setup>;

/** (a) with a config byte: 80 00 00, the completion, our ack. */
async function register(s: Setup, config: string): Promise<void> {
  await s.ecr.send(`06 00 04 00 00 00 ${config}`);
  await s.ecr.expect('80 00 00');
  await s.ecr.expect('06 0F 07 19 00 29 12 34 56 78');
  await s.ecr.ack();
}

/** Nothing more arrives from the terminal (after letting every queued callback run). */
async function quiet(s: Setup): Promise<void> {
  await flushMany(5);
  expect(s.ecr.received.size).toBe(0);
}

/** The session still serves: a Status-Enquiry is answered in full. */
async function stillServing(s: Setup): Promise<void> {
  await s.ecr.send('05 01 03 00 00 00');
  await s.ecr.expect('80 00 00');
  await s.ecr.expect('06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00');
  await s.ecr.ack();
}

/** A completed sale, to reverse later. */
async function approvedSale(s: Setup, fields: FinishFields = APPROVED_MC): Promise<string> {
  await s.ecr.send('06 01 07 04 00 00 00 00 12 34');
  await s.ecr.expect('80 00 00');
  const run = await s.api.submits.next();
  run.finish(fields);
  const info = await s.ecr.next();
  expect((info.cls << 8) | info.instr).toBe(0x040f);
  await s.ecr.ack();
  expect(await s.api.deliveries.next()).toEqual({ ref: run.request.ref, how: 'acknowledged', kind: 'sale' });
  await s.ecr.expect('06 0F 00');
  await s.ecr.ack();
  return run.request.ref;
}

describe('(a) Registration', () => {
  it('password 000000, config BA, no CC: 80 00 00, then 06 0F with status 00 and TID, no 49', async () => {
    const s = setup();
    await s.ecr.send('06 00 04 00 00 00 BA');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 0F 07 19 00 29 12 34 56 78');
    await s.ecr.ack();
    await quiet(s);
    await stillServing(s);
  });

  it('with CC and service byte the completion adds 49 09 78', async () => {
    const s = setup();
    await s.ecr.send('06 00 08 00 00 00 BA 09 78 03 00');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 0F 0A 19 00 29 12 34 56 78 49 09 78');
    await s.ecr.ack();
  });

  it('a currency the terminal does not take: 84 1E 03 6F 09 78 instead of 80 00 00', async () => {
    const s = setup();
    await s.ecr.send('06 00 06 00 00 00 BA 08 26');
    await s.ecr.expect('84 1E 03 6F 09 78');
    await quiet(s);
    await stillServing(s);
  });

  it('checks the password only when one is configured; after a wrong one the next try waits', async () => {
    const s = setup({ password: '123456' });
    await s.ecr.send('06 00 04 00 00 00 BA');
    await s.ecr.expect('84 83 00');
    // Too soon after the wrong one: refused alike without being looked at.
    await s.ecr.send('06 00 04 12 34 56 BA');
    await s.ecr.expect('84 83 00');
    s.clock.now += 1000;
    await s.ecr.send('06 00 04 12 34 56 BA');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 0F 07 19 00 29 12 34 56 78');
    await s.ecr.ack();
    const open = setup();
    await open.ecr.send('06 00 04 99 99 99 BA');
    await open.ecr.expect('80 00 00');
  });

  it('uses the configured TID, and omits BMP 29 when the myPOS id is not numeric', async () => {
    const s = setup({ terminalId: '42' });
    await s.ecr.send('06 00 04 00 00 00 BA');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 0F 07 19 00 29 00 00 00 42');
    const api = new FakeBridgeApi();
    api.terminal = { ...api.terminal, terminalId: 'MYPOS-AB12' };
    const t = setup({}, api);
    await t.ecr.send('06 00 04 00 00 00 BA');
    await t.ecr.expect('80 00 00');
    await t.ecr.expect('06 0F 02 19 00');
  });
});

describe('(b) Authorization, approved', () => {
  it('EUR 12.34, ECR builds its own receipt: 80 00 00, 04 FF, 04 0F, commit on 80 00, 06 0F 00', async () => {
    const s = setup();
    await register(s, '3A'); // bit 08 set (intermediate status), bit 80 clear
    await s.ecr.send('06 01 0C 04 00 00 00 00 12 34 49 09 78 06 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    expect(run.request).toEqual({ kind: 'sale', ref: 'zvt-test-1', amount: { minor: 1234, currency: 'EUR' } });
    run.stage('present_card');
    await s.ecr.expect('04 FF 01 0A');
    await s.ecr.ack();
    run.finish(APPROVED_MC);
    await s.ecr.expect(
      '04 0F 2C 27 00 04 00 00 00 00 12 34 0B 00 00 42 0C 14 30 15 0D 11 25 22 F0 F8 54 13 33 EE EE EE 12 34 29 12 34 56 78 87 00 17 8A 06 49 09 78',
    );
    await flushMany();
    expect(s.api.deliveryLog).toEqual([]); // nothing committed before the register's answer
    await s.ecr.ack(); // ← commit point
    expect(await s.api.deliveries.next()).toEqual({ ref: 'zvt-test-1', how: 'acknowledged', kind: 'sale' });
    await s.ecr.expect('06 0F 00');
    await s.ecr.ack();
    await quiet(s);
    await stillServing(s);
  });

  it('minimal request without registration: no 04 FF (config 86), no 49 (no CC sent)', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    expect(run.request.amount).toEqual({ minor: 1000, currency: 'EUR' });
    run.stage('present_card');
    run.stage('pin_entry');
    run.finish({ ...APPROVED_MC });
    const info = await s.ecr.next();
    expect(toHex(apduBytes(info))).toBe(
      norm(
        '04 0F 29 27 00 04 00 00 00 00 10 00 0B 00 00 42 0C 14 30 15 0D 11 25 22 F0 F8 54 13 33 EE EE EE 12 34 29 12 34 56 78 87 00 17 8A 06',
      ),
    );
    await s.ecr.ack();
    await s.ecr.expect('06 0F 00');
    await s.ecr.ack();
  });

  it('"PT decides" payment type and card data BMPs are accepted and ignored', async () => {
    const s = setup();
    await s.ecr.send('06 01 0F 04 00 00 00 00 10 00 19 40 23 F0 F3 11 22 33');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    expect(run.request.amount?.minor).toBe(1000);
  });

  it('stages map to 04 FF values; the last one is repeated every 30 s to keep T4 alive', async () => {
    const s = setup();
    await register(s, '3A');
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    run.stage('pin_entry');
    await s.ecr.expect('04 FF 01 01');
    await s.ecr.ack();
    run.stage('processing');
    await s.ecr.expect('04 FF 01 04');
    await s.ecr.ack();
    run.stage('processing'); // unchanged: nothing sent
    await quiet(s);
    s.timers.advance(30_000);
    await s.ecr.expect('04 FF 01 04');
    await s.ecr.ack();
    s.timers.advance(30_000);
    await s.ecr.expect('04 FF 01 04');
    await s.ecr.ack();
    run.finish(APPROVED_MC);
    await s.ecr.next();
    await s.ecr.ack();
    await s.ecr.expect('06 0F 00');
    await s.ecr.ack();
    s.timers.advance(60_000);
    await quiet(s);
  });

  it('approved amount, auth code, card name and VU number go into 04 0F', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    run.finish({
      ...APPROVED_MC,
      authCode: 'A1B2C3',
      applicationLabel: 'MASTERCARD',
      merchantId: '123456789012345',
      aid: 'A0000000043060',
    });
    const info = await s.ecr.next();
    const h = toHex(info.data);
    expect(h).toContain(norm('2A 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35'));
    expect(h).toContain(norm('3B 41 31 42 32 43 33 00 00'));
    expect(h).toContain(norm('8A 2E')); // Maestro AID
    expect(h).toContain(norm('8B F1 F0 4D 41 53 54 45 52 43 41 52 44'));
  });

  it('receipt lines via 06 D1 when the register asked for them (config BA), after the commit', async () => {
    const s = setup({ receipts: 'auto' });
    await register(s, 'BA');
    await s.ecr.send('06 01 0C 04 00 00 00 00 12 34 49 09 78 06 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    run.finish({ ...APPROVED_MC, authCode: '123456' });
    const info = await s.ecr.next();
    expect(info.instr).toBe(0x0f);
    await s.ecr.ack();
    expect((await s.api.deliveries.next()).how).toBe('acknowledged');
    const lines: Array<{ attr: number; text: string }> = [];
    for (;;) {
      const a = await s.ecr.next();
      await s.ecr.ack();
      if (a.cls === 0x06 && a.instr === 0x0f) break;
      expect([a.cls, a.instr]).toEqual([0x06, 0xd1]);
      lines.push({ attr: a.data[0]!, text: a.data.subarray(1).toString('latin1') });
    }
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.slice(0, -1).every((l) => l.attr === 0x00)).toBe(true);
    expect(lines.at(-1)!.attr).toBe(0x81);
    const all = lines.map((l) => l.text).join('\n');
    expect(all).toContain('EUR 12.34');
    expect(all).toContain('541333******1234');
    expect(all).toContain('APPROVED');
    expect(lines.every((l) => l.text.length <= 40 && !/[\r\n]/.test(l.text))).toBe(true);
  });
});

describe('receipt lines', () => {
  it('none when the register builds its own receipt (config bit 80 clear) or prints nothing (bit 02 clear)', async () => {
    for (const config of ['3A', '88']) {
      const s = setup({ receipts: 'auto' });
      await register(s, config);
      await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
      await s.ecr.expect('80 00 00');
      (await s.api.submits.next()).finish(APPROVED_MC);
      await s.ecr.next();
      await s.ecr.ack();
      await s.ecr.expect('06 0F 00');
    }
  });

  it('before any Registration the config byte is 86 (ECR prints, lines via 06 D1): lines are sent', async () => {
    const s = setup({ receipts: 'auto' });
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    (await s.api.submits.next()).finish(APPROVED_MC);
    await s.ecr.next();
    await s.ecr.ack();
    const line = await s.ecr.next();
    expect([line.cls, line.instr]).toEqual([0x06, 0xd1]);
  });

  it('84 CC (printer not ready) to 06 D1 stops the lines; the payment stands', async () => {
    const s = setup({ receipts: 'auto' });
    await register(s, 'BA');
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    (await s.api.submits.next()).finish(APPROVED_MC);
    await s.ecr.next();
    await s.ecr.ack();
    expect((await s.api.deliveries.next()).how).toBe('acknowledged');
    const line = await s.ecr.next();
    expect(line.instr).toBe(0xd1);
    await s.ecr.send('84 CC 00');
    await s.ecr.expect('06 0F 00');
    expect(s.api.deliveryLog.map((d) => d.how)).toEqual(['acknowledged']);
  });
});

describe('(c) Status-Enquiry', () => {
  it('05 01 03 00 00 00 → 80 00 00, 06 0F with SW version "2.14.15" (LLLVAR) and status 00', async () => {
    const s = setup();
    await stillServing(s);
  });

  it('reports 9C while the terminal is busy, DF when it is unreachable; service bit 02 omits the version', async () => {
    const api = new FakeBridgeApi();
    const s = setup({}, api);
    api.terminal = { ...api.terminal, state: 'busy' };
    await s.ecr.send('05 01 03 00 00 00');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 9C');
    await s.ecr.ack();
    api.terminal = { ...api.terminal, state: 'offline' };
    await s.ecr.send('05 01 05 00 00 00 03 02');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 0F 01 DF');
    await s.ecr.ack();
    await s.ecr.send('05 01 00');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 DF');
  });
});

describe('(d) failure paths', () => {
  it('host declines with code 05: 04 0F with 27 05, then 06 1E 01 05', async () => {
    const s = setup();
    await s.ecr.send('06 01 0C 04 00 00 00 00 12 34 49 09 78 06 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    run.finish({
      outcome: 'declined',
      hostCode: '05',
      stan: '43',
      txTime: '143502',
      txDate: '1125',
      terminalId: '12345678',
    });
    await s.ecr.expect('04 0F 1C 27 05 04 00 00 00 00 12 34 0B 00 00 43 0C 14 35 02 0D 11 25 29 12 34 56 78 49 09 78');
    await s.ecr.ack();
    await s.ecr.expect('06 1E 01 05');
    await s.ecr.ack();
    expect(await s.api.deliveries.next()).toEqual({ ref: 'zvt-test-1', how: 'acknowledged', kind: 'sale' });
  });

  it('host code 51 is sent as binary 33; a decline without a usable code is FF with the text in 1F17', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    (await s.api.submits.next()).finish({ outcome: 'declined', hostCode: '51', stan: '7' });
    expect((await s.ecr.next()).data.subarray(0, 2)).toEqual(hex('27 33'));
    await s.ecr.ack();
    await s.ecr.expect('06 1E 01 33');
    await s.ecr.ack();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    (await s.api.submits.next()).finish({ outcome: 'declined', hostCode: 'N7', declineReason: 'CVV', stan: '8' });
    const info = await s.ecr.next();
    expect(info.data.subarray(0, 2)).toEqual(hex('27 FF'));
    expect(toHex(info.data)).toContain(toHex(Buffer.from('declined: CVV')));
    await s.ecr.ack();
    const abort = await s.ecr.next();
    expect(toHex(apduBytes(abort))).toBe(norm(`06 1E 13 FF 06 10 1F 17 0D ${toHex(Buffer.from('declined: CVV'))}`));
  });

  it('customer cancels or the card times out: 06 1E 01 6C', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    (await s.api.submits.next()).finish({ outcome: 'cancelled' });
    await s.ecr.expect('06 1E 01 6C');
    await s.ecr.ack();
    expect((await s.api.deliveries.next()).how).toBe('acknowledged');
  });

  it('myPOS unreachable: 06 1E 01 A3 (failed result, or the bridge refusing with terminal_offline)', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    (await s.api.submits.next()).finish({ outcome: 'failed', terminalStatus: '15', hostCode: '91' });
    await s.ecr.expect('06 1E 01 A3');
    await s.ecr.ack();
    s.api.submit = async () => {
      throw new BridgeError('terminal_offline', 'terminal lane1 is offline');
    };
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 1E 01 A3');
  });

  it('terminal statuses with a ZVT meaning: unsupported card C5, chip error 72, PIN tries 4B', async () => {
    const s = setup();
    for (const [status, rc] of [
      ['6', 'C5'],
      ['7', '72'],
      ['10', '4B'],
    ] as const) {
      await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
      await s.ecr.expect('80 00 00');
      (await s.api.submits.next()).finish({ outcome: 'declined', terminalStatus: status });
      const info = await s.ecr.next();
      expect(toHex(info.data.subarray(0, 2))).toBe(`27 ${rc}`);
      await s.ecr.ack();
      await s.ecr.expect(`06 1E 01 ${rc}`);
      await s.ecr.ack();
    }
  });

  it('outcome unknown: 06 1E FF "check terminal", delivery rejected (reverse if later found approved)', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    (await s.api.submits.next()).finish({ outcome: 'in_doubt' });
    const abort = await s.ecr.next();
    expect(toHex(apduBytes(abort))).toBe(norm(`06 1E 14 FF 06 11 1F 17 0E ${toHex(Buffer.from('check terminal'))}`));
    await s.ecr.ack();
    expect((await s.api.deliveries.next()).how).toBe('rejected');
  });

  it("a currency other than the terminal's: 80 00 00, then 06 1E 03 6F 09 78; nothing reaches the bridge", async () => {
    const s = setup();
    await s.ecr.send('06 01 0A 04 00 00 00 00 10 00 49 08 26');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 1E 03 6F 09 78');
    await s.ecr.ack();
    expect(s.api.all).toHaveLength(0);
  });

  it.each(['06 10 00', '06 20 00', '06 70 00', '06 93 03 00 00 00', '06 18 03 00 00 00', '08 01 00', '0F CA 00'])(
    'unsupported command %s: 84 83 00, and the session serves on',
    async (cmd) => {
      const s = setup();
      await s.ecr.send(cmd);
      await s.ecr.expect('84 83 00');
      await stillServing(s);
    },
  );

  it('Authorization without amount: 84 83 00 (no amount entry on the bridge)', async () => {
    const s = setup();
    await s.ecr.send('06 01 02 06 00');
    await s.ecr.expect('84 83 00');
  });

  it('the bridge refuses an amount of zero: 06 1E 01 83', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 00 00');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 1E 01 83');
  });
});

describe('errors inside the bridge', () => {
  it('a result the adapter cannot encode: delivery rejected, 06 1E FF, master rights back', async () => {
    const s = setup();
    await s.ecr.send('06 01 0C 04 00 00 00 00 12 34 49 09 78 06 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    run.finish({ ...APPROVED_MC, amount: { minor: 1234, currency: 'ZZZ' } });
    expect(await s.api.deliveries.next()).toEqual({ ref: run.request.ref, how: 'rejected', kind: 'sale' });
    const abort = await s.ecr.next();
    expect([abort.cls, abort.instr, abort.data[0]]).toEqual([0x06, 0x1e, 0xff]);
    await s.ecr.ack();
    await stillServing(s);
  });
});

describe('Abort 06 B0 and the commit rule (§10)', () => {
  it('ECR aborts during a payment: 80 00 00, api.cancel, then 06 1E 01 6C', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    await s.ecr.send('06 B0 00');
    await s.ecr.expect('80 00 00');
    expect(await s.api.cancels.next()).toBe(run.request.ref);
    await s.ecr.expect('06 1E 01 6C');
    await s.ecr.ack();
    await stillServing(s);
  });

  it('abort too late, myPOS approves anyway: delivery rejected (the bridge reverses), 06 1E 01 6C, no 04 0F', async () => {
    const s = setup();
    s.api.cancelEffect = 'too_late';
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    await s.ecr.send('06 B0 00');
    await s.ecr.expect('80 00 00');
    await s.api.cancels.next();
    run.finish(APPROVED_MC);
    expect(await s.api.deliveries.next()).toEqual({ ref: run.request.ref, how: 'rejected', kind: 'sale' });
    await s.ecr.expect('06 1E 01 6C');
  });

  it('Abort with nothing running: 80 00 00', async () => {
    const s = setup();
    await s.ecr.send('06 B0 00');
    await s.ecr.expect('80 00 00');
    await quiet(s);
  });

  it('ECR refuses the 04 0F (84 xx, goods not issued): rejected, then 06 1E 01 6C', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    run.finish(APPROVED_MC);
    await s.ecr.next();
    await s.ecr.send('84 66 00');
    expect(await s.api.deliveries.next()).toEqual({ ref: run.request.ref, how: 'rejected', kind: 'sale' });
    await s.ecr.expect('06 1E 01 6C');
    await s.ecr.ack();
  });

  it('84 00 to 04 0F is positive', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    (await s.api.submits.next()).finish(APPROVED_MC);
    await s.ecr.next();
    await s.ecr.send('84 00 00');
    expect((await s.api.deliveries.next()).how).toBe('acknowledged');
    await s.ecr.expect('06 0F 00');
  });

  it('84 9C: the 04 0F is repeated after 2 s; then 80 00 commits', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    (await s.api.submits.next()).finish(APPROVED_MC);
    const first = await s.ecr.next();
    await s.ecr.send('84 9C 00');
    await quiet(s);
    s.timers.advance(1999);
    await quiet(s);
    s.timers.advance(1);
    const again = await s.ecr.next();
    expect(again.data).toEqual(first.data);
    await s.ecr.ack();
    expect((await s.api.deliveries.next()).how).toBe('acknowledged');
    await s.ecr.expect('06 0F 00');
  });

  it('84 9C beyond BMP 02 max. status infos: rejected, 04 0F 02 27 6C, 06 1E 01 6C', async () => {
    const s = setup();
    await s.ecr.send('06 01 09 04 00 00 00 00 10 00 02 01');
    await s.ecr.expect('80 00 00');
    (await s.api.submits.next()).finish(APPROVED_MC);
    await s.ecr.next();
    await s.ecr.send('84 9C 00');
    await flushMany();
    s.timers.advance(2000);
    await s.ecr.next();
    await s.ecr.send('84 9C 00');
    expect((await s.api.deliveries.next()).how).toBe('rejected');
    await s.ecr.expect('04 0F 02 27 6C');
    await s.ecr.ack();
    await s.ecr.expect('06 1E 01 6C');
    await s.ecr.ack();
  });

  it('no answer to 04 0F within the goods-issue timeout (BMP 01, else 30 s): rejected, then 06 1E 01 6C', async () => {
    const s = setup();
    await s.ecr.send('06 01 09 01 0A 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    (await s.api.submits.next()).finish(APPROVED_MC);
    await s.ecr.next();
    await flushMany();
    s.timers.advance(9_999);
    await flushMany();
    expect(s.api.deliveryLog).toEqual([]);
    s.timers.advance(1);
    expect((await s.api.deliveries.next()).how).toBe('rejected');
    await s.ecr.expect('06 1E 01 6C');
  });

  it('socket closed before the answer to 04 0F: rejected', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    run.finish(APPROVED_MC);
    await s.ecr.next();
    s.stream.destroy();
    expect(await s.api.deliveries.next()).toEqual({ ref: run.request.ref, how: 'rejected', kind: 'sale' });
  });

  it('socket closed while myPOS works: cancel; approved anyway → rejected', async () => {
    const s = setup();
    s.api.cancelEffect = 'too_late';
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    s.stream.destroy();
    expect(await s.api.cancels.next()).toBe(run.request.ref);
    run.finish(APPROVED_MC);
    expect((await s.api.deliveries.next()).how).toBe('rejected');
  });

  it('T3: the register does not answer 04 FF within 5 s → socket closed, payment cancelled', async () => {
    const s = setup();
    await register(s, '3A');
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    run.stage('present_card');
    await s.ecr.expect('04 FF 01 0A');
    await flushMany();
    s.timers.advance(5_000);
    expect(await s.api.cancels.next()).toBe(run.request.ref);
    expect(s.stream.closed).toBe(true);
    expect((await s.api.deliveries.next()).how).toBe('undeliverable');
  });

  it('a command while a payment runs: 84 83 00; the payment goes on', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    await s.ecr.send('05 01 03 00 00 00');
    await s.ecr.expect('84 83 00');
    run.finish({ outcome: 'cancelled' });
    await s.ecr.expect('06 1E 01 6C');
  });

  it('a command right behind the ack of our 06 0F (same segment) is served', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    (await s.api.submits.next()).finish(APPROVED_MC);
    await s.ecr.next();
    await s.ecr.ack();
    await s.ecr.expect('06 0F 00');
    await s.ecr.send('80 00 00 05 01 03 00 00 00');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00');
  });

  it('Log-Off: 80 00 00, no completion; the config byte reverts to 86 (no more 04 FF)', async () => {
    const s = setup();
    await register(s, '3A');
    await s.ecr.send('06 02 00');
    await s.ecr.expect('80 00 00');
    await quiet(s);
    await s.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    run.stage('present_card');
    run.finish({ outcome: 'cancelled' });
    await s.ecr.expect('06 1E 01 6C');
  });

  it('registration belongs to the listener: a new connection keeps config and CC', async () => {
    const api = new FakeBridgeApi();
    const state = freshState();
    const first = setup({}, api, state);
    await first.ecr.send('06 00 06 00 00 00 3A 09 78');
    await first.ecr.expect('80 00 00');
    await first.ecr.expect('06 0F 0A 19 00 29 12 34 56 78 49 09 78');
    await first.ecr.ack();
    first.stream.destroy();
    const second = setup({}, api, state);
    await second.ecr.send('06 01 07 04 00 00 00 00 10 00');
    await second.ecr.expect('80 00 00');
    const run = await api.submits.next();
    run.stage('present_card');
    await second.ecr.expect('04 FF 01 0A');
    await second.ecr.ack();
    run.finish(APPROVED_MC);
    const info = await second.ecr.next();
    expect(toHex(info.data).endsWith('49 09 78')).toBe(true);
  });
});

describe('(e) Reversal 06 30', () => {
  it('of receipt 0017: the 04 0F carries 37 (original trace) and a new receipt number', async () => {
    const s = setup();
    const ref = await approvedSale(s);
    await s.ecr.send('06 30 06 00 00 00 87 00 17');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    expect(run.request).toEqual({ kind: 'reversal', ref });
    run.finish({
      outcome: 'approved',
      stan: '44',
      receiptNo: 18,
      txTime: '143100',
      txDate: '1125',
      terminalId: '12345678',
    });
    await s.ecr.expect(
      '04 0F 20 27 00 04 00 00 00 00 12 34 0B 00 00 44 37 00 00 42 0C 14 31 00 0D 11 25 29 12 34 56 78 87 00 18',
    );
    await s.ecr.ack();
    expect(await s.api.deliveries.next()).toEqual({ ref, how: 'acknowledged', kind: 'reversal' });
    await s.ecr.expect('06 0F 00');
    await s.ecr.ack();
  });

  it('receipt unknown: 06 1E 01 B5; already reversed: B4; amount does not match: B5', async () => {
    const s = setup();
    await approvedSale(s);
    await s.ecr.send('06 30 06 00 00 00 87 00 99');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 1E 01 B5');
    await s.ecr.ack();
    await s.ecr.send('06 30 0D 00 00 00 87 00 17 04 00 00 00 00 99 99');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 1E 01 B5');
    await s.ecr.ack();
    await s.ecr.send('06 30 06 00 00 00 87 00 17');
    await s.ecr.expect('80 00 00');
    (await s.api.submits.next()).finish({ outcome: 'approved', receiptNo: 18 });
    await s.ecr.next();
    await s.ecr.ack();
    await s.ecr.expect('06 0F 00');
    await s.ecr.ack();
    await s.ecr.send('06 30 06 00 00 00 87 00 17');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 1E 01 B4');
  });

  it("without the bridge's receipt lookup, the register's last payment can still be reversed", async () => {
    const s = setup({}, new FakeBridgeApi({ receiptLookup: false }));
    const ref = await approvedSale(s);
    await s.ecr.send('06 30 06 00 00 00 87 00 17');
    await s.ecr.expect('80 00 00');
    expect((await s.api.submits.next()).request).toEqual({ kind: 'reversal', ref });
  });

  it('a wrong password is refused with 84 83 00; before a Registration with the password, 84 6B 00', async () => {
    const s = setup({ password: '111111' });
    await s.ecr.send('06 30 06 11 11 11 87 00 17');
    await s.ecr.expect('84 6B 00');
    await s.ecr.send('06 00 04 11 11 11 BA');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 0F 07 19 00 29 12 34 56 78');
    await s.ecr.ack();
    await s.ecr.send('06 30 06 00 00 00 87 00 17');
    await s.ecr.expect('84 83 00');
  });
});

describe('(f) Refund 06 31', () => {
  it('EUR 5.00: flow as (b), kind refund', async () => {
    const s = setup();
    await s.ecr.send('06 31 0A 00 00 00 04 00 00 00 00 05 00');
    await s.ecr.expect('80 00 00');
    const run = await s.api.submits.next();
    expect(run.request).toEqual({ kind: 'refund', ref: 'zvt-test-1', amount: { minor: 500, currency: 'EUR' } });
    run.finish({
      outcome: 'approved',
      stan: '45',
      receiptNo: 19,
      txTime: '143200',
      txDate: '1125',
      terminalId: '12345678',
    });
    await s.ecr.expect('04 0F 1C 27 00 04 00 00 00 00 05 00 0B 00 00 45 0C 14 32 00 0D 11 25 29 12 34 56 78 87 00 19');
    await s.ecr.ack();
    expect(await s.api.deliveries.next()).toEqual({ ref: 'zvt-test-1', how: 'acknowledged', kind: 'refund' });
    await s.ecr.expect('06 0F 00');
  });

  it('without amount: 84 83 00', async () => {
    const s = setup();
    await s.ecr.send('06 31 03 00 00 00');
    await s.ecr.expect('84 83 00');
  });
});

describe('(g) End-of-Day 06 50', () => {
  const zeroGroups = '00 00 00 00 00 00 00 '.repeat(7);

  it('without day totals from the bridge: 04 0F with 27 00, 04, 0B, 0C, 0D and a 53-byte 60 of zeros, then 06 0F 00', async () => {
    const s = setup();
    await s.ecr.send('06 50 03 00 00 00');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect(
      `04 0F 4D 27 00 04 00 00 00 00 00 00 0B 00 00 00 0C 14 30 15 0D 11 25 60 F0 F5 F3 00 00 00 00 ${zeroGroups}`,
    );
    await s.ecr.ack();
    await s.ecr.expect('06 0F 00');
    await s.ecr.ack();
  });

  it("with the bridge's day: totals per card group; reversed payments do not count, refunds subtract", async () => {
    const api = new FakeBridgeApi();
    const view = (
      ref: string,
      kind: 'sale' | 'refund',
      minor: number,
      receiptNo: number,
      aid: string,
      reversed = false,
    ) => ({
      ...api.viewOf({
        ref,
        kind,
        outcome: 'approved',
        amount: { minor, currency: 'EUR' },
        terminal: 'lane1',
        message: '',
        receiptNo,
        aid,
      }),
      ...(reversed ? { reversed: true } : {}),
    });
    api.closeDay = async () => [
      view('a', 'sale', 1234, 17, 'A0000000041010'),
      view('b', 'sale', 500, 18, 'A0000000031010'),
      view('c', 'refund', 200, 19, 'A0000000041010'),
      view('d', 'sale', 999, 20, 'A0000000031010', true),
    ];
    const s = setup({}, api);
    await s.ecr.send('06 50 03 00 00 00');
    await s.ecr.expect('80 00 00');
    const groups = [
      '00 00 00 00 00 00 00', // girocard
      '00 00 00 00 00 00 00', // JCB
      '02 00 00 00 00 10 34', // Eurocard: 12.34 − 2.00
      '00 00 00 00 00 00 00', // Amex
      '01 00 00 00 00 05 00', // VISA
      '00 00 00 00 00 00 00', // Diners
      '00 00 00 00 00 00 00', // remaining
    ].join(' ');
    await s.ecr.expect(
      `04 0F 4D 27 00 04 00 00 00 00 15 34 0B 00 00 19 0C 14 30 15 0D 11 25 60 F0 F5 F3 00 17 00 19 ${groups}`,
    );
  });

  it('checks the password when configured', async () => {
    const s = setup({ password: '123456' });
    await s.ecr.send('06 50 03 12 34 56');
    await s.ecr.expect('84 6B 00');
    await s.ecr.send('06 00 04 12 34 56 BA');
    await s.ecr.expect('80 00 00');
    await s.ecr.expect('06 0F 07 19 00 29 12 34 56 78');
    await s.ecr.ack();
    await s.ecr.send('06 50 03 00 00 00');
    await s.ecr.expect('84 83 00');
    s.clock.now += 1000;
    await s.ecr.send('06 50 03 12 34 56');
    await s.ecr.expect('80 00 00');
  });
});

describe('malformed input gets 84 9A 00 and the connection lives on', () => {
  it.each([
    ['truncated amount', '06 01 03 04 00 00'],
    ['amount not BCD', '06 01 07 04 00 00 00 00 1A 00'],
    ['Reversal without password', '06 30 02 00 00'],
    ['Registration without config byte', '06 00 03 00 00 00'],
    ['bad LLVAR prefix', '06 01 0B 04 00 00 00 00 10 00 22 A0 01 12'],
  ])('%s', async (_name, cmd) => {
    const s = setup();
    await s.ecr.send(cmd);
    await s.ecr.expect('84 9A 00');
    await stillServing(s);
  });

  it('an incomplete APDU is discarded after 5 s (84 9A 00); the next command is read from a clean start', async () => {
    const s = setup();
    await s.ecr.send('06 01 07 04 00');
    await quiet(s);
    s.timers.advance(5_000);
    await s.ecr.expect('84 9A 00');
    await stillServing(s);
  });

  it('an unexpected reply (80 00 00 with nothing pending) is ignored', async () => {
    const s = setup();
    await s.ecr.send('80 00 00');
    await quiet(s);
    await stillServing(s);
  });
});

describe('serial session (zvt.md §9 (h))', () => {
  it('full serial registration, byte for byte', async () => {
    const timers = new ManualTimers();
    const { stream } = memoryPair('tcp');
    let out = Buffer.alloc(0);
    const waiters: Array<() => void> = [];
    stream.onWrite = (b) => {
      out = Buffer.concat([out, b]);
      waiters.splice(0).forEach((w) => w());
    };
    const upTo = async (n: number): Promise<string> => {
      while (out.length < n) await new Promise<void>((r) => waiters.push(r));
      const h = toHex(out.subarray(0, n));
      out = out.subarray(n);
      return h;
    };
    zvtSerialProtocol({ timers }).serve(stream, contextFor(new FakeBridgeApi()));
    stream.feed(hex('10 02 06 00 04 00 00 00 BA 10 03 98 F8'));
    expect(await upTo(1)).toBe('06');
    expect(await upTo(9)).toBe(norm('10 02 80 00 00 10 03 F5 1F'));
    stream.feed(hex('06'));
    expect(await upTo(16)).toBe(norm('10 02 06 0F 07 19 00 29 12 34 56 78 10 03 52 23'));
    stream.feed(hex('06'));
    stream.feed(hex('10 02 80 00 00 10 03 F5 1F'));
    expect(await upTo(1)).toBe('06');
    // a damaged frame is NAKed, the line lives on
    stream.feed(hex('10 02 05 01 03 00 00 00 10 03 DF DC'));
    expect(await upTo(1)).toBe('15');
    stream.feed(hex('10 02 05 01 03 00 00 00 10 03 DF DB'));
    expect(await upTo(1)).toBe('06');
    expect(await upTo(9)).toBe(norm('10 02 80 00 00 10 03 F5 1F'));
  });

  it('no ACK for our frame after 2 repeats: a transmission error aborts the operation; the port stays open', async () => {
    const timers = new ManualTimers();
    const { stream, ecr } = memoryPair('serial', timers);
    const api = new FakeBridgeApi();
    api.cancelEffect = 'too_late';
    zvtSerialProtocol({ timers }).serve(stream, contextFor(api));
    await ecr.send('06 01 07 04 00 00 00 00 10 00');
    await ecr.expect('80 00 00');
    const run = await api.submits.next();
    // From now on the register stops ACKing: detach its reader.
    stream.onWrite = () => undefined;
    run.finish(APPROVED_MC);
    await flushMany();
    for (let i = 0; i < 3; i++) {
      timers.advance(5_000);
      await flushMany();
    }
    expect(await api.deliveries.next()).toEqual({ ref: run.request.ref, how: 'rejected', kind: 'sale' });
    expect(stream.closed).toBe(false);
  });
});
