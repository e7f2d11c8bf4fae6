/**
 * The Prometheus metrics of one running bridge (GET /metrics on the status server), on prom-client with a registry
 * of its own (several services in one process — the tests — never share counters). Names follow the Prometheus
 * conventions: `register_bridge_` prefix, base units (seconds, bytes), `_total` for counters.
 *
 * Counters and histograms follow the bridge's events as they happen; gauges (terminal up, in-doubt and undelivered
 * payments, connections, journal) are read when Prometheus scrapes, so they are never stale.
 */
import { statSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PaymentView, TerminalView } from '../../bridge/api';
import { isFinalOutcome, type Stage } from '../../domain/vocabulary';
import type { Service } from '../../service';
import type { GatewayCallCounter } from './gateway-calls';
import { BoundedMap } from '../../shared/bounded-map';

/** A card payment takes from half a second (a contactless tap on a fast link) to two minutes (PIN, slow host). */
export const PAYMENT_SECONDS_BUCKETS = [0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60, 90, 120];
/** The bridge's own share of a sale: well under a millisecond to a few tens of milliseconds on a slow disk. */
export const OVERHEAD_SECONDS_BUCKETS = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

type OpenCounts = ReturnType<Service['journal']['openCounts']>;

const LEGACY_TOTAL_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];
const TERMINAL_STATES: ReadonlyArray<TerminalView['state']> = ['ready', 'busy', 'offline', 'recovering'];
/** Payments followed between their first stage and their final outcome; beyond this the oldest are forgotten. */
const MAX_TRACKED = 10_000;

interface Tracked {
  /** When the payment left the queue (its first stage other than `queued`), ms. */
  started?: number;
  /** When it was sent to the terminal, ms. */
  sent?: number;
}

export interface BridgeMetricsOptions {
  /** The ePOS drivers' gateway calls (service.gatewayCalls). */
  readonly gatewayCalls?: GatewayCallCounter;
  /** Process metrics (CPU, memory, event loop …) from prom-client; default true. */
  readonly processMetrics?: boolean;
  readonly now?: () => number;
}

export class BridgeMetrics {
  readonly registry = new Registry();
  private readonly now: () => number;
  private readonly tracked = new BoundedMap<string, Tracked>(MAX_TRACKED);
  /** Payments already counted with their final outcome (ids), so repeated change events count once. */
  private readonly counted = new BoundedMap<string, true>(MAX_TRACKED);
  private readonly payments: Counter<'terminal' | 'kind' | 'outcome'>;
  private readonly duration: Histogram<'terminal' | 'kind'>;
  private readonly terminalTime: Histogram<'terminal'>;
  private readonly overhead: Histogram<'terminal'>;
  private readonly detachers: Array<() => void> = [];
  /** The journal's open payments, read once per scrape. */
  private openSnapshot: OpenCounts | undefined;

