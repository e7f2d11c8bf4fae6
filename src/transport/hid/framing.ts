/**
 * UART bytes in HID reports, as HID-to-UART bridge cables carry them: every report holds one length byte and then
 * that many payload bytes; the rest of the report is padding.
 *
 *   length-as-report-id (Silicon Labs CP2110, AN434 "Interrupt reports"): the report id itself is the length,
 *     1..63, so a report is  [n, b1 … bn, padding]. Report ids above 63 are control reports, never data.
 *   fixed report id (other cables): [reportId, n, b1 … bn, padding] on the wire through hidapi. With report id 0
 *     (unnumbered reports) hidapi strips the id on input, so input reports are [n, b1 … bn, padding].
 *
 * `reportSize` counts the length byte and the payload (not a separate report id): 64 for full-speed USB, so at
 * most 63 payload bytes per report. Writes longer than that are split over several reports; reads are joined
 * back into one byte stream. Hand-written because no maintained library does this framing.
 */

export interface HidReportFormat {
  /** Length byte + payload bytes per report. Default 64. */
  readonly reportSize: number;
  /** undefined: the report id is the length (CP2110). A number: that report id, followed by a length byte. */
  readonly reportId?: number;
  /** Pad written reports to their full size (Windows only accepts full-length output reports). Default true. */
  readonly pad: boolean;
}

export const DEFAULT_REPORT_FORMAT: HidReportFormat = { reportSize: 64, pad: true };

/** CP2110 data reports use ids 0x01–0x3F (AN434). */
const CP2110_MAX_DATA_ID = 0x3f;

export function maxPayload(f: HidReportFormat): number {
  const byLength = Math.min(f.reportSize - 1, 255);
  return f.reportId === undefined ? Math.min(byLength, CP2110_MAX_DATA_ID) : byLength;
}

export function checkReportFormat(f: HidReportFormat): void {
  if (!Number.isInteger(f.reportSize) || f.reportSize < 2 || f.reportSize > 1024)
    throw new RangeError('HID reportSize must be 2–1024 bytes');
  if (f.reportId !== undefined && (!Number.isInteger(f.reportId) || f.reportId < 0 || f.reportId > 255)) {
    throw new RangeError('HID reportId must be 0–255');
  }
}

/** The output reports for `bytes`, each ready for hidapi's write (report id first). No bytes → no reports. */
export function encodeReports(bytes: Uint8Array, f: HidReportFormat): Buffer[] {
  const max = maxPayload(f);
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += max) {
    const piece = bytes.subarray(at, Math.min(at + max, bytes.length));
    const head = f.reportId === undefined ? [piece.length] : [f.reportId, piece.length];
    const size = head.length - 1 + (f.pad ? f.reportSize : 1 + piece.length);
    const report = Buffer.alloc(size);
    report.set(head, 0);
    report.set(piece, head.length);
    out.push(report);
  }
  return out;
}

export interface DecodedReport {
  /** The UART bytes in the report (may be empty). */
  readonly payload: Buffer;
  /** Set when the report was not a well-formed data report; the caller logs it. */
  readonly problem?: string;
}

/** The payload of one input report as node-hid delivers it. Never throws. */
export function decodeReport(report: Uint8Array, f: HidReportFormat): DecodedReport {
  const empty = Buffer.alloc(0);
  let at = 0;
  if (f.reportId !== undefined && f.reportId !== 0) {
    if (report.length === 0) return { payload: empty, problem: 'empty HID report' };
    if (report[0] !== f.reportId)
      return { payload: empty, problem: `HID report id ${report[0]} is not the data report (${f.reportId}); ignored` };
    at = 1;
  }
  if (report.length <= at) return { payload: empty, problem: 'HID report without a length byte' };
  const n = report[at]!;
  const max = maxPayload(f);
  if (n > max)
    return {
      payload: empty,
      problem: `HID report length ${n} exceeds the ${max}-byte payload of a data report; ignored`,
    };
  const available = report.length - at - 1;
  if (n > available) {
    return {
      payload: Buffer.from(report.subarray(at + 1)),
      problem: `HID report announces ${n} bytes but holds ${available}; the ${available} present were kept`,
    };
  }
  return { payload: Buffer.from(report.subarray(at + 1, at + 1 + n)) };
}
