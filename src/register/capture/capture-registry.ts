/**
 * What the capture listeners share across their connections, and what the status UI reads and acts on:
 *  - one lane per capture listener: generated refs, recent charges (the duplicate window), the payments it runs;
 *  - totals held as "needs confirmation" (the same total again within the window): listed, confirmed, discarded;
 *  - the recent captures with their outcomes.
 *
 * A capture listener cannot answer its register, so the outcome goes to the journal (as every payment's does),
 * to the bridge's events (the status UI) and to the events of this registry. The service owns one (its
 * `registers.captures`, register-state.ts); the status UI uses it:
 *   listPendingConfirmations() · confirm(id) · discard(id) · recentCaptures() · on('pending' | 'resolved' | 'capture')
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { BridgeApi, RegisterIdentity } from '../../bridge/api';
import { asBridgeError, BridgeError } from '../../domain/errors';
import { formatMoney, sameMoney, type Money } from '../../domain/money';
import type { Outcome } from '../../domain/vocabulary';
import type { PaymentResult } from '../../domain/payment';
import type { Logger } from '../../log/logger';
import type { Clock } from './clock';
import { dialDevice, printOnce, type Dialer } from './forward';
import type { CaptureMode, CaptureOptions } from './options';
import { slipBytes } from './slip';
import { BoundedMap } from '../../shared/bounded-map';

/** A total that was not charged because the same total was charged moments before. */
export interface PendingConfirmation {
  readonly id: string;
  readonly listener: string;
  readonly mode: CaptureMode;
  readonly amount: Money;
  /** The display text or receipt line that showed the total. */
  readonly text: string;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  /** How often the total was seen again while waiting. */
  readonly times: number;
  /** The payment it looks like a repeat of. */
  readonly previousRef: string;
  readonly previousAt: string;
}

/** One captured total and what became of it. */
export interface CaptureRecord {
  readonly listener: string;
  readonly mode: CaptureMode;
  readonly ref: string;
  readonly amount: Money;
  readonly text: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** null while the payment runs. `failed` also when the bridge refused to start it (see message). */
  readonly outcome: Outcome | null;
  readonly message: string;
  /** Started by an operator's confirm(). */
  readonly confirmed: boolean;
}

export interface CaptureEvents {
  pending: [PendingConfirmation];
  /** `superseded`: the same total was charged on the listener meanwhile (after the window), so the held one is dropped. */
  resolved: [{ readonly id: string; readonly action: 'confirmed' | 'discarded' | 'superseded'; readonly ref?: string }];
  capture: [CaptureRecord];
}

export interface LaneSetup {
  readonly api: BridgeApi;
  readonly identity: RegisterIdentity;
  readonly log: Logger;
  readonly options: CaptureOptions;
  readonly clock: Clock;
  readonly dial?: Dialer;
  /** The listener's language for the slip (RegisterContext.locale). */
  readonly locale?: string;
}

/** Takes a slip into the connection that captured the total; false when it cannot (then it is printed apart). */
export type SlipSink = (bytes: Uint8Array) => boolean;

interface Charge {
  readonly amount: Money;
  readonly ref: string;
  readonly at: number;
  outcome: Outcome | null;
}

interface PendingEntry {
  value: PendingConfirmation;
  readonly lane: CaptureLane;
}

const MAX_PENDING = 100;
const MAX_RECORDS = 100;

