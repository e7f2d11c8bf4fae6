import { createLogger, type Logger } from '../../src/log/logger';
import type { SecurityEvent, SecurityEventSink } from '../../src/security/events';

/** A clock a test moves by hand, a logger and a security sink that keep what they are given, for throttle tests. */
export interface Captured {
  readonly clock: { now: number };
  readonly lines: string[];
  readonly events: SecurityEvent[];
  readonly log: Logger;
  readonly security: SecurityEventSink;
}

export function captured(start = Date.parse('2026-12-07T12:00:00Z')): Captured {
  const clock = { now: start };
  const lines: string[] = [];
  const events: SecurityEvent[] = [];
  const log = createLogger({ destination: { write: (l: string) => lines.push(l) } });
  const security: SecurityEventSink = {
    record: (e) => void events.push({ ...e, at: e.at ?? new Date(clock.now).toISOString() }),
  };
  return { clock, lines, events, log, security };
}
