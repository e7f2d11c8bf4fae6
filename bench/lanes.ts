/**
 * One lane count of the bridge benchmark: the bridge (journal on, synchronous=FULL, as configured in production)
 * and the baseline forwarder, each with its own fresh simulated terminals, driven by the same registers in
 * alternating rounds so that a noisy machine disturbs both alike. Added latency = bridge − baseline per percentile.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchRegister, emptyStats, mergeStats, runLoad } from './registers';
import { Forwarder, laneConfig, startBridge, type SimHost } from './processes';
import { commitsPerPayment, flushesFromLog } from './disk';
import { cpuMsOf, RssSampler, round, summarise, type LatencySummary } from './stats';
import { summariseProfile, type ProfileSummary } from './profile';

export interface LanePhaseOptions {
  lanes: number;
  /** Alternating rounds (baseline, bridge) after the warm-up. */
  rounds: number;
  /** Length of one side of a round, ms. */
  roundMs: number;
  warmupMs: number;
  /** Paced instead of closed loops: each lane sends one sale per `periodMs` (see registers.ts). */
  periodMs?: number;
  /** Keep the temporary folder (journal, bridge log). */
  keep?: boolean;
  /**
   * Write a V8 CPU profile of the bridge process into this folder (node --cpu-prof) and summarise it over the stretches
   * in which registers drove the bridge (its warm-up and rounds), not its start-up, idle wait or the baseline's rounds.
   */
  profileDir?: string;
  log?: (line: string) => void;
}

export interface LanePhaseResult {
  lanes: number;
  /** Paced runs: one sale per lane per this many ms; absent for closed loops. */
  periodMs?: number;
  bridge: LatencySummary;
  baseline: LatencySummary;
  added: { p50: number; p90: number; p99: number; max: number };
  /** Sales per second through the bridge, journal on. */
  throughput: number;
  baselineThroughput: number;
  /** CPU time (user + system) the bridge process used per sale; the baseline forwarder's for comparison. */
  cpuMsPerSale: number;
  baselineCpuMsPerSale: number;
  errors: number;
  baselineErrors: number;
  errorSamples: string[];
  rssIdleMb: number;
  rssPeakMb: number;
  baselineRssPeakMb: number;
  readyMs: number;
  /**
   * Journal commits (SQLite transactions) per sale and those made durable before the bridge acts on them (own fsync or
   * an awaited group flush), as the journal counted them (its "journal closed" log line; else one per event row), and
   * the event rows per sale by type.
   */
  journal: {
    commitsPerSale: number;
    durableCommitsPerSale: number;
    byType: Record<string, number>;
    /** Disk syncs per sale: fsyncs of single commits plus group flushes (from the bridge's "journal closed" log line). */
    syncsPerSale?: number;
  };
  /** What the terminals recorded: charges must equal approved results, no ref charged twice. */
  ledger: { charges: number; approved: number; doubled: number };
  /** Where the bridge process spent its time while registers drove it (--profile only). */
  profile?: ProfileSummary;
}

