/**
 * The most recent structured log lines, kept in memory for the status page's Logs view. It is a pino destination
 * (an object with `write`) that can pass every line on to the real output. The logger has already redacted the
 * lines (no card data, no secrets); this module keeps them as they are and adds nothing.
 */
import { EventEmitter } from 'node:events';
import type { LogLevelName, LogLine, LogQuery, LogsView } from './contract';

const LEVEL_NUMBERS: Record<number, LogLevelName> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
export const LEVEL_ORDER: readonly LogLevelName[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export interface LogSink {
  write(line: string): unknown;
}

export class LogRing extends EventEmitter<{ line: [LogLine] }> implements LogSink {
  private readonly lines: LogLine[] = [];
  private seq = 0;
  private partial = '';

  constructor(
    private readonly capacity = 1000,
    private readonly next?: LogSink,
  ) {
    super();
  }

  write(chunk: string): boolean {
    this.next?.write(chunk);
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) this.add(part);
    return true;
  }

  private add(text: string): void {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(text) as Record<string, unknown>;
    } catch {
      obj = { msg: text };
    }
    const { level, time, msg, ...fields } = obj;
    const line: LogLine = {
      seq: ++this.seq,
      time:
        typeof time === 'number'
          ? new Date(time).toISOString()
          : typeof time === 'string'
            ? time
            : new Date().toISOString(),
      level: levelName(level),
      msg: typeof msg === 'string' ? msg : '',
      fields,
    };
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
    this.emit('line', line);
  }

  query(q: LogQuery = {}): LogsView {
    const min = q.level ? LEVEL_ORDER.indexOf(q.level) : 0;
    const text = q.text?.toLowerCase();
    const limit = Math.min(Math.max(q.limit ?? 200, 1), this.capacity);
    const matches = this.lines.filter(
      (l) =>
        LEVEL_ORDER.indexOf(l.level) >= min &&
        (q.after === undefined || l.seq > q.after) &&
        (!text || l.msg.toLowerCase().includes(text) || JSON.stringify(l.fields).toLowerCase().includes(text)),
    );
    return { available: true, lines: matches.slice(-limit) };
  }
}

function levelName(level: unknown): LogLevelName {
  if (typeof level === 'number') return LEVEL_NUMBERS[level] ?? 'info';
  if (typeof level === 'string' && (LEVEL_ORDER as readonly string[]).includes(level)) return level as LogLevelName;
  return 'info';
}
