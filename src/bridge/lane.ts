import { BridgeError } from '../domain/errors';
import type { Logger } from '../log/logger';
import type { TerminalDriver, TerminalHealth } from '../terminal/driver';
import type { RegisterIdentity, TerminalView } from './api';
import { SerialQueue } from './serial-queue';

/**
 * One terminal's lane: its queue (one transaction at a time, myPOS terminals are single-threaded), its state, what
 * the last health check or probe learnt, and the view the status page and registers get. The state changes only
 * through the methods below, and each change is announced (`onChange`) as it happens.
 *
 *   recovering ──endRecovery──▶ ready ◀──▶ busy        ready ◀──applyHealth──▶ offline
 *
 * A lane starts `recovering` (nothing new runs before recovery asked the terminal about what was left open), is `busy`
 * while a payment runs, and goes `offline` and back only through a health check or probe while neither busy nor
 * recovering.
 */
export interface LaneOptions {
  readonly id: string;
  readonly driver: TerminalDriver;
  /** Terminal currency; requests in another currency are refused with currency_mismatch. */
  readonly currency: string | undefined;
  readonly log: Logger;
  /** The lane's view changed (state, queue, current payment, health). */
  readonly onChange: (view: TerminalView) => void;
  /** A health check or probe found the terminal back after it was offline. */
  readonly onBackOnline: () => void;
}

