/**
 * Wall-clock time in an IANA time zone, with the platform's Intl data only (Node ships full ICU): the local parts
 * of an instant, and the instant of a local date and time. No floats, no guessing of offsets by hand.
 */

export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

let systemZone: { zone: string; readAt: number } | undefined;

/** How long the system zone is taken as read (see `systemTimeZone`). */
const SYSTEM_ZONE_TTL_MS = 60_000;

/**
 * The system's time zone (what a cashier's PC shows). Asking Intl builds a formatter (~0.3 ms) and even reading
 * process.env.TZ costs a call into the platform, while receipts and business days ask for every payment: the answer
 * is read again at most once a minute. The zone can change while the bridge runs (TZ set, the PC's zone changed);
 * a receipt or business day in the minute after such a change may still use the zone before it.
 */
export function systemTimeZone(): string {
  const now = Date.now();
  if (systemZone === undefined || now - systemZone.readAt >= SYSTEM_ZONE_TTL_MS || now < systemZone.readAt) {
    systemZone = { zone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', readAt: now };
  }
  return systemZone.zone;
}

/** True when the platform knows this IANA zone name. */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** The parts of the second asked last, per zone: a sale's receipt is built again as its state changes. */
const lastParts = new Map<string, { second: number; parts: LocalParts }>();

/** Local wall-clock parts of an instant in `timeZone`. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  const t = instant.getTime();
  // Parts name whole seconds: every instant within one second has the same ones (an invalid date is not cached).
  const second = Math.floor(t / 1000);
  const cached = lastParts.get(timeZone);
  if (cached !== undefined && cached.second === second) return cached.parts;
  const parts = formatParts(instant, timeZone);
  if (Number.isFinite(second)) lastParts.set(timeZone, { second, parts });
  return parts;
}

function formatParts(instant: Date, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

function offsetMs(t: number, timeZone: string): number {
  const p = localParts(new Date(t), timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` shows the given local time. A local time skipped by a
 * daylight-saving change maps to the instant just after the gap; a repeated one to its first occurrence.
 */
export function zonedInstant(p: LocalParts, timeZone: string): Date {
  const guess = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const first = offsetMs(guess, timeZone);
  let t = guess - first;
  const second = offsetMs(t, timeZone);
  if (second !== first) {
    const alt = guess - second;
    // Prefer the candidate whose local time is the one asked for; otherwise (a gap) the later instant.
    t = offsetMs(alt, timeZone) === second ? Math.min(t, alt) : Math.max(t, alt);
  }
  return new Date(t);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** `YYYY-MM-DD` of local parts. */
export function isoDate(p: Pick<LocalParts, 'year' | 'month' | 'day'>): string {
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** `HH:MM:SS` of local parts. */
export function isoTime(p: Pick<LocalParts, 'hour' | 'minute' | 'second'>): string {
  return `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** Parses `YYYY-MM-DD` strictly (a real calendar date); undefined otherwise. */
export function parseIsoDate(text: string): { year: number; month: number; day: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

/** The calendar date `days` after `YYYY-MM-DD` (negative: before). */
export function addDays(date: string, days: number): string {
  const p = parseIsoDate(date);
  if (!p) throw new RangeError(`not a date: ${date}`);
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + days));
  return isoDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}
