/**
 * UART bytes in HID reports, both cable styles:
 * - Silicon Labs CP2110 (AN434): the report id is the payload length 1–63: [n, b1 … bn, padding];
 * - Microchip MCP2200/MCP2221 style, "length-prefixed", unnumbered reports: written through hidapi as
 *   [0, n, b1 … bn, padding] (hidapi drops the 0), read as [n, b1 … bn, padding].
 * Round trips of any bytes, writes fragmented over many reports, several messages coalesced in one report,
 * zero-length reports, over-long and short reports — on the codec and on the byte stream over a fake cable.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeReport, encodeReports, maxPayload, type HidReportFormat } from '../../src/transport/hid';
import { HidByteStream, reportFormatFor } from '../../src/transport/hid';
import { FakeHidHandle } from './hid-fakes';

const CP2110_STYLE = reportFormatFor({ vendorId: 0x10c4, productId: 0xea80 });
const MCP2221_STYLE = reportFormatFor({ vendorId: 0x04d8, productId: 0x00dd });

/** What the cable's UART side sees for one written report, and what it would send back as an input report. */
function onTheWire(report: Buffer, f: HidReportFormat): Buffer {
  // hidapi drops report id 0 before the report goes out, and input reports of unnumbered devices carry no id.
  return f.reportId === 0 ? report.subarray(1) : report;
}

function roundTrip(bytes: Uint8Array, f: HidReportFormat): { reports: Buffer[]; back: Buffer; problems: string[] } {
  const reports = encodeReports(bytes, f);
  const problems: string[] = [];
  const parts = reports.map((r) => {
    const d = decodeReport(onTheWire(r, f), f);
    if (d.problem) problems.push(d.problem);
    return d.payload;
  });
  return { reports, back: Buffer.concat(parts), problems };
}

describe('report formats of the known cables', () => {
  it('CP2110: report id = length, at most 63 bytes per report; MCP2221 style: unnumbered reports, length byte first', () => {
    expect(CP2110_STYLE).toEqual({ reportSize: 64, pad: true });
    expect(maxPayload(CP2110_STYLE)).toBe(63);
    expect(MCP2221_STYLE).toEqual({ reportSize: 64, pad: true, reportId: 0 });
    expect(maxPayload(MCP2221_STYLE)).toBe(63);
    // A configured report id wins over the cable's default.
    expect(reportFormatFor({ vendorId: 0x04d8, productId: 0x00dd, reportId: 2, reportSize: 32 })).toEqual({
      reportSize: 32,
      pad: true,
      reportId: 2,
    });
    expect(() => reportFormatFor({ vendorId: 1, productId: 2, reportSize: 1 })).toThrow(/reportSize/);
  });

  it('CP2110: "ABC" is one report [3, A, B, C] padded to 64 bytes', () => {
    const [r, ...more] = encodeReports(Buffer.from('ABC'), CP2110_STYLE);
    expect(more).toEqual([]);
    expect(r!.length).toBe(64);
    expect([...r!.subarray(0, 4)]).toEqual([3, 0x41, 0x42, 0x43]);
    expect(r!.subarray(4).every((b) => b === 0)).toBe(true);
  });

  it('MCP2221 style: "ABC" is written as [0, 3, A, B, C] + padding (65 bytes with the id hidapi drops)', () => {
    const [r] = encodeReports(Buffer.from('ABC'), MCP2221_STYLE);
    expect(r!.length).toBe(65);
    expect([...r!.subarray(0, 5)]).toEqual([0, 3, 0x41, 0x42, 0x43]);
    // What the cable sends back has no id: [3, A, B, C, padding].
    expect(decodeReport(Buffer.concat([Buffer.from([3, 0x41, 0x42, 0x43]), Buffer.alloc(60)]), MCP2221_STYLE)).toEqual({
      payload: Buffer.from('ABC'),
    });
  });

  it('unpadded reports (pad: false) carry only the length byte and the payload', () => {
    const f: HidReportFormat = { reportSize: 64, pad: false };
    expect(encodeReports(Buffer.from('hi'), f).map((r) => [...r])).toEqual([[2, 0x68, 0x69]]);
  });
});

describe.each([
  ['CP2110', CP2110_STYLE],
  ['MCP2221 style', MCP2221_STYLE],
  ['fixed report id 2, 32-byte reports', { reportSize: 32, pad: true, reportId: 2 } as HidReportFormat],
])('%s reports', (_name, f) => {
  it('any bytes round-trip, in order, none lost or added', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), (bytes) => {
        const { reports, back, problems } = roundTrip(bytes, f);
        expect(problems).toEqual([]);
        expect(back.equals(Buffer.from(bytes))).toBe(true);
        expect(reports.length).toBe(Math.ceil(bytes.length / maxPayload(f)));
        for (const r of reports) expect(r.length).toBe(f.reportSize + (f.reportId === undefined ? 0 : 1));
      }),
      { numRuns: 300 },
    );
  });

  it('a long write is fragmented into full reports and a last short one', () => {
    const max = maxPayload(f);
    const bytes = Buffer.from(Array.from({ length: 2 * max + 5 }, (_, i) => i % 251));
    const { reports, back } = roundTrip(bytes, f);
    expect(reports.map((r) => decodeReport(onTheWire(r, f), f).payload.length)).toEqual([max, max, 5]);
    expect(back.equals(bytes)).toBe(true);
  });

  it('nothing to write: no report at all', () => {
    expect(encodeReports(Buffer.alloc(0), f)).toEqual([]);
  });

  it('a zero-length input report carries no bytes and is no error', () => {
    const zero =
      f.reportId !== undefined && f.reportId !== 0 ? Buffer.from([f.reportId, 0, 0, 0]) : Buffer.from([0, 0, 0]);
    expect(decodeReport(zero, f)).toEqual({ payload: Buffer.alloc(0) });
  });

  it('an empty input report (no length byte) is skipped with a reason', () => {
    const d = decodeReport(Buffer.alloc(0), f);
    expect(d.payload.length).toBe(0);
    expect(d.problem).toMatch(/HID report/);
  });

  it('an over-long length byte is skipped whole, with a reason; the next report is read normally', () => {
    const max = maxPayload(f);
    const head = f.reportId !== undefined && f.reportId !== 0 ? [f.reportId] : [];
    const bad = decodeReport(Buffer.from([...head, max + 1, ...Array(f.reportSize - 1).fill(0x41)]), f);
    expect(bad.payload.length).toBe(0);
    expect(bad.problem).toMatch(new RegExp(`length ${max + 1} exceeds the ${max}-byte payload`));
    const good = decodeReport(Buffer.from([...head, 2, 0x4f, 0x4b]), f);
    expect(good).toEqual({ payload: Buffer.from('OK') });
  });

  it('a report shorter than its length byte says: the bytes present are kept, with a reason', () => {
    const head = f.reportId !== undefined && f.reportId !== 0 ? [f.reportId] : [];
    const d = decodeReport(Buffer.from([...head, 10, 0x31, 0x32, 0x33]), f);
    expect(d.payload).toEqual(Buffer.from('123'));
    expect(d.problem).toMatch(/announces 10 bytes but holds 3/);
  });
});

