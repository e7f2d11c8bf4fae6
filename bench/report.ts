/**
 * The benchmark's results: targets with PASS/MISS, the markdown report, and the comparison with the previous results
 * file (bench/results/latest.json as committed), so that a regression is visible in the output.
 */
import type { CommitCost } from './disk';
import type { EposResult } from './epos';
import type { LanePhaseResult } from './lanes';
import type { StartupResult } from './startup';
import { round } from './stats';

export interface BenchResults {
  readonly format: 1;
  at: string;
  commit: string;
  machine: { node: string; cpus: number; loadavgStart: number[]; loadavgEnd: number[] };
  settings: { lanes: number[]; rounds: number; roundMs: number; warmupMs: number };
  disk: CommitCost;
  startup?: StartupResult;
  lanes: LanePhaseResult[];
  /** The paced run (one sale per lane per period): latency when the bridge is not saturated. */
  paced?: LanePhaseResult;
  epos?: EposResult;
  targets: TargetCheck[];
}

export interface TargetCheck {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  /** undefined: not measured in this run. */
  readonly pass: boolean | undefined;
}

const fmt = (n: number | undefined, digits = 2): string =>
  n === undefined || !Number.isFinite(n) ? '–' : String(round(n, digits));

export function checkTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const lane = (n: number): LanePhaseResult | undefined => r.lanes.find((l) => l.lanes === n);
  const out: TargetCheck[] = [];
  const l1 = lane(1);
  out.push({
    name: 'added latency p99, 1 lane',
    target: '≤ 1 ms',
    measured: l1 ? `${fmt(l1.added.p99)} ms` : 'not run',
    pass: l1 ? l1.added.p99 <= 1 : undefined,
  });
  const l200 = lane(200);
  out.push({
    name: 'added latency p99, 200 lanes',
    target: '≤ 5 ms',
    measured: l200 ? `${fmt(l200.added.p99)} ms` : 'not run',
    pass: l200 ? l200.added.p99 <= 5 : undefined,
  });
  const best = [...r.lanes].sort((a, b) => b.throughput - a.throughput)[0];
  out.push({
    name: 'throughput, journal on (best lane count, sustained over the run)',
    target: '≥ 500 tx/s',
    measured: best ? `${fmt(best.throughput, 1)} tx/s at ${best.lanes} lanes` : 'not run',
    pass: best ? best.throughput >= 500 : undefined,
  });
  const idle = r.startup?.idleRssMb;
  out.push({
    name: 'RSS idle (1 lane, after start)',
    target: '≤ 80 MB',
    measured: idle !== undefined ? `${fmt(idle, 1)} MB` : 'not run',
    pass: idle !== undefined ? idle <= 80 : undefined,
  });
  out.push({
    name: 'RSS peak at 200 lanes',
    target: '≤ 150 MB',
    measured: l200 ? `${fmt(l200.rssPeakMb, 1)} MB` : 'not run',
    pass: l200 ? l200.rssPeakMb <= 150 : undefined,
  });
  const ready = r.startup?.readyMs.median;
  out.push({
    name: 'start-to-ready (serve --config, median)',
    target: '≤ 300 ms',
    measured: ready !== undefined ? `${fmt(ready, 0)} ms` : 'not run',
    pass: ready !== undefined ? ready <= 300 : undefined,
  });
  const runs = [...r.lanes, ...(r.paced ? [r.paced] : [])];
  const errors = runs.reduce((a, l) => a + l.errors, 0);
  const mismatched = runs.filter((l) => l.ledger.charges !== l.ledger.approved || l.ledger.doubled > 0).length;
  out.push({
    name: 'errors; terminal charges = approved results',
    target: '0; all lane counts',
    measured: `${errors}; ${mismatched === 0 ? 'all match' : `${mismatched} lane counts differ`}`,
    pass: runs.length ? errors === 0 && mismatched === 0 : undefined,
  });
  if (r.epos) {
    out.push({
      name: 'ePOS token requests per hour',
      target: '≤ 1 (+1 at start)',
      measured: `${fmt(r.epos.tokensPerHour)} (${r.epos.tokenRequests} in ${fmt(r.epos.gatewayHours)} h)`,
      pass: r.epos.tokenRequests <= 1 + Math.floor(r.epos.gatewayHours),
    });
    out.push({
      name: 'ePOS session requests per merchant-hour',
      target: '≤ 13.3 (one per 4.5 min)',
      measured: fmt(r.epos.sessionsPerMerchantHour),
      pass: r.epos.sessionsPerMerchantHour <= 60 / 4.5 + 1 / r.epos.gatewayHours,
    });
  }
  return out;
}

