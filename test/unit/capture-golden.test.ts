/**
 * Recorded register streams (test/fixtures/capture/*.esc): each starts exactly one payment of the recorded total,
 * however the bytes are chunked, and reaches the real device behind the bridge byte for byte.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureRegistry } from '../../src/register/capture/capture-registry';
import { poleDisplayProtocol } from '../../src/register/capture/pole-display';
import { printerProtocol } from '../../src/register/capture/printer';
import { fixtures, loadFixture, parseFixture } from '../fixtures/capture/load';
import { contextFor, FakeApi, ManualClock, MemoryDevice, MemoryStream, splitAt, until } from './capture-helpers';

interface Env {
  readonly api: FakeApi;
  readonly clock: ManualClock;
  readonly device: MemoryDevice;
  readonly registry: CaptureRegistry;
}

const env = (): Env => ({
  api: new FakeApi(),
  clock: new ManualClock(),
  device: new MemoryDevice(),
  registry: new CaptureRegistry(),
});

function serve(kind: 'printer' | 'pole', e: Env, options: Record<string, unknown> = {}): MemoryStream {
  const setup = { registry: e.registry, clock: e.clock, dial: e.device.dial };
  const proto = kind === 'printer' ? printerProtocol(options, setup) : poleDisplayProtocol(options, setup);
  const stream = new MemoryStream();
  proto.serve(stream, contextFor(e.api, `${kind}-test`));
  return stream;
}

const RECEIPTS = fixtures('receipt-');
const DISPLAYS = fixtures('pole-');
const FORWARD = { forward: { type: 'tcp', host: '127.0.0.1', port: 9100 } };

describe('printer capture: recorded receipts', () => {
  it('there are receipts in the three total formats', () => {
    expect(RECEIPTS.map((f) => f.name)).toEqual([
      'receipt-summe-eur.esc',
      'receipt-total-colon.esc',
      'receipt-total-comma.esc',
    ]);
  });

  it.each(RECEIPTS.map((f) => [f.name, f] as const))(
    '%s starts exactly one payment of the recorded total',
    async (_n, f) => {
      const e = env();
      const stream = serve('printer', e, f.options);
      stream.feed(f.bytes);
      expect(e.api.submitted.map((s) => s.request.amount)).toEqual([f.expect]);
      stream.finish();
      await e.registry.idle();
      expect(e.api.submitted).toHaveLength(1);
      expect(e.api.submitted[0]!.request).toMatchObject({
        kind: 'sale',
        ref: expect.stringMatching(/^PRN-20260314-0001$/),
      });
      expect(e.api.deliveries).toEqual([{ ref: 'PRN-20260314-0001', how: 'written', kind: 'sale' }]);
      expect(e.registry.recentCaptures()[0]).toMatchObject({ outcome: 'approved', amount: f.expect, mode: 'printer' });
      expect(stream.ended).toBe(true);
    },
  );

  it.each(RECEIPTS.map((f) => [f.name, f] as const))(
    '%s: the same single payment however the bytes are chunked',
    (_n, f) => {
      fc.assert(
        fc.property(fc.array(fc.nat(f.bytes.length), { maxLength: 20 }), (cuts) => {
          const e = env();
          const stream = serve('printer', e, f.options);
          for (const piece of splitAt(f.bytes, cuts)) stream.feed(piece);
          stream.finish();
          expect(e.api.submitted.map((s) => s.request.amount)).toEqual([f.expect]);
        }),
        { numRuns: 100 },
      );
    },
  );

  it.each(RECEIPTS.map((f) => [f.name, f] as const))('%s reaches the real printer byte for byte', async (_n, f) => {
    const e = env();
    const stream = serve('printer', e, { ...f.options, ...FORWARD });
    for (const piece of splitAt(f.bytes, [1, 7, 100, 101, 250])) stream.feed(piece);
    stream.finish();
    await until(() => stream.ended, 'end of the register connection');
    expect(e.device.bytes().equals(f.bytes)).toBe(true);
    expect(e.api.submitted).toHaveLength(1);
  });

  it('with a real printer behind, its status answers go back to the register and the bridge answers nothing', async () => {
    const e = env();
    const stream = serve('printer', e, FORWARD);
    await until(() => e.device.links.length === 1, 'dial');
    stream.feed(parseFixture('q', 'DLE EOT 01').bytes);
    expect(stream.written).toHaveLength(0);
    e.device.links[0]!.answer(Uint8Array.of(0x16));
    expect([...Buffer.concat(stream.written)]).toEqual([0x16]);
  });

  it('without a real printer the bridge answers status queries as a ready printer', () => {
    const e = env();
    const stream = serve('printer', e);
    stream.feed(loadFixture('receipt-summe-eur.esc').bytes);
    stream.feed(parseFixture('q', 'DLE EOT 02 GS "r" 01').bytes);
    expect([...Buffer.concat(stream.written)]).toEqual([0x12, 0x12, 0x00]);
    const quiet = serve('printer', env(), { answerStatus: false });
    quiet.feed(parseFixture('q', 'DLE EOT 01').bytes);
    expect(quiet.written).toHaveLength(0);
  });

  it('one payment per receipt: two receipts in one print job', () => {
    const e = env();
    const stream = serve('printer', e);
    stream.feed(
      Buffer.concat([loadFixture('receipt-total-comma.esc').bytes, loadFixture('receipt-summe-eur.esc').bytes]),
    );
    stream.finish();
    expect(e.api.amounts()).toEqual([1234, 123456]);
    expect(e.api.submitted.map((s) => s.request.ref)).toEqual(['PRN-20260314-0001', 'PRN-20260314-0002']);
  });

  it('a receipt without a total, a refund receipt and a receipt the filters exclude start nothing', () => {
    const e = env();
    const stream = serve('printer', e, { ignore: 'KOPIE' });
    stream.feed(
      parseFixture(
        'r',
        '"X-BERICHT" LF "Umsatz 100,00" LF GS "V" 00  "TOTAL -12,34" LF GS "V" 00  "KOPIE" LF "TOTAL 5,00" LF GS "V" 00',
      ).bytes,
    );
    stream.finish();
    expect(e.api.submitted).toHaveLength(0);
    const e2 = env();
    const s2 = serve('printer', e2, { require: 'EC-KARTE' });
    s2.feed(parseFixture('r', '"TOTAL 5,00" LF "BAR" LF GS "V" 00 "TOTAL 6,00" LF "EC-Karte" LF GS "V" 00').bytes);
    expect(e2.api.amounts()).toEqual([600]);
  });

  it('receipt ends: the end of the job without a cut; ESC @; a quiet time; a closing line', () => {
    const noCut = env();
    const a = serve('printer', noCut);
    a.feed(parseFixture('r', '"TOTAL 1,00" LF').bytes);
    expect(noCut.api.submitted).toHaveLength(0);
    a.finish();
    expect(noCut.api.amounts()).toEqual([100]);

    const init = env();
    const b = serve('printer', init, { receiptEnd: { init: true, endOfJob: false } });
    b.feed(parseFixture('r', 'ESC "@" "TOTAL 1,00" LF ESC "@" "TOTAL 2,00" LF ESC "@"').bytes);
    expect(init.api.amounts()).toEqual([100, 200]);

    const idle = env();
    const c = serve('printer', idle, { receiptEnd: { idleMs: 500 } });
    c.feed(parseFixture('r', '"TOTAL 3,00" LF').bytes);
    idle.clock.advance(499);
    expect(idle.api.submitted).toHaveLength(0);
    idle.clock.advance(1);
    expect(idle.api.amounts()).toEqual([300]);

    const line = env();
    const d = serve('printer', line, { receiptEnd: { pattern: '^VIELEN DANK' } });
    d.feed(parseFixture('r', '"TOTAL 4,00" LF "VIELEN DANK" LF "TOTAL 5,00"').bytes);
    expect(line.api.amounts()).toEqual([400]);
  });

  it('a slip after the payment goes to the real printer between receipts', async () => {
    const e = env();
    e.api.hold = true;
    const stream = serve('printer', e, { ...FORWARD, slip: true });
    const receipt = loadFixture('receipt-total-comma.esc').bytes;
    stream.feed(receipt);
    stream.feed(Buffer.from('NEXT RECEIPT STARTS', 'latin1'));
    e.api.release('PRN-20260314-0001');
    await e.registry.idle();
    // The next receipt is being printed: the slip waits for its cut.
    expect(e.device.bytes().toString('latin1')).not.toContain('APPROVED');
    stream.feed(parseFixture('cut', 'GS "V" 00').bytes);
    const printed = e.device.bytes().toString('latin1');
    expect(printed.startsWith(receipt.toString('latin1') + 'NEXT RECEIPT STARTS\x1dV\x00')).toBe(true);
    expect(printed).toContain('CARD PAYMENT\nAPPROVED\n');
    expect(printed).toContain('EUR 12.34\n');
    expect(printed).toContain('Ref  PRN-20260314-0001\n');
    expect(printed).toContain('Card MASTERCARD 541333******1234\n');
    expect(printed.endsWith('\x1dVB\x00')).toBe(true);
  });

  it('a slip after the job ended goes to the printer over a connection of its own', async () => {
    const e = env();
    e.api.hold = true;
    const stream = serve('printer', e, { ...FORWARD, slip: true, decimal: ',' });
    stream.feed(loadFixture('receipt-total-comma.esc').bytes);
    stream.finish();
    await until(() => stream.ended, 'job end');
    e.api.release('PRN-20260314-0001');
    await e.registry.idle();
    expect(e.device.links).toHaveLength(2);
    expect(e.device.bytes().toString('latin1')).toContain('EUR 12,34\n');
  });
});

describe('pole-display capture: recorded display streams', () => {
  it('there are CD5220, Epson, plain-text and key-word streams', () => {
    expect(DISPLAYS.map((f) => f.name)).toEqual([
      'pole-cd5220.esc',
      'pole-epson.esc',
      'pole-keyword.esc',
      'pole-plain.esc',
    ]);
  });

  it.each(DISPLAYS.map((f) => [f.name, f] as const))(
    '%s starts exactly one payment once the total stood still',
    async (_n, f) => {
      const e = env();
      const stream = serve('pole', e, f.options);
      stream.feed(f.bytes);
      e.clock.advance(1499);
      expect(e.api.submitted).toHaveLength(0);
      e.clock.advance(1);
      expect(e.api.submitted.map((s) => s.request.amount)).toEqual([f.expect]);
      expect(e.api.submitted[0]!.request.ref).toBe('POLE-20260314-0001');
      e.clock.advance(60_000);
      await e.registry.idle();
      expect(e.api.submitted).toHaveLength(1);
      expect(e.registry.listPendingConfirmations()).toEqual([]);
    },
  );

  it.each(DISPLAYS.map((f) => [f.name, f] as const))(
    '%s: the same single payment however the bytes are chunked',
    (_n, f) => {
      fc.assert(
        fc.property(fc.array(fc.nat(f.bytes.length), { maxLength: 20 }), (cuts) => {
          const e = env();
          const stream = serve('pole', e, f.options);
          for (const piece of splitAt(f.bytes, cuts)) stream.feed(piece);
          e.clock.advance(2000);
          expect(e.api.submitted.map((s) => s.request.amount)).toEqual([f.expect]);
        }),
        { numRuns: 100 },
      );
    },
  );

  it.each(DISPLAYS.map((f) => [f.name, f] as const))('%s reaches the real display byte for byte', async (_n, f) => {
    const e = env();
    const stream = serve('pole', e, { ...f.options, ...FORWARD });
    for (const piece of splitAt(f.bytes, [1, 2, 3, 50, 51])) stream.feed(piece);
    e.clock.advance(2000);
    stream.finish();
    await until(() => stream.ended, 'end of the register connection');
    expect(e.device.bytes().equals(f.bytes)).toBe(true);
  });

  it('a redraw of the same total does not charge again; the same total after a pause is held as a duplicate', () => {
    const e = env();
    const stream = serve('pole', e);
    const screen = parseFixture('s', 'CLR "TOTAL" US "$" 0F 02 "12,34"').bytes;
    stream.feed(screen);
    e.clock.advance(1500);
    expect(e.api.amounts()).toEqual([1234]);
    // The register redraws the screen (clear, write again) every few hundred ms.
    for (let i = 0; i < 5; i++) {
      stream.feed(screen);
      e.clock.advance(300);
    }
    e.clock.advance(5000);
    expect(e.api.amounts()).toEqual([1234]);
    // Next customer, same total, 20 s later: not charged, held.
    stream.feed(parseFixture('s', 'CLR "WILLKOMMEN"').bytes);
    e.clock.advance(20_000);
    stream.feed(screen);
    e.clock.advance(1500);
    expect(e.api.amounts()).toEqual([1234]);
    expect(e.registry.listPendingConfirmations()).toMatchObject([
      { amount: { minor: 1234, currency: 'EUR' }, previousRef: 'POLE-20260314-0001', times: 1 },
    ]);
  });

  it('a total that changes before it stood still is not charged; the final one is', () => {
    const e = env();
    const stream = serve('pole', e, { stableMs: 1000 });
    stream.feed(parseFixture('s', 'CLR "TOTAL 2,50"').bytes);
    e.clock.advance(900);
    stream.feed(parseFixture('s', 'CLR "TOTAL 5,00"').bytes);
    e.clock.advance(900);
    stream.feed(parseFixture('s', 'CLR "TOTAL 7,50"').bytes);
    e.clock.advance(1000);
    expect(e.api.amounts()).toEqual([750]);
  });

  it('key-word mode: the total alone starts nothing; the key word does', () => {
    const e = env();
    const stream = serve('pole', e, { trigger: 'keyword', stableMs: 200 });
    stream.feed(parseFixture('s', 'CLR "SUMME 9,90"').bytes);
    e.clock.advance(10_000);
    expect(e.api.submitted).toHaveLength(0);
    stream.feed(parseFixture('s', 'CLR "BAR"').bytes);
    e.clock.advance(10_000);
    expect(e.api.submitted).toHaveLength(0);
    stream.feed(parseFixture('s', 'CLR "CARD 9,90"').bytes);
    e.clock.advance(200);
    expect(e.api.amounts()).toEqual([990]);
  });

  it('the ignore filter keeps a cash sale from being charged', () => {
    const e = env();
    const stream = serve('pole', e, { ignore: '\\bBAR\\b' });
    stream.feed(parseFixture('s', 'CLR "TOTAL 9,90" CR LF "BAR 10,00"').bytes);
    e.clock.advance(5000);
    expect(e.api.submitted).toHaveLength(0);
  });

  it('after the register half-closes, the connection ends once the shown total has settled', () => {
    const e = env();
    const stream = serve('pole', e);
    stream.feed(parseFixture('s', '"TOTAL 3,30"').bytes);
    stream.finish();
    expect(stream.ended).toBe(false);
    e.clock.advance(1500);
    expect(e.api.amounts()).toEqual([330]);
    expect(stream.ended).toBe(true);
  });

  it('a slip for a display capture goes to the configured slip printer', async () => {
    const e = env();
    const stream = serve('pole', e, {
      slip: true,
      slipPrinter: { type: 'tcp', host: '127.0.0.1', port: 9101 },
      slipTitle: 'KARTENZAHLUNG',
    });
    stream.feed(parseFixture('s', '"TOTAL 10,51"').bytes);
    e.clock.advance(1500);
    await e.registry.idle();
    expect(e.device.bytes().toString('latin1')).toMatch(/KARTENZAHLUNG\nDECLINED\n\x1bE\x00EUR 10\.51\n/);
  });
});