export async function runLanePhase(sims: SimHost, o: LanePhaseOptions): Promise<LanePhaseResult> {
  const log = o.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'rb-bench-'));
  const ports = await sims.start(2 * o.lanes);
  const bridgeTerminals = ports.slice(0, o.lanes);
  const baselineTerminals = ports.slice(o.lanes);

  const bridge = await startBridge(
    join(dir, 'config.json'),
    laneConfig(join(dir, 'data'), bridgeTerminals),
    o.lanes,
    join(dir, 'bridge.log'),
    [
      ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : []),
      ...(process.env.BENCH_BRIDGE_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    ],
  );
  // Stretches in which registers drove the bridge, as CLOCK_MONOTONIC µs (the clock of a V8 CPU profile).
  const loadWindows: Array<[number, number]> = [];
  const forwarder = new Forwarder();
  const baselinePorts = await forwarder.start(baselineTerminals);
  const bridgeRss = new RssSampler(bridge.pid);
  const baselineRss = new RssSampler(forwarder.pid);
  // A run with failed sales keeps its folder (bridge log, journal, config) for the diagnosis, --keep or not.
  let failedSales = 0;
  try {
    // Idle: listening, terminals configured, first health check done, no register yet.
    await new Promise((r) => setTimeout(r, 500));
    const rssIdleMb = bridgeRss.sample();

    const bridgeRegs = await Promise.all(bridge.ports.map((p, i) => BenchRegister.open(p, `b${o.lanes}-${i}`)));
    const baseRegs = await Promise.all(baselinePorts.map((p, i) => BenchRegister.open(p, `f${o.lanes}-${i}`)));
    bridgeRss.start();
    baselineRss.start();

    let approvedTotal = 0;
    approvedTotal += (await runLoad(baseRegs, o.warmupMs, o.periodMs)).stats.approved;
    const bridgeLoad = async (ms: number): Promise<Awaited<ReturnType<typeof runLoad>>> => {
      const from = process.hrtime.bigint();
      const r = await runLoad(bridgeRegs, ms, o.periodMs);
      loadWindows.push([Number(from / 1000n), Number(process.hrtime.bigint() / 1000n)]);
      return r;
    };
    approvedTotal += (await bridgeLoad(o.warmupMs)).stats.approved;

    const bridgeStats = emptyStats();
    const baseStats = emptyStats();
    let bridgeWall = 0;
    let baseWall = 0;
    let bridgeCpu = 0;
    let baseCpu = 0;
    for (let r = 0; r < o.rounds; r++) {
      // Alternate which side goes first, so that a slow stretch of the machine falls on both.
      const order = r % 2 === 0 ? (['baseline', 'bridge'] as const) : (['bridge', 'baseline'] as const);
      for (const side of order) {
        const pid = side === 'bridge' ? bridge.pid : forwarder.pid;
        const cpuBefore = cpuMsOf(pid);
        const { stats, wallMs } =
          side === 'bridge' ? await bridgeLoad(o.roundMs) : await runLoad(baseRegs, o.roundMs, o.periodMs);
        const cpu = cpuMsOf(pid) - cpuBefore;
        mergeStats(side === 'bridge' ? bridgeStats : baseStats, stats);
        if (side === 'bridge') {
          bridgeWall += wallMs;
          bridgeCpu += cpu;
        } else {
          baseWall += wallMs;
          baseCpu += cpu;
        }
      }
      log(
        `  ${o.lanes} lanes, round ${r + 1}/${o.rounds}: bridge ${bridgeStats.approved} sales, baseline ${baseStats.approved}`,
      );
    }
    failedSales = bridgeStats.errors + baseStats.errors;
    const rssPeakMb = bridgeRss.stop();
    const baselineRssPeakMb = baselineRss.stop();
    for (const r of [...bridgeRegs, ...baseRegs]) r.close();

    const b = summarise(bridgeStats.latencies);
    const f = summarise(baseStats.latencies);
    await bridge.stop();
    forwarder.kill();
    const ledger = await sims.stop();
    const journal = commitsPerPayment(join(dir, 'data', 'journal.sqlite'));
    const flushed = flushesFromLog(join(dir, 'bridge.log'));
    const perPayment = (n: number): number => round(n / Math.max(1, journal.payments), 2);
    const profileFile = o.profileDir
      ? readdirSync(o.profileDir)
          .filter((f) => f.endsWith('.cpuprofile'))
          .sort()
          .map((f) => join(o.profileDir!, f))[0]
      : undefined;
    approvedTotal += bridgeStats.approved + baseStats.approved;
    return {
      lanes: o.lanes,
      ...(o.periodMs ? { periodMs: o.periodMs } : {}),
      bridge: b,
      baseline: f,
      added: {
        p50: round(b.p50 - f.p50, 3),
        p90: round(b.p90 - f.p90, 3),
        p99: round(b.p99 - f.p99, 3),
        max: round(b.max - f.max, 3),
      },
      throughput: round((bridgeStats.approved / bridgeWall) * 1000, 1),
      baselineThroughput: round((baseStats.approved / baseWall) * 1000, 1),
      cpuMsPerSale: round(bridgeCpu / Math.max(1, bridgeStats.approved), 3),
      baselineCpuMsPerSale: round(baseCpu / Math.max(1, baseStats.approved), 3),
      errors: bridgeStats.errors,
      baselineErrors: baseStats.errors,
      errorSamples: bridgeStats.errorSamples,
      rssIdleMb: round(rssIdleMb, 1),
      rssPeakMb: round(rssPeakMb, 1),
      baselineRssPeakMb: round(baselineRssPeakMb, 1),
      readyMs: round(bridge.readyMs, 1),
      journal: flushed
        ? {
            commitsPerSale: perPayment(flushed.durable + flushed.grouped + flushed.deferred),
            durableCommitsPerSale: perPayment(flushed.durable + flushed.grouped),
            byType: journal.byType,
            syncsPerSale: perPayment(flushed.durable + flushed.flushes),
          }
        : {
            commitsPerSale: journal.perPayment,
            durableCommitsPerSale: journal.durablePerPayment,
            byType: journal.byType,
          },
      // Charges over both sides' terminals: every approved result (bridge, baseline, warm-ups) is one charge.
      ledger: { charges: ledger.charges, approved: approvedTotal, doubled: ledger.doubled },
      ...(profileFile ? { profile: summariseProfile(profileFile, loadWindows) } : {}),
    };
  } finally {
    await bridge.stop();
    forwarder.kill();
    if (!o.keep && failedSales === 0) rmSync(dir, { recursive: true, force: true });
    else
      log(
        failedSales > 0
          ? `  kept ${dir} (bridge.log, data/journal.sqlite) for the ${failedSales} failed sale(s)`
          : `  kept ${dir}`,
      );
  }
}