export class CaptureLane {
  private setup: LaneSetup;
  private charges: Charge[] = [];
  private seq: { day: string; n: number } | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly registry: CaptureRegistry,
    readonly listener: string,
    setup: LaneSetup,
  ) {
    this.setup = setup;
  }

  /** A new connection of the listener brings the current api, log and options (after a service restart too). */
  update(setup: LaneSetup): void {
    this.setup = setup;
  }

  get mode(): CaptureMode {
    return this.setup.options.mode;
  }

  /**
   * A total the register showed or printed: charged, or held when the same total was charged within the
   * duplicate window (and that payment did not fail). Decides at once; the payment runs in the background.
   */
  offer(amount: Money, text: string, slipSink?: SlipSink): 'started' | 'held' {
    const { options, log, clock } = this.setup;
    const now = clock.now().getTime();
    const window = options.duplicateWindowMs;
    this.charges = this.charges.filter((c) => now - c.at < Math.max(window, 1) || c.outcome === null);
    const previous =
      window > 0
        ? [...this.charges]
            .reverse()
            .find((c) => sameMoney(c.amount, amount) && now - c.at < window && !failed(c.outcome))
        : undefined;
    if (previous) {
      const p = this.registry.hold(this, amount, text, previous.ref, new Date(previous.at), clock.now());
      log.warn(
        {
          listener: this.listener,
          amount: formatMoney(amount),
          previousRef: previous.ref,
          pending: p.id,
          times: p.times,
        },
        'same total again within the duplicate window: held for confirmation, not charged',
      );
      return 'held';
    }
    const ref = this.start(amount, text, { ...(slipSink ? { slipSink } : {}), confirmed: false });
    // A total held earlier is the sale just charged: confirming it later would charge that customer twice.
    this.registry.supersede(this, amount, ref);
    return 'started';
  }

  /** Starts a payment for the total now (no duplicate check). Returns the generated ref. Never throws. */
  start(amount: Money, text: string, how: { slipSink?: SlipSink; confirmed: boolean }): string {
    const { clock, log } = this.setup;
    const ref = this.nextRef();
    const at = clock.now();
    const charge: Charge = { amount, ref, at: at.getTime(), outcome: null };
    this.charges.push(charge);
    const record: CaptureRecord = {
      listener: this.listener,
      mode: this.mode,
      ref,
      amount,
      text,
      startedAt: at.toISOString(),
      outcome: null,
      message: 'Payment started',
      confirmed: how.confirmed,
    };
    this.registry.note(record);
    log.info(
      { listener: this.listener, ref, amount: formatMoney(amount), confirmed: how.confirmed },
      `captured total from the ${this.mode}: payment started`,
    );
    const run = this.run(charge, record, how.slipSink).catch((e: unknown) =>
      log.error({ err: e, ref }, 'capture payment failed unexpectedly'),
    );
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return ref;
  }

  /** Resolves when every payment this lane started has ended. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /**
   * PREFIX-YYYYMMDD-NNNN, unique per listener: the sequence continues from the journal (the listener's last
   * ref) after a restart, and a ref the journal already knows is skipped (a known ref would attach, not charge).
   */
  nextRef(): string {
    const { api, identity, clock, options } = this.setup;
    const now = clock.now();
    const day = `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}${String(now.getDate()).padStart(2, '0')}`;
    const prefix = `${options.refPrefix}-${day}-`;
    if (!this.seq || this.seq.day !== day) {
      const last = api.last(identity)?.ref;
      const n = last?.startsWith(prefix) ? Number.parseInt(last.slice(prefix.length), 10) : 0;
      this.seq = { day, n: Number.isFinite(n) ? n : 0 };
    }
    for (;;) {
      this.seq.n++;
      const ref = `${prefix}${String(this.seq.n).padStart(4, '0')}`;
      if (!api.status(identity, ref)) return ref;
    }
  }

  private async run(charge: Charge, record: CaptureRecord, slipSink: SlipSink | undefined): Promise<void> {
    const { api, identity, log, options, clock } = this.setup;
    let finished: CaptureRecord;
    let result: PaymentResult | undefined;
    try {
      const handle = await api.submit(identity, {
        kind: 'sale',
        ref: charge.ref,
        amount: charge.amount,
        ...(options.terminal ? { terminal: options.terminal } : {}),
      });
      result = await handle.result;
      // Nobody can be told but the operator: the outcome is recorded and shown, which is its delivery.
      await api
        .delivery(identity, charge.ref, 'written', 'sale')
        .catch((e: unknown) => log.warn({ err: e, ref: charge.ref }, 'delivery report failed'));
      charge.outcome = result.outcome;
      finished = { ...record, outcome: result.outcome, message: result.message, finishedAt: clock.now().toISOString() };
      const level = result.outcome === 'approved' ? 'info' : 'warn';
      log[level](
        { listener: this.listener, ref: charge.ref, outcome: result.outcome, amount: formatMoney(charge.amount) },
        `captured payment ${result.outcome}`,
      );
    } catch (e) {
      const err = asBridgeError(e);
      charge.outcome = 'failed';
      finished = {
        ...record,
        outcome: 'failed',
        message: `${err.code}: ${err.message}`,
        finishedAt: clock.now().toISOString(),
      };
      log.error(
        { listener: this.listener, ref: charge.ref, code: err.code, msg: err.message },
        'captured total could not be charged',
      );
    }
    this.registry.note(finished);
    if (options.slip) await this.printSlip(finished, result, slipSink);
  }

  private async printSlip(
    record: CaptureRecord,
    result: PaymentResult | undefined,
    sink: SlipSink | undefined,
  ): Promise<void> {
    const { options, log, clock } = this.setup;
    const bytes = slipBytes({
      ...(options.slipTitle !== undefined ? { title: options.slipTitle } : {}),
      ...(this.setup.locale ? { locale: this.setup.locale } : {}),
      outcome: record.outcome ?? 'in_doubt',
      amount: record.amount,
      ref: record.ref,
      at: clock.now(),
      decimal: options.decimal === ',' ? ',' : '.',
      message: record.message,
      ...(result?.authCode ? { authCode: result.authCode } : {}),
      ...(result?.panMasked ? { panMasked: result.panMasked } : {}),
      ...(result?.cardScheme ? { cardScheme: result.cardScheme } : {}),
    });
    if (sink?.(bytes)) return;
    const target = options.slipPrinter ?? (options.mode === 'printer' ? options.forward : undefined);
    if (!target) return;
    await printOnce(target, bytes, this.setup.dial ?? dialDevice).catch((e: unknown) =>
      log.warn({ ref: record.ref, err: (e as Error).message }, 'slip could not be printed'),
    );
  }
}