const mark = (p: boolean | undefined): string => (p === undefined ? 'n/a' : p ? 'PASS' : 'MISS');

export function markdown(r: BenchResults, comparison: string[]): string {
  const lines: string[] = [];
  lines.push(`# Register Bridge benchmark — ${r.at}`);
  lines.push('');
  lines.push(
    `commit ${r.commit}, Node ${r.machine.node}, ${r.machine.cpus} CPUs, load average ${r.machine.loadavgStart.map((n) => n.toFixed(2)).join(' ')} at start, ${r.machine.loadavgEnd.map((n) => n.toFixed(2)).join(' ')} at the end.`,
  );
  lines.push(
    `Rounds: ${r.settings.rounds} × ${r.settings.roundMs} ms per side after a ${r.settings.warmupMs} ms warm-up; bridge and baseline alternate.`,
  );
  lines.push('');
  lines.push('## Targets');
  lines.push('');
  lines.push('| target | goal | measured | |');
  lines.push('|---|---|---|---|');
  for (const t of r.targets) lines.push(`| ${t.name} | ${t.target} | ${t.measured} | ${mark(t.pass)} |`);
  lines.push('');
  lines.push('## Bridge vs baseline (ms as the register sees them; added = bridge − baseline per percentile)');
  lines.push('');
  lines.push(
    '| lanes | bridge p50 / p99 / max | baseline p50 / p99 / max | added p50 / p99 / max | tx/s bridge (journal on) | tx/s baseline | errors | RSS idle / peak MB | CPU ms/sale bridge / baseline | journal commits/sale (durable) | disk syncs/sale |',
  );
  lines.push('|---:|---|---|---|---:|---:|---:|---|---|---:|---:|');
  for (const l of [...r.lanes, ...(r.paced ? [r.paced] : [])]) {
    const label = l.periodMs ? `${l.lanes} paced (1 sale / ${fmt(l.periodMs / 1000, 1)} s each)` : String(l.lanes);
    lines.push(
      `| ${label} | ${fmt(l.bridge.p50)} / ${fmt(l.bridge.p99)} / ${fmt(l.bridge.max)} | ${fmt(l.baseline.p50)} / ${fmt(l.baseline.p99)} / ${fmt(l.baseline.max)} | ` +
        `${fmt(l.added.p50)} / ${fmt(l.added.p99)} / ${fmt(l.added.max)} | ${fmt(l.throughput, 1)} | ${fmt(l.baselineThroughput, 1)} | ${l.errors} | ` +
        `${fmt(l.rssIdleMb, 1)} / ${fmt(l.rssPeakMb, 1)} | ${fmt(l.cpuMsPerSale)} / ${fmt(l.baselineCpuMsPerSale)} | ${fmt(l.journal.commitsPerSale)} (${fmt(l.journal.durableCommitsPerSale)}) | ${fmt(l.journal.syncsPerSale)} |`,
    );
  }
  if (r.paced) {
    const p = r.paced;
    lines.push('');
    lines.push(
      `Paced: ${p.lanes} registers each sending one sale every ${fmt(p.periodMs! / 1000, 1)} s (${fmt((p.lanes * 1000) / p.periodMs!, 1)} sales/s offered), ` +
        `slots spread evenly: the latency a register sees when the bridge is busy but not saturated. The closed-loop rows above send the next sale ` +
        `the moment a result arrives, so from 10 lanes on their latency is mostly waiting in line (lanes ÷ throughput).`,
    );
  }
  lines.push('');
  lines.push('## Where the time goes');
  lines.push('');
  const d = r.disk;
  lines.push(
    `- One journal commit on this disk (WAL, synchronous=FULL): p50 ${fmt(d.full.p50, 3)} ms, p99 ${fmt(d.full.p99, 3)} ms, mean ${fmt(d.full.mean, 3)} ms; the same without fsync (synchronous=NORMAL): p50 ${fmt(d.normal.p50, 3)} ms. A bare fdatasync: p50 ${fmt(d.fdatasync.p50, 3)} ms, p99 ${fmt(d.fdatasync.p99, 3)} ms.`,
  );
  const l1 = r.lanes.find((l) => l.lanes === 1) ?? r.lanes[0];
  if (l1) {
    const durable = l1.journal.durableCommitsPerSale;
    const syncs = [...r.lanes]
      .map((l) =>
        l.journal.syncsPerSale !== undefined
          ? `${fmt(l.journal.syncsPerSale)} at ${l.lanes} lane${l.lanes === 1 ? '' : 's'}`
          : undefined,
      )
      .filter(Boolean);
    lines.push(
      `- A sale takes ${fmt(l1.journal.commitsPerSale)} journal commits (${Object.entries(l1.journal.byType)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}), ` +
        `${fmt(durable)} of them made durable before the bridge acts on them (progress stages, the delivery mark and the settled mark after COMPLETE_TX ride on the next flush: src/journal/durability.ts). ` +
        `Group commit (src/journal/wal-flusher.ts) flushes the write-ahead log off the JavaScript thread, one flush for every lane that committed meanwhile` +
        (syncs.length ? `: disk syncs per sale ${syncs.join(', ')}.` : '.') +
        (l1.journal.syncsPerSale !== undefined
          ? ` At 1 lane each flush is waited for in turn on the sale's path: ${fmt(l1.journal.syncsPerSale)} × ~${fmt(d.fdatasync.p50, 2)} ms (fdatasync p50) ≈ ${fmt(l1.journal.syncsPerSale * d.fdatasync.p50)} ms is a floor under the added latency that no code change removes while those points must be on disk before the bridge acts.`
          : ''),
    );
  }
  if (r.startup) {
    const s = r.startup;
    lines.push(
      `- Start-to-ready runs (ms): ${s.readyMs.runs.join(', ')}.` +
        (s.diagnostics
          ? ` Bare \`node -e 0\`: ${fmt(s.diagnostics.bareNodeMs, 0)} ms. The same bridge from its TypeScript sources through tsx (the command's fallback when a source is newer than the bundle): ready in ${fmt(s.diagnostics.sourceReadyMs, 0)} ms, idle RSS ${fmt(s.diagnostics.sourceIdleRssMb, 1)} MB.`
          : ''),
    );
  }
  if (r.epos) {
    const e = r.epos;
    lines.push(
      `- ePOS: ${e.payments} payments (${e.approved} approved) over ${fmt(e.gatewayHours)} h of gateway time in ${fmt(e.wallMs / 1000, 1)} s: ${e.tokenRequests} token requests (${fmt(e.tokensPerHour)}/h), sessions ${Object.entries(
        e.sessionRequests,
      )
        .map(([m, n]) => `${m} ${n}`)
        .join(
          ', ',
        )} (${fmt(e.sessionsPerMerchantHour)} per merchant-hour), ${fmt(e.requestsPerPayment)} gateway requests per payment, ${e.unauthorized} answered 401, ${e.duplicateReferences} duplicate references.`,
    );
  }
  if (comparison.length) {
    lines.push('');
    lines.push('## Change against the previous results');
    lines.push('');
    for (const c of comparison) lines.push(`- ${c}`);
  }
  lines.push('');
  return lines.join('\n');
}

