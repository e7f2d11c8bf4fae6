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
  /** 2: `paced` is a list (one per paced lane count); 1 (older files): one paced run or none. */
  readonly format: 1 | 2;
  at: string;
  commit: string;
  machine: { node: string; cpus: number; loadavgStart: number[]; loadavgEnd: number[] };
  settings: { lanes: number[]; rounds: number; roundMs: number; warmupMs: number; quick?: boolean };
  disk: CommitCost;
  startup?: StartupResult;
  lanes: LanePhaseResult[];
  /** The paced runs (one sale per lane per period): latency when the bridge is busy but not saturated. */
  paced?: LanePhaseResult[];
  epos?: EposResult;
  targets: TargetCheck[];
}

/** A results file as read back: format 1 kept one paced run as an object. */
export type StoredResults = Omit<BenchResults, 'paced'> & { paced?: LanePhaseResult | LanePhaseResult[] };

/** Any results file in the current shape. */
export function normalise(r: StoredResults): BenchResults {
  const paced = r.paced === undefined ? [] : Array.isArray(r.paced) ? r.paced : [r.paced];
  return { ...r, paced };
}

export interface TargetCheck {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  /** The same figure of the direct baseline (register → forwarder → terminal) in the same run, and the comparison. */
  readonly baseline?: string;
  /** undefined: not measured in this run. */
  readonly pass: boolean | undefined;
}

const fmt = (n: number | undefined, digits = 2): string =>
  n === undefined || !Number.isFinite(n) ? '–' : String(round(n, digits));

/** "×7.3" — how many times the baseline's figure the bridge's is. */
const times = (bridge: number, baseline: number): string =>
  baseline > 0 && Number.isFinite(bridge) ? `×${fmt(bridge / baseline, 1)}` : '';

/**
 * The targets. Each is judged on one run and shown beside the direct baseline of the same run (the forwarder doing the
 * same wire work without the bridge's logic, in alternating rounds): latency as bridge − baseline per percentile,
 * throughput, CPU and memory with the baseline's own figure and the ratio.
 */
export const TARGETS = {
  cpuMsPerSale: 1.0,
  cpuLanes: [1, 10],
  addedP50OneLane: 1.0,
  addedP99OneLane: 3.0,
  throughputLanes: 50,
  throughput: 1000,
  /** Paced: 500 sales/s offered in all, at each of these lane counts. */
  pacedLanes: [10, 50],
  pacedRate: 500,
  pacedAddedP99: 5.0,
  rssPeakLanes: 50,
  rssPeakMb: 120,
  rssIdleMb: 70,
  readyMs: 300,
} as const;