describe('fixed report id', () => {
  it('reports with another id are not data: skipped with a reason', () => {
    const f: HidReportFormat = { reportSize: 64, pad: true, reportId: 2 };
    const d = decodeReport(Buffer.from([5, 2, 0x41, 0x42]), f);
    expect(d.payload.length).toBe(0);
    expect(d.problem).toMatch(/report id 5 is not the data report \(2\)/);
  });
});

describe('HID byte stream over a fake cable', () => {
  function stream(f: HidReportFormat): { s: HidByteStream; h: FakeHidHandle; got: Buffer[]; problems: string[] } {
    const h = new FakeHidHandle();
    const problems: string[] = [];
    const s = new HidByteStream(h, f, 'hid 10C4:EA80 /dev/hidraw3', (p) => problems.push(p));
    const got: Buffer[] = [];
    s.on('data', (d) => got.push(d));
    return { s, h, got, problems };
  }

  it('fragmented: one message over several input reports comes out whole, in order', () => {
    const { h, got } = stream(CP2110_STYLE);
    const message = Buffer.from(
      '{"op":"sale","id":"1","ref":"HID-1","amount":1950,"currency":"EUR","register":"till-7"}\n',
    );
    for (let at = 0; at < message.length; at += 7) {
      const piece = message.subarray(at, at + 7);
      h.input([piece.length, ...piece, ...Array(63 - piece.length).fill(0)]);
    }
    expect(Buffer.concat(got).equals(message)).toBe(true);
  });

  it('coalesced: two messages in one report come out as the same bytes, for the framer above to split', () => {
    const { h, got } = stream(MCP2221_STYLE);
    const two = Buffer.from('{"op":"ping","id":"a"}\n{"op":"ping","id":"b"}\n');
    h.input([two.length, ...two, ...Array(63 - two.length).fill(0)]);
    expect(Buffer.concat(got).toString().split('\n')).toEqual(['{"op":"ping","id":"a"}', '{"op":"ping","id":"b"}', '']);
  });

  it('zero-length reports emit nothing; over-long ones are skipped and reported, the stream lives on', () => {
    const { s, h, got, problems } = stream(CP2110_STYLE);
    let closed = false;
    s.on('close', () => (closed = true));
    h.input(Buffer.alloc(64));
    h.input([200, ...Array(63).fill(0x41)]);
    h.input([2, 0x4f, 0x4b]);
    expect(got).toEqual([Buffer.from('OK')]);
    expect(problems).toEqual([expect.stringMatching(/length 200 exceeds/)]);
    expect(closed).toBe(false);
  });

  it('writes are split into reports written one after another, in order, and the callback follows the last', async () => {
    const { s, h } = stream(CP2110_STYLE);
    const bytes = Buffer.from(Array.from({ length: 150 }, (_, i) => i));
    const done = new Promise<Error | null | undefined>((resolve) => s.write(bytes, resolve));
    s.write(Buffer.from([0xff]));
    expect(await done).toBeNull();
    await new Promise((r) => setImmediate(r));
    expect(h.written.map((r) => r[0])).toEqual([63, 63, 24, 1]);
    const back = Buffer.concat(h.written.map((r) => decodeReport(r, CP2110_STYLE).payload));
    expect(back.equals(Buffer.concat([bytes, Buffer.from([0xff])]))).toBe(true);
  });

  it('a device error (cable pulled) ends the stream: DeviceError "unplugged", then close; later writes fail in words', async () => {
    const { s, h } = stream(CP2110_STYLE);
    const errors: Error[] = [];
    s.on('error', (e) => errors.push(e));
    const closed = new Promise<void>((resolve) => s.on('close', () => resolve()));
    h.emit('error', new Error('could not read from HID device'));
    await closed;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'DeviceError', problem: 'unplugged' });
    expect(errors[0]!.message).toMatch(
      /hid 10C4:EA80 \/dev\/hidraw3 went away \(unplugged\?\): could not read from HID device/,
    );
    expect(h.closed).toBe(true);
    const err = await new Promise<Error | null | undefined>((resolve) => s.write(Buffer.from('x'), resolve));
    expect(err).toMatchObject({ problem: 'unplugged' });
  });
});