interface Metric {
  readonly name: string;
  readonly get: (r: BenchResults) => number | undefined;
  /** Whether a larger value is better. */
  readonly higherIsBetter: boolean;
  readonly unit: string;
}

function metrics(lanes: number[]): Metric[] {
  const m: Metric[] = [];
  for (const n of lanes) {
    const l = (r: BenchResults): LanePhaseResult | undefined => r.lanes.find((x) => x.lanes === n);
    m.push({ name: `${n} lanes added p50`, get: (r) => l(r)?.added.p50, higherIsBetter: false, unit: 'ms' });
    m.push({ name: `${n} lanes added p99`, get: (r) => l(r)?.added.p99, higherIsBetter: false, unit: 'ms' });
    m.push({ name: `${n} lanes throughput`, get: (r) => l(r)?.throughput, higherIsBetter: true, unit: 'tx/s' });
    m.push({ name: `${n} lanes peak RSS`, get: (r) => l(r)?.rssPeakMb, higherIsBetter: false, unit: 'MB' });
    m.push({ name: `${n} lanes CPU per sale`, get: (r) => l(r)?.cpuMsPerSale, higherIsBetter: false, unit: 'ms' });
    m.push({
      name: `${n} lanes durable journal commits per sale`,
      get: (r) => l(r)?.journal.durableCommitsPerSale,
      higherIsBetter: false,
      unit: '',
    });
    m.push({
      name: `${n} lanes disk syncs per sale`,
      get: (r) => l(r)?.journal.syncsPerSale,
      higherIsBetter: false,
      unit: '',
    });
    m.push({ name: `${n} lanes errors`, get: (r) => l(r)?.errors, higherIsBetter: false, unit: '' });
  }
  const paced = (r: BenchResults): LanePhaseResult | undefined => r.paced;
  m.push({ name: 'paced added p50', get: (r) => paced(r)?.added.p50, higherIsBetter: false, unit: 'ms' });
  m.push({ name: 'paced added p99', get: (r) => paced(r)?.added.p99, higherIsBetter: false, unit: 'ms' });
  m.push({ name: 'paced CPU per sale', get: (r) => paced(r)?.cpuMsPerSale, higherIsBetter: false, unit: 'ms' });
  m.push({ name: 'paced errors', get: (r) => paced(r)?.errors, higherIsBetter: false, unit: '' });
  m.push({ name: 'start-to-ready median', get: (r) => r.startup?.readyMs.median, higherIsBetter: false, unit: 'ms' });
  m.push({ name: 'idle RSS', get: (r) => r.startup?.idleRssMb, higherIsBetter: false, unit: 'MB' });
  m.push({ name: 'journal commit (FULL) mean', get: (r) => r.disk.full.mean, higherIsBetter: false, unit: 'ms' });
  m.push({ name: 'ePOS tokens per hour', get: (r) => r.epos?.tokensPerHour, higherIsBetter: false, unit: '' });
  m.push({
    name: 'ePOS sessions per merchant-hour',
    get: (r) => r.epos?.sessionsPerMerchantHour,
    higherIsBetter: false,
    unit: '',
  });
  m.push({
    name: 'ePOS requests per payment',
    get: (r) => r.epos?.requestsPerPayment,
    higherIsBetter: false,
    unit: '',
  });
  return m;
}