export function checkTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const lane = (n: number): LanePhaseResult | undefined => r.lanes.find((l) => l.lanes === n);
  const out: TargetCheck[] = [];
  const notRun = { measured: 'not run', pass: undefined } as const;
  for (const n of TARGETS.cpuLanes) {
    const l = lane(n);
    out.push({
      name: `CPU per sale, ${n} lane${n === 1 ? '' : 's'} (bridge process, user + system)`,
      target: `≤ ${TARGETS.cpuMsPerSale} ms`,
      ...(l
        ? {
            measured: `${fmt(l.cpuMsPerSale)} ms`,
            baseline: `${fmt(l.baselineCpuMsPerSale)} ms; bridge ${times(l.cpuMsPerSale, l.baselineCpuMsPerSale)}, +${fmt(l.cpuMsPerSale - l.baselineCpuMsPerSale)} ms`,
            pass: l.cpuMsPerSale <= TARGETS.cpuMsPerSale,
          }
        : notRun),
    });
  }
  const l1 = lane(1);
  for (const [p, goal] of [
    ['p50', TARGETS.addedP50OneLane],
    ['p99', TARGETS.addedP99OneLane],
  ] as const) {
    out.push({
      name: `added latency ${p}, 1 lane`,
      target: `≤ ${goal} ms`,
      ...(l1
        ? {
            measured: `${fmt(l1.added[p])} ms`,
            baseline: `bridge ${fmt(l1.bridge[p])} − baseline ${fmt(l1.baseline[p])} ms`,
            pass: l1.added[p] <= goal,
          }
        : notRun),
    });
  }
  const lt = lane(TARGETS.throughputLanes);
  out.push({
    name: `throughput at ${TARGETS.throughputLanes} lanes, journal on; 0 errors, charges = approved`,
    target: `≥ ${TARGETS.throughput} sales/s`,
    ...(lt
      ? {
          measured: `${fmt(lt.throughput, 1)} sales/s; ${lt.errors} errors; ${ledgerMatches(lt) ? 'charges = approved' : 'charges ≠ approved'}`,
          baseline: `${fmt(lt.baselineThroughput, 1)} sales/s; bridge ${times(lt.throughput, lt.baselineThroughput)}`,
          pass: lt.throughput >= TARGETS.throughput && lt.errors === 0 && ledgerMatches(lt),
        }
      : notRun),
  });
  for (const n of TARGETS.pacedLanes) {
    const p = r.paced?.find((x) => x.lanes === n);
    out.push({
      name: `paced, ${n} lanes, ${TARGETS.pacedRate} sales/s offered: added latency p99`,
      target: `≤ ${TARGETS.pacedAddedP99} ms`,
      ...(p
        ? {
            measured: `${fmt(p.added.p99)} ms (${fmt(p.throughput, 1)} sales/s served)`,
            baseline: `bridge ${fmt(p.bridge.p99)} − baseline ${fmt(p.baseline.p99)} ms`,
            pass: p.added.p99 <= TARGETS.pacedAddedP99,
          }
        : notRun),
    });
  }
  const lr = lane(TARGETS.rssPeakLanes);
  out.push({
    name: `RSS peak at ${TARGETS.rssPeakLanes} lanes`,
    target: `≤ ${TARGETS.rssPeakMb} MB`,
    ...(lr
      ? {
          measured: `${fmt(lr.rssPeakMb, 1)} MB`,
          baseline: `${fmt(lr.baselineRssPeakMb, 1)} MB; bridge +${fmt(lr.rssPeakMb - lr.baselineRssPeakMb, 1)} MB`,
          pass: lr.rssPeakMb <= TARGETS.rssPeakMb,
        }
      : notRun),
  });
  const idle = r.startup?.idleRssMb;
  out.push({
    name: 'RSS idle (1 lane, 1 s after ready)',
    target: `≤ ${TARGETS.rssIdleMb} MB`,
    ...(idle !== undefined ? { measured: `${fmt(idle, 1)} MB`, pass: idle <= TARGETS.rssIdleMb } : notRun),
  });
  const ready = r.startup?.readyMs.median;
  const bare = r.startup?.diagnostics?.bareNodeMs;
  out.push({
    name: 'start-to-ready (serve --config, median)',
    target: `≤ ${TARGETS.readyMs} ms`,
    ...(ready !== undefined
      ? {
          measured: `${fmt(ready, 0)} ms`,
          ...(bare !== undefined ? { baseline: `bare \`node -e 0\` ${fmt(bare, 0)} ms` } : {}),
          pass: ready <= TARGETS.readyMs,
        }
      : notRun),
  });
  const runs = [...r.lanes, ...(r.paced ?? [])];
  const errors = runs.reduce((a, l) => a + l.errors, 0);
  const mismatched = runs.filter((l) => !ledgerMatches(l)).length;
  out.push({
    name: 'errors; terminal charges = approved results',
    target: '0; every run',
    measured: `${errors}; ${mismatched === 0 ? 'all match' : `${mismatched} runs differ`}`,
    baseline: `${runs.reduce((a, l) => a + l.baselineErrors, 0)} errors`,
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

function ledgerMatches(l: LanePhaseResult): boolean {
  return l.ledger.charges === l.ledger.approved && l.ledger.doubled === 0;
}

const mark = (p: boolean | undefined): string => (p === undefined ? 'n/a' : p ? 'PASS' : 'MISS');

const pacedLabel = (l: LanePhaseResult): string =>
  `${l.lanes} paced (1 sale / ${fmt(l.periodMs!)} ms each, ${fmt((l.lanes * 1000) / l.periodMs!, 0)}/s offered)`;

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
  lines.push('| target | goal | measured | direct baseline, same run | |');
  lines.push('|---|---|---|---|---|');
  for (const t of r.targets)
    lines.push(`| ${t.name} | ${t.target} | ${t.measured} | ${t.baseline ?? ''} | ${mark(t.pass)} |`);
  lines.push('');
  lines.push('## Bridge vs baseline (ms as the register sees them; added = bridge − baseline per percentile)');
  lines.push('');
  lines.push(
    '| lanes | bridge p50 / p99 / max | baseline p50 / p99 / max | added p50 / p99 / max | tx/s bridge (journal on) | tx/s baseline | errors | RSS idle / peak MB | CPU ms/sale bridge / baseline | journal commits/sale (durable) | disk syncs/sale |',
  );
  lines.push('|---:|---|---|---|---:|---:|---:|---|---|---:|---:|');
  for (const l of [...r.lanes, ...(r.paced ?? [])]) {
    const label = l.periodMs ? pacedLabel(l) : String(l.lanes);
    lines.push(
      `| ${label} | ${fmt(l.bridge.p50)} / ${fmt(l.bridge.p99)} / ${fmt(l.bridge.max)} | ${fmt(l.baseline.p50)} / ${fmt(l.baseline.p99)} / ${fmt(l.baseline.max)} | ` +
        `${fmt(l.added.p50)} / ${fmt(l.added.p99)} / ${fmt(l.added.max)} | ${fmt(l.throughput, 1)} | ${fmt(l.baselineThroughput, 1)} | ${l.errors} | ` +
        `${fmt(l.rssIdleMb, 1)} / ${fmt(l.rssPeakMb, 1)} | ${fmt(l.cpuMsPerSale)} / ${fmt(l.baselineCpuMsPerSale)} | ${fmt(l.journal.commitsPerSale)} (${fmt(l.journal.durableCommitsPerSale)}) | ${fmt(l.journal.syncsPerSale)} |`,
    );
  }
  if (r.paced?.length) {
    lines.push('');
    lines.push(
      `Paced: ${r.paced.map((p) => `${p.lanes} registers each sending one sale every ${fmt(p.periodMs!)} ms (${fmt((p.lanes * 1000) / p.periodMs!, 1)} sales/s offered)`).join('; ')}, ` +
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
      `- A sale takes ${fmt(l1.journal.commitsPerSale)} journal commits (SQLite transactions, as the journal counts them; its event rows per sale: ${Object.entries(
        l1.journal.byType,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}), ` +
        `${fmt(durable)} of them made durable before the bridge acts on them (progress stages, the delivery mark and the settled mark after COMPLETE_TX ride on the next flush: src/journal/durability.ts). ` +
        `Group commit (src/journal/wal-flusher.ts) flushes the write-ahead log off the JavaScript thread, one flush for every lane that committed meanwhile` +
        (syncs.length ? `: disk syncs per sale ${syncs.join(', ')}.` : '.') +
        (l1.journal.syncsPerSale !== undefined
          ? ` At 1 lane each flush is waited for in turn on the sale's path: ${fmt(l1.journal.syncsPerSale)} × ~${fmt(d.fdatasync.p50, 2)} ms (fdatasync p50) ≈ ${fmt(l1.journal.syncsPerSale * d.fdatasync.p50)} ms is a floor under the added latency that no code change removes while those points must be on disk before the bridge acts.`
          : ''),
    );
    if (d.fdatasyncCpuMs !== undefined) {
      const floors = r.lanes
        .filter((l) => l.journal.syncsPerSale !== undefined)
        .map((l) => {
          const disk = l.journal.syncsPerSale! * d.fdatasyncCpuMs!;
          return `${l.lanes} lane${l.lanes === 1 ? '' : 's'}: ${fmt(l.journal.syncsPerSale)} × ${fmt(d.fdatasyncCpuMs, 3)} = ${fmt(disk, 2)} ms of the disk + ${fmt(l.baselineCpuMsPerSale, 2)} ms of the baseline's socket work = ${fmt(disk + l.baselineCpuMsPerSale, 2)} ms`;
        });
      lines.push(
        `- A flush costs CPU as well as time: writing a commit's 8 pages to the log and one fdatasync of it (as the log is written after a checkpoint restarted it) take ${fmt(d.fdatasyncCpuMs, 3)} ms of CPU in the kernel, counted in the bridge's CPU per sale. Under the CPU per sale lies, before any work of the bridge's own, what the disk and the sockets cost${floors.length ? ` (${floors.join('; ')})` : ''}.`,
      );
    }
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
  const profiled = [...r.lanes, ...(r.paced ?? [])].filter((l) => l.profile);
  if (profiled.length) {
    lines.push('');
    lines.push('## CPU profiles of the bridge (while registers drove it; --profile)');
    for (const l of profiled) {
      const p = l.profile!;
      const row = ({ name, ms }: { name: string; ms: number }): string =>
        `| ${name.replace(/\|/g, '\\|')} | ${fmt(ms, 1)} | ${fmt((ms / Math.max(p.totalMs, 1e-9)) * 100, 1)} % |`;
      lines.push('');
      lines.push(`${l.periodMs ? pacedLabel(l) : `${l.lanes} lanes`}: ${fmt(p.totalMs, 0)} ms sampled.`);
      for (const [title, list] of [
        ['self time', p.self],
        ['inclusive time', p.inclusive],
        ['self time by module', p.modules],
      ] as const) {
        lines.push('');
        lines.push(`| ${title} | ms | share |`);
        lines.push('|---|---:|---:|');
        for (const e of list.slice(0, 12)) lines.push(row(e));
      }
    }
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

/** Changes smaller than this are within the noise of a shared machine, whatever the relative change. */
const NOISE_FLOOR: Record<string, number> = { ms: 0.5, MB: 3, 'tx/s': 0 };

function metrics(lanes: number[], paced: Array<{ lanes: number; periodMs: number }>): Metric[] {
  const m: Metric[] = [];
  for (const n of lanes) {
    const l = (r: BenchResults): LanePhaseResult | undefined => r.lanes.find((x) => x.lanes === n);
    m.push({ name: `${n} lanes added p50`, get: (r) => l(r)?.added.p50, higherIsBetter: false, unit: 'ms' });
    m.push({ name: `${n} lanes added p99`, get: (r) => l(r)?.added.p99, higherIsBetter: false, unit: 'ms' });
    m.push({ name: `${n} lanes throughput`, get: (r) => l(r)?.throughput, higherIsBetter: true, unit: 'tx/s' });
    m.push({ name: `${n} lanes peak RSS`, get: (r) => l(r)?.rssPeakMb, higherIsBetter: false, unit: 'MB' });
    m.push({ name: `${n} lanes CPU per sale`, get: (r) => l(r)?.cpuMsPerSale, higherIsBetter: false, unit: 'ms' });
    m.push({
      name: `${n} lanes journal commits per sale`,
      get: (r) => l(r)?.journal.commitsPerSale,
      higherIsBetter: false,
      unit: '',
    });
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
  for (const p of paced) {
    const l = (r: BenchResults): LanePhaseResult | undefined =>
      r.paced?.find((x) => x.lanes === p.lanes && x.periodMs === p.periodMs);
    const name = `paced ${p.lanes} lanes every ${p.periodMs} ms`;
    m.push({ name: `${name} added p50`, get: (r) => l(r)?.added.p50, higherIsBetter: false, unit: 'ms' });
    m.push({ name: `${name} added p99`, get: (r) => l(r)?.added.p99, higherIsBetter: false, unit: 'ms' });
    m.push({ name: `${name} CPU per sale`, get: (r) => l(r)?.cpuMsPerSale, higherIsBetter: false, unit: 'ms' });
    m.push({ name: `${name} errors`, get: (r) => l(r)?.errors, higherIsBetter: false, unit: '' });
  }
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
 * `tolerance` (relative) and more than the noise floor of its unit (0.5 ms, 3 MB) — timing on a shared machine is
 * noisy, so small moves are only shown. Counts (commits, syncs, requests per sale) regress beyond 5 %, errors on any
 * increase. Either file may be of an older format.
 */
export function compare(
  previousFile: StoredResults,
  currentFile: StoredResults,
  tolerance = 0.2,
): { lines: string[]; regressions: number } {
  const previous = normalise(previousFile);
  const current = normalise(currentFile);
  const lanes = [...new Set([...previous.lanes, ...current.lanes].map((l) => l.lanes))].sort((a, b) => a - b);
  const paced = [
    ...new Map(
      [...(previous.paced ?? []), ...(current.paced ?? [])].map((p) => [
        `${p.lanes}:${p.periodMs}`,
        { lanes: p.lanes, periodMs: p.periodMs ?? 0 },
      ]),
    ).values(),
  ].sort((a, b) => a.lanes - b.lanes || a.periodMs - b.periodMs);
  const lines: string[] = [`previous run: ${previous.at} (commit ${previous.commit})`];
  let regressions = 0;
  for (const m of metrics(lanes, paced)) {
    const a = m.get(previous);
    const b = m.get(current);
    if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    const delta = b - a;
    const rel = a === 0 ? (b === 0 ? 0 : Infinity) : delta / Math.abs(a);
    const worse = m.higherIsBetter ? delta < 0 : delta > 0;
    let regression = false;
    if (worse && m.name.endsWith('errors')) regression = true;
    else if (worse && m.unit === '') regression = Math.abs(rel) > 0.05;
    else if (worse) regression = Math.abs(rel) > tolerance && Math.abs(delta) > (NOISE_FLOOR[m.unit] ?? 0);
    if (regression) regressions++;
    const pct = Number.isFinite(rel) ? `${rel >= 0 ? '+' : ''}${(rel * 100).toFixed(0)}%` : 'new';
    lines.push(
      `${m.name}: ${fmt(a)} → ${fmt(b)} ${m.unit}`.trimEnd() +
        ` (${pct})${regression ? ' REGRESSION' : worse ? ' worse' : delta === 0 ? '' : ' better'}`,
    );
  }
  return { lines, regressions };
}
