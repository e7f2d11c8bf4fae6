/**
 * The business day: the span a shop's day-end closes. It runs from the cut-off hour (local time in the configured
 * zone) of its date to the cut-off hour of the next date — with a 04:00 cut-off, a payment at 01:30 on the 15th
 * belongs to the business day of the 14th.
 */
import { BridgeError } from '../domain/errors';
import { addDays, isoDate, localParts, parseIsoDate, systemTimeZone, zonedInstant } from '../domain/time-zone';

export interface BusinessDaySettings {
  /** Local hour (0–23) at which a business day ends and the next begins. Default 0 (midnight). */
  readonly cutoffHour?: number;
  /** IANA time zone; default the system's. */
  readonly timeZone?: string;
}

export interface BusinessDayWindow {
  /** `YYYY-MM-DD` naming the day. */
  readonly day: string;
  /** First instant of the day (ISO, UTC). */
  readonly from: string;
  /** First instant after the day (ISO, UTC). */
  readonly to: string;
  readonly timeZone: string;
  readonly cutoffHour: number;
}

export function resolveBusinessDay(s: BusinessDaySettings = {}): { cutoffHour: number; timeZone: string } {
  const cutoffHour = s.cutoffHour ?? 0;
  if (!Number.isInteger(cutoffHour) || cutoffHour < 0 || cutoffHour > 23) {
    throw new BridgeError(
      'config_invalid',
      `businessDay.cutoffHour must be a whole hour 0–23, got ${String(cutoffHour)}`,
    );
  }
  return { cutoffHour, timeZone: s.timeZone ?? systemTimeZone() };
}

/** The business day an instant belongs to. */
export function businessDayOf(instant: Date, settings: BusinessDaySettings = {}): string {
  const s = resolveBusinessDay(settings);
  const p = localParts(instant, s.timeZone);
  const date = isoDate(p);
  return p.hour < s.cutoffHour ? addDays(date, -1) : date;
}

/** The span of a business day `YYYY-MM-DD` (default: the one running at `now`). */
export function businessDayWindow(
  day: string | undefined,
  settings: BusinessDaySettings = {},
  now: Date = new Date(),
): BusinessDayWindow {
  const s = resolveBusinessDay(settings);
  const name = day ?? businessDayOf(now, s);
  const date = parseIsoDate(name);
  if (!date) throw new BridgeError('bad_request', `day must be a date YYYY-MM-DD, got ${JSON.stringify(name)}`);
  const next = parseIsoDate(addDays(name, 1))!;
  const from = zonedInstant({ ...date, hour: s.cutoffHour, minute: 0, second: 0 }, s.timeZone);
  const to = zonedInstant({ ...next, hour: s.cutoffHour, minute: 0, second: 0 }, s.timeZone);
  return { day: name, from: from.toISOString(), to: to.toISOString(), timeZone: s.timeZone, cutoffHour: s.cutoffHour };
}