export class Lane {
  readonly id: string;
  readonly driver: TerminalDriver;
  readonly currency: string | undefined;
  readonly queue = new SerialQueue();
  private currentState: TerminalView['state'] = 'recovering';
  private currentRef: string | undefined;
  private stateBeforeRecovery: TerminalView['state'] = 'recovering';
  private lastHealth: TerminalHealth | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: LaneOptions) {
    this.id = o.id;
    this.driver = o.driver;
    this.currency = o.currency;
  }

  get state(): TerminalView['state'] {
    return this.currentState;
  }

  get health(): TerminalHealth | undefined {
    return this.lastHealth;
  }

  /** Runs a task on the terminal in its turn (urgent: before queued payments). */
  run<T>(fn: () => Promise<T>, urgent = false): Promise<T> {
    return new Promise<T>((resolve, reject) => this.queue.push(() => fn().then(resolve, reject), undefined, urgent));
  }

  /** A payment starts on the terminal. */
  beginJob(ref: string): void {
    this.currentRef = ref;
    this.currentState = 'busy';
    this.announce();
  }

  /** The payment that ran is done with the terminal. */
  endJob(): void {
    this.currentRef = undefined;
    if (this.currentState === 'busy') this.currentState = 'ready';
    this.announce();
  }

  /** Recovery takes the terminal (it runs in the lane's queue, so never during a payment). */
  beginRecovery(): void {
    this.stateBeforeRecovery = this.currentState;
    this.currentState = 'recovering';
    this.announce();
  }

  /** Recovery is done: ready, unless the terminal was known offline before (recovery at start always ends ready). */
  endRecovery(atStart: boolean): void {
    this.currentState = this.stateBeforeRecovery === 'offline' && !atStart ? 'offline' : 'ready';
    this.announce();
  }

  /** Tells the lane's watchers about a change (state, queue length, current payment). */
  announce(): void {
    this.o.onChange(this.view());
  }

  /**
   * A terminal's answer to a health check or probe: the lane goes offline or back to ready (never while it is busy
   * or recovering), the change is logged once and shown, and payments left open on it are recovered when it returns.
   * A probe's answer (`full` false) keeps what the last health check learnt about the terminal.
   */
  applyHealth(health: TerminalHealth, full: boolean): void {
    const wasOffline = this.currentState === 'offline';
    const before = this.lastHealth;
    this.lastHealth =
      full || !before
        ? health
        : health.online === before.online
          ? before
          : {
              ...before,
              online: health.online,
              checkedAt: health.checkedAt,
              message: health.message,
              messageCode: health.messageCode,
            };
    if (this.currentState !== 'busy' && this.currentState !== 'recovering')
      this.currentState = health.online ? 'ready' : 'offline';
    if (!wasOffline && this.currentState === 'offline')
      this.o.log.warn({ terminal: this.id, message: health.message }, 'terminal offline');
    if (wasOffline && this.currentState === 'ready')
      this.o.log.info({ terminal: this.id, message: health.message }, 'terminal back online');
    if (full || this.lastHealth !== before) this.announce();
    if (wasOffline && health.online) this.o.onBackOnline();
  }

  /** A full health check (PING), in the queue like any request; skipped while anything runs or waits. */
  async checkHealth(): Promise<void> {
    if (this.queue.running || this.queue.length > 0) return;
    await this.run(async () => {
      let health: TerminalHealth;
      try {
        health = await this.driver.health();
      } catch (e) {
        health = { online: false, checkedAt: new Date().toISOString(), message: (e as Error).message };
      }
      this.applyHealth(health, true);
    }).catch(() => undefined);
  }

  /** Starts the idle liveness probe every `every` ms, where the driver offers one. */
  startProbing(every: number | undefined): void {
    if (!every || !this.driver.probe) return;
    this.probeTimer = setInterval(() => void this.probe(), every);
    this.probeTimer.unref();
  }

  /** The idle liveness probe: only when nothing runs or waits on the terminal, through its queue like any request. */
  async probe(): Promise<void> {
    const probe = this.driver.probe;
    if (
      this.stopped ||
      !probe ||
      this.queue.running ||
      this.queue.length > 0 ||
      this.currentState === 'busy' ||
      this.currentState === 'recovering'
    )
      return;
    await this.run(async () => {
      const health = await probe.call(this.driver).catch((e: unknown): TerminalHealth => ({
        online: false,
        checkedAt: new Date().toISOString(),
        message: (e as Error).message,
      }));
      if (!this.stopped) this.applyHealth(health, false);
    }).catch(() => undefined);
  }

  /**
   * A terminal known to be offline takes nothing: the register hears terminal_offline at once instead of waiting for
   * a connection that will not come, and nothing is recorded (the same ref can be sent again when it is back). The
   * terminal is probed again right away, so a terminal that has just returned is ready for the next try.
   */
  refuseIfOffline(): void {
    if (this.currentState !== 'offline') return;
    void this.probe();
    throw new BridgeError(
      'terminal_offline',
      `terminal ${this.id} is offline: ${this.lastHealth?.message ?? 'it does not answer'}`,
    );
  }

  /**
   * The bridge is closing: no more probes, queued tasks that have not started are dropped (a payment whose intent is
   * recorded but never sent is failed safely by recovery at the next start). Resolves when the running task has ended.
   */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    return this.queue.stop();
  }

  view(): TerminalView {
    const h = this.lastHealth;
    return {
      id: this.id,
      driver: this.driver.info.driver,
      link: this.driver.info.link,
      state: this.currentState,
      queue: this.queue.length,
      ...(this.currentRef !== undefined ? { currentRef: this.currentRef } : {}),
      ...(h?.online ? { lastSeen: h.checkedAt } : {}),
      ...(h ? { message: h.message } : {}),
      ...(h?.messageCode ? { messageCode: h.messageCode } : {}),
      ...(h?.terminalId ? { terminalId: h.terminalId } : {}),
      ...(this.currency ? { currency: this.currency } : {}),
    };
  }
}

/** The bridge's lanes by terminal id, in config order. */
export class Lanes {
  private readonly byId = new Map<string, Lane>();

  add(lane: Lane): void {
    this.byId.set(lane.id, lane);
  }

  all(): Lane[] {
    return [...this.byId.values()];
  }

  /** The lane a listener's request goes to: the one it names, the listener's own, or the first configured one. */
  for(who: RegisterIdentity, requested?: string): Lane {
    const id = requested ?? who.terminal;
    if (id === undefined) return this.byId.values().next().value as Lane;
    const lane = this.byId.get(id);
    if (!lane) throw new BridgeError('unknown_terminal', `no terminal "${id}" is configured`);
    return lane;
  }

  /** The lane of a recorded payment's terminal. */
  of(id: string): Lane {
    const lane = this.byId.get(id);
    if (!lane) throw new BridgeError('unknown_terminal', `terminal "${id}" of this payment is no longer configured`);
    return lane;
  }
}