/**
 * One line per metric present in both runs: old → new and the change; "REGRESSION" when it got worse by more than
 * `tolerance` (relative) — timing on a shared machine is noisy, so small moves are only shown.
 */
export function compare(
  previous: BenchResults,
  current: BenchResults,
  tolerance = 0.2,
): { lines: string[]; regressions: number } {
  const lanes = [...new Set([...previous.lanes, ...current.lanes].map((l) => l.lanes))].sort((a, b) => a - b);
  const lines: string[] = [`previous run: ${previous.at} (commit ${previous.commit})`];
  let regressions = 0;
  for (const m of metrics(lanes)) {
    const a = m.get(previous);
    const b = m.get(current);
    if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    const delta = b - a;
    const rel = a === 0 ? (b === 0 ? 0 : Infinity) : delta / Math.abs(a);
    const worse = m.higherIsBetter ? delta < 0 : delta > 0;
    // Errors regress on any increase, counts (commits, requests) beyond 5 %, measured quantities beyond the tolerance.
    let regression = false;
    if (worse && m.name.endsWith('errors')) regression = true;
    else if (worse && m.unit === '') regression = Math.abs(rel) > 0.05;
    else if (worse) regression = Math.abs(rel) > tolerance;
    if (regression) regressions++;
    const pct = Number.isFinite(rel) ? `${rel >= 0 ? '+' : ''}${(rel * 100).toFixed(0)}%` : 'new';
    lines.push(
      `${m.name}: ${fmt(a)} → ${fmt(b)} ${m.unit}`.trimEnd() +
        ` (${pct})${regression ? ' REGRESSION' : worse ? ' worse' : delta === 0 ? '' : ' better'}`,
    );
  }
  return { lines, regressions };
}
