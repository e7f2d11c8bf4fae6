/**
 * Garbage on the display or printer line (noise, a wrong baud rate, a half-understood command set) never starts
 * a payment and never throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureRegistry } from '../../src/register/capture/capture-registry';
import { CustomerDisplay } from '../../src/register/capture/display';
import { EscPosParser } from '../../src/register/capture/escpos';
import { poleDisplayProtocol } from '../../src/register/capture/pole-display';
import { printerProtocol } from '../../src/register/capture/printer';
import { contextFor, FakeApi, ManualClock, MemoryStream } from './capture-helpers';

/** Bytes shaped like commands: prefixes, small parameters, digits and separators, line ends; no letters. */
const commandish = fc
  .array(
    fc.oneof(
      fc.constantFrom(0x1b, 0x1d, 0x1c, 0x10, 0x1f, 0x0a, 0x0d, 0x0c, 0x18, 0x00, 0x2c, 0x2e, 0x20, 0x3d, 0x24, 0x28),
      fc.integer({ min: 0x30, max: 0x39 }),
      fc.integer({ min: 0, max: 8 }),
      fc.integer({ min: 0x80, max: 0xff }),
    ),
    { maxLength: 2000 },
  )
  .map((a) => Uint8Array.from(a));

const garbage = fc.oneof(fc.uint8Array({ maxLength: 2000 }), commandish);
const chunks = fc.array(garbage, { minLength: 1, maxLength: 4 });

function run(kind: 'printer' | 'pole', pieces: Uint8Array[]): FakeApi {
  const api = new FakeApi();
  const clock = new ManualClock();
  const setup = { registry: new CaptureRegistry(), clock };
  const proto =
    kind === 'printer'
      ? printerProtocol({ receiptEnd: { idleMs: 100, init: true } }, setup)
      : poleDisplayProtocol({ trigger: 'stable' }, setup);
  const stream = new MemoryStream();
  proto.serve(stream, contextFor(api, kind));
  for (const p of pieces) {
    stream.feed(Buffer.from(p));
    clock.advance(2000);
  }
  stream.finish();
  clock.advance(2000);
  return api;
}

describe('capture: garbage in', () => {
  it('a printer stream of garbage starts no payment and never throws', () => {
    fc.assert(
      fc.property(chunks, (pieces) => {
        expect(run('printer', pieces).submitted).toHaveLength(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('a display stream of garbage starts no payment and never throws', () => {
    fc.assert(
      fc.property(chunks, (pieces) => {
        expect(run('pole', pieces).submitted).toHaveLength(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('the parsers take any bytes and keep their output bounded', () => {
    fc.assert(
      fc.property(garbage, (bytes) => {
        const d = new CustomerDisplay();
        d.push(bytes);
        const text = d.text();
        expect(text.split('\n').length).toBeLessThanOrEqual(2);
        const events = new EscPosParser().push(bytes);
        const printed = events.map((e) => (e.type === 'text' ? e.text : '')).join('');
        expect(printed.length).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 1000 },
    );
  });
});
