/**
 * Log lines about one connection's bad frames (malformed, unsupported, out of turn), limited so that a flood of
 * garbage on a register port cannot flood the log and rotate away what came before: the first `perMinute` lines of
 * a minute are written as they are; the rest are counted, and one summary line ("N bad frames from peer X in the
 * last minute") with a `flood` security event follows when the minute is over or the connection closes.
 */
import type { SecurityEventSink } from '../security/events';
import { LineBudget } from './line-budget';
import type { Logger } from './logger';
import { coreText, said } from '../i18n/say';

export interface BadFrameLogOptions {
  /** Lines written per minute before the rest are summarised; default 10. */
  readonly perMinute?: number;
  readonly security?: SecurityEventSink;
  readonly listener?: string;
  readonly now?: () => number;
}

export class BadFrameLog {
  private readonly budget: LineBudget;

  constructor(
    private readonly log: Logger,
    private readonly peer: string,
    private readonly o: BadFrameLogOptions = {},
  ) {
    this.budget = new LineBudget(o.perMinute ?? 10, 60_000, o.now);
  }

  /** One bad frame: logged while the minute's budget lasts, counted after. */
  note(level: 'info' | 'warn', fields: Record<string, unknown>, msg: string): void {
    const take = this.budget.take();
    if (take.closed > 0) this.summary(take.closedTotal);
    if (take.ok) this.log[level](fields, msg);
  }

  /** The connection is over: the summary of what was held back, if anything was. */
  close(): void {
    const { held, total } = this.budget.drain();
    if (held > 0) this.summary(total);
  }

  private summary(total: number): void {
    const { detail, detailCode } = said('detail', coreText('security.badFrames', { count: total, peer: this.peer }));
    this.log.warn({ peer: this.peer, badFrames: total }, detail);
    this.o.security?.record({
      kind: 'flood',
      peer: this.peer,
      detail,
      detailCode,
      ...(this.o.listener !== undefined ? { listener: this.o.listener } : {}),
    });
  }
}
