/**
 * HID-to-UART report framing (src/transport/hid/framing.ts): the length byte (CP2110: the report id itself) and
 * padding. Any input report must decode without throwing — a malformed one yields no invented bytes and a problem
 * for the log — and bytes written come back unchanged through the reports they were split into.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeReport, encodeReports, maxPayload, type HidReportFormat } from '../../src/transport/hid/framing';
import { target, type FuzzTarget } from './target';

const format: fc.Arbitrary<HidReportFormat> = fc
  .record({
    reportSize: fc.oneof(fc.constantFrom(64, 32, 8, 2), fc.integer({ min: 2, max: 300 })),
    reportId: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    pad: fc.boolean(),
  })
  .map((f) => (f.reportId === undefined ? { reportSize: f.reportSize, pad: f.pad } : f));

const decode = target({
  name: 'hid: input reports → UART bytes (CP2110 and fixed report ids)',
  arbitrary: fc.record({
    format,
    report: fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.nat({ max: 80 }), fc.uint8Array({ maxLength: 80 })).map(([n, rest]) => Uint8Array.from([n, ...rest])),
    ),
  }),
  check: ({ format: f, report }) => {
    const r = decodeReport(report, f);
    const at = f.reportId !== undefined && f.reportId !== 0 ? 1 : 0;
    assert.ok(r.payload.length <= maxPayload(f), 'never more than a data report can carry');
    assert.ok(Buffer.from(report).includes(r.payload), 'only bytes that were in the report');
    if (r.problem === undefined) {
      assert.equal(r.payload.length, report[at], 'a well-formed report yields exactly its announced bytes');
      assert.deepEqual(r.payload, Buffer.from(report.subarray(at + 1, at + 1 + r.payload.length)));
    } else {
      assert.equal(typeof r.problem, 'string');
    }
  },
});

const roundTrip = target({
  name: 'hid: output reports round trip (split, pad, join)',
  arbitrary: fc.record({ format, bytes: fc.uint8Array({ maxLength: 700 }) }),
  check: ({ format: f, bytes }) => {
    const reports = encodeReports(bytes, f);
    const idBytes = f.reportId === undefined ? 0 : 1;
    const joined: Buffer[] = [];
    for (const r of reports) {
      assert.ok(r.length <= idBytes + f.reportSize, 'a report never exceeds its size');
      if (f.pad) assert.equal(r.length, idBytes + f.reportSize);
      // hidapi strips report id 0 from input reports; a device echoing our report back is read the same way.
      const input = f.reportId === 0 ? r.subarray(1) : r;
      const d = decodeReport(input, f);
      assert.equal(d.problem, undefined, `an encoded report decodes cleanly: ${d.problem}`);
      joined.push(d.payload);
    }
    assert.deepEqual(Buffer.concat(joined), Buffer.from(bytes));
    assert.equal(reports.length, Math.ceil(bytes.length / maxPayload(f)));
  },
});

export const hidTargets: FuzzTarget[] = [decode, roundTrip];