function failed(o: Outcome | null): boolean {
  return o === 'declined' || o === 'cancelled' || o === 'failed';
}

export class CaptureRegistry extends EventEmitter<CaptureEvents> {
  private readonly lanes = new Map<string, CaptureLane>();
  private readonly pending = new BoundedMap<string, PendingEntry>(MAX_PENDING);
  private records: CaptureRecord[] = [];

  /** The lane of a capture listener, created on its first connection and refreshed on every later one. */
  lane(setup: LaneSetup): CaptureLane {
    const id = setup.identity.listener;
    let lane = this.lanes.get(id);
    if (lane) lane.update(setup);
    else {
      lane = new CaptureLane(this, id, setup);
      this.lanes.set(id, lane);
    }
    return lane;
  }

  /** Totals waiting for an operator's decision, oldest first. */
  listPendingConfirmations(): PendingConfirmation[] {
    return [...this.pending.values()].map((p) => p.value);
  }

  /** The operator wants the held total charged: starts the payment now and returns its ref. */
  confirm(id: string): { ref: string } {
    const entry = this.pending.get(id);
    if (!entry) throw new BridgeError('unknown_ref', `no total waiting for confirmation with id "${id}"`);
    this.pending.delete(id);
    const ref = entry.lane.start(entry.value.amount, entry.value.text, { confirmed: true });
    this.emit('resolved', { id, action: 'confirmed', ref });
    return { ref };
  }

  /** The operator drops the held total (it was a repeat). False when there is no such id. */
  discard(id: string): boolean {
    const entry = this.pending.get(id);
    if (!entry) return false;
    this.pending.delete(id);
    this.emit('resolved', { id, action: 'discarded' });
    return true;
  }

  /** Recent captures, newest first. */
  recentCaptures(limit = 50): CaptureRecord[] {
    return this.records.slice(0, limit);
  }

  /** Resolves when every capture payment started so far has ended. */
  async idle(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((l) => l.idle()));
  }

  /** @internal — a lane holds a total. Repeats of a total already waiting update that entry. */
  hold(
    lane: CaptureLane,
    amount: Money,
    text: string,
    previousRef: string,
    previousAt: Date,
    now: Date,
  ): PendingConfirmation {
    const existing = [...this.pending.values()].find((p) => p.lane === lane && sameMoney(p.value.amount, amount));
    if (existing) {
      existing.value = { ...existing.value, lastSeenAt: now.toISOString(), times: existing.value.times + 1, text };
      return existing.value;
    }
    const value: PendingConfirmation = {
      id: randomUUID(),
      listener: lane.listener,
      mode: lane.mode,
      amount,
      text,
      firstSeenAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      times: 1,
      previousRef,
      previousAt: previousAt.toISOString(),
    };
    this.pending.put(value.id, { value, lane });
    this.emit('pending', value);
    return value;
  }

  /** @internal — the lane charged this total: totals of the same amount waiting on the lane are dropped. */
  supersede(lane: CaptureLane, amount: Money, ref: string): void {
    for (const [id, p] of [...this.pending]) {
      if (p.lane !== lane || !sameMoney(p.value.amount, amount)) continue;
      this.pending.delete(id);
      this.emit('resolved', { id, action: 'superseded', ref });
    }
  }

  /** @internal — a lane's capture started or ended. */
  note(record: CaptureRecord): void {
    this.records = [
      record,
      ...this.records.filter((r) => !(r.listener === record.listener && r.ref === record.ref)),
    ].slice(0, MAX_RECORDS);
    this.emit('capture', record);
  }
}