  constructor(
    private readonly service: Service,
    options: BridgeMetricsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    const registers = [this.registry];
    if (options.processMetrics !== false) {
      collectDefaultMetrics({ register: this.registry });
      // prom-client also exports these three gauges under a `_total` name, which Prometheus reserves for counters
      // (promtool check metrics refuses them); the same values stay under nodejs_active_{handles,requests,resources}.
      for (const name of LEGACY_TOTAL_GAUGES) this.registry.removeSingleMetric(name);
    }

    new Gauge({
      name: 'register_bridge_info',
      help: 'The running bridge (always 1), labelled with its version.',
      labelNames: ['version'],
      registers,
    }).set({ version: service.bridge.version }, 1);

    this.payments = new Counter({
      name: 'register_bridge_payments_total',
      help: 'Payments that reached a final outcome, by terminal, kind and outcome.',
      labelNames: ['terminal', 'kind', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'register_bridge_payment_duration_seconds',
      help: 'From the register’s request to the final outcome.',
      labelNames: ['terminal', 'kind'],
      buckets: PAYMENT_SECONDS_BUCKETS,
      registers,
    });
    this.terminalTime = new Histogram({
      name: 'register_bridge_terminal_response_seconds',
      help: 'From sending a payment to the terminal to its final outcome.',
      labelNames: ['terminal'],
      buckets: PAYMENT_SECONDS_BUCKETS,
      registers,
    });
    this.overhead = new Histogram({
      name: 'register_bridge_overhead_seconds',
      help: 'The bridge’s own time before the terminal sees a payment (checks, journal commit and flush), without time waiting in the queue.',
      labelNames: ['terminal'],
      buckets: OVERHEAD_SECONDS_BUCKETS,
      registers,
    });

    const bridge = service.bridge;
    const journal = service.journal;
    const now = this.now;
    // Three gauges read the journal's open payments: one query pair per scrape (render), not one per gauge.
    const openCounts = (): OpenCounts => (this.openSnapshot ??= journal.openCounts());
    new Gauge({
      name: 'register_bridge_terminal_up',
      help: '1 while the terminal answers (ready, busy or recovering), 0 while it is offline.',
      labelNames: ['terminal', 'driver'],
      registers,
      collect() {
        this.reset();
        for (const t of bridge.terminals())
          this.set({ terminal: t.id, driver: t.driver }, t.state === 'offline' ? 0 : 1);
      },
    });
    new Gauge({
      name: 'register_bridge_terminal_state',
      help: 'The terminal’s state: 1 for the current one, 0 for the others.',
      labelNames: ['terminal', 'state'],
      registers,
      collect() {
        this.reset();
        for (const t of bridge.terminals())
          for (const s of TERMINAL_STATES) this.set({ terminal: t.id, state: s }, t.state === s ? 1 : 0);
      },
    });
    new Gauge({
      name: 'register_bridge_terminal_queue_length',
      help: 'Payments waiting for the terminal.',
      labelNames: ['terminal'],
      registers,
      collect() {
        this.reset();
        for (const t of bridge.terminals()) this.set({ terminal: t.id }, t.queue);
      },
    });
    new Gauge({
      name: 'register_bridge_payments_in_doubt',
      help: 'Payments whose outcome the terminal could not tell yet (resolved automatically).',
      registers,
      collect() {
        this.set(openCounts().inDoubt);
      },
    });
    new Gauge({
      name: 'register_bridge_payments_in_doubt_oldest_seconds',
      help: 'Age of the oldest payment in doubt; 0 when there is none.',
      registers,
      collect() {
        const oldest = openCounts().oldestInDoubtAt;
        this.set(oldest ? Math.max(0, (now() - Date.parse(oldest)) / 1000) : 0);
      },
    });
    new Gauge({
      name: 'register_bridge_results_undelivered',
      help: 'Final results not yet written to their register (handed over on its next request).',
      registers,
      collect() {
        this.set(openCounts().undelivered);
      },
    });
    new Gauge({
      name: 'register_bridge_register_connections',
      help: 'Registers connected to each listener now.',
      labelNames: ['listener', 'protocol'],
      registers,
      collect() {
        this.reset();
        for (const l of service.listeners)
          this.set({ listener: l.id, protocol: l.protocol }, l.connections?.list().length ?? 0);
      },
    });
    new Gauge({
      name: 'register_bridge_listener_device_open',
      help: 'Serial and HID listeners: 1 while the device is open.',
      labelNames: ['listener'],
      registers,
      collect() {
        this.reset();
        for (const l of service.listeners) if (l.device) this.set({ listener: l.id }, l.device().open ? 1 : 0);
      },
    });
    new Counter({
      name: 'register_bridge_journal_commits_total',
      help: 'Journal commits by how they reached the disk: own fsync (durable), a group flush (grouped), the next flush (deferred).',
      labelNames: ['durability'],
      registers,
      collect() {
        this.reset();
        for (const [k, v] of Object.entries(journal.commits)) this.inc({ durability: k }, v);
      },
    });
    new Counter({
      name: 'register_bridge_journal_fsyncs_total',
      help: 'fsync calls made for the journal: commits with their own fsync plus group flushes.',
      registers,
      collect() {
        this.reset();
        this.inc(journal.commits.durable + journal.flushStats().flushes);
      },
    });
    new Counter({
      name: 'register_bridge_journal_write_errors_total',
      help: 'Journal commits or flushes the disk refused.',
      registers,
      collect() {
        this.reset();
        this.inc(journal.writeErrors);
      },
    });
    new Gauge({
      name: 'register_bridge_journal_size_bytes',
      help: 'The journal’s database file and its write-ahead log.',
      registers,
      collect() {
        this.set(fileSize(journal.path) + fileSize(`${journal.path}-wal`));
      },
    });
    new Gauge({
      name: 'register_bridge_data_dir_free_bytes',
      help: 'Free space for the journal, reports and logs (the data folder’s file system).',
      registers,
      collect() {
        const free = freeBytes(dirname(journal.path));
        if (free !== undefined) this.set(free);
      },
    });
    const calls = options.gatewayCalls;
    new Counter({
      name: 'register_bridge_gateway_requests_total',
      help: 'Calls to the myPOS API Gateway by endpoint and HTTP status ("network_error": no answer).',
      labelNames: ['endpoint', 'status'],
      registers,
      collect() {
        this.reset();
        for (const c of calls?.snapshot() ?? []) this.inc({ endpoint: c.endpoint, status: c.status }, c.count);
      },
    });
    new Gauge({
      name: 'register_bridge_clock_skew_seconds',
      help: 'The myPOS API Gateway’s clock minus this computer’s, at its last answer (ePOS terminals only).',
      registers,
      collect() {
        this.reset();
        if (calls?.clockSkewSeconds !== undefined) this.set(calls.clockSkewSeconds);
      },
    });

    const onStage = (e: { id: string; terminal: string; stage: Stage }): void => this.onStage(e);
    const onPayment = (p: PaymentView): void => this.onPayment(p);
    bridge.on('stage', onStage);
    bridge.on('payment', onPayment);
    this.detachers.push(
      () => bridge.off('stage', onStage),
      () => bridge.off('payment', onPayment),
    );
  }

  /** The scrape: Prometheus text exposition format. */
  async render(): Promise<{ contentType: string; body: string }> {
    this.openSnapshot = undefined;
    try {
      return { contentType: this.registry.contentType, body: await this.registry.metrics() };
    } finally {
      this.openSnapshot = undefined;
    }
  }

  close(): void {
    for (const d of this.detachers.splice(0)) d();
    this.tracked.clear();
  }

  private onStage(e: { id: string; terminal: string; stage: Stage }): void {
    let t = this.tracked.get(e.id);
    if (!t) {
      t = {};
      this.tracked.put(e.id, t);
    }
    const now = this.now();
    if (e.stage !== 'queued' && t.started === undefined) t.started = now;
    if (e.stage === 'sent' && t.sent === undefined) {
      t.sent = now;
      if (t.started !== undefined) this.overhead.observe({ terminal: e.terminal }, (now - t.started) / 1000);
    }
  }

  private onPayment(p: PaymentView): void {
    if (!isFinalOutcome(p.outcome) || this.counted.has(p.id)) return;
    this.counted.put(p.id, true);
    const now = this.now();
    this.payments.inc({ terminal: p.terminal, kind: p.kind, outcome: p.outcome });
    const created = Date.parse(p.createdAt);
    if (Number.isFinite(created))
      this.duration.observe({ terminal: p.terminal, kind: p.kind }, Math.max(0, now - created) / 1000);
    const t = this.tracked.get(p.id);
    if (t?.sent !== undefined) this.terminalTime.observe({ terminal: p.terminal }, (now - t.sent) / 1000);
    this.tracked.delete(p.id);
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}
