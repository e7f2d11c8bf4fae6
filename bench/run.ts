/**
 * `npm run bench` — measured, not assumed:
 *
 *   1. the cost of one durable journal commit on this disk (the floor under every number below);
 *   2. start-to-ready of `register-bridge serve --config` and its idle memory;
 *   3. for 1, 10, 50 and 200 lanes (a lane = one register + one simulated terminal): the bridge as shipped (child
 *      process, journal on, synchronous=FULL) against a baseline forwarder doing the same wire work without the
 *      bridge's logic, in alternating rounds, with the register-side latency, throughput, errors, RSS and CPU;
 *   4. the same at a paced load (default 10 and 50 lanes, 500 sales/s offered in all, the lanes' slots spread evenly):
 *      the latency a register sees when the bridge is busy but not saturated;
 *   5. ePOS efficiency: token and session requests per (merchant-)hour over 1,000 payments.
 *
 * Prints the targets (PASS/MISS, each beside the direct baseline of the same run), a markdown table and the change
 * against the last results file — the previous run on this machine (bench/results/latest.json, not committed) or else
 * the committed reference run (bench/results/baseline.json) — then writes bench/results/latest.json and latest.md.
 * --baseline also writes this run as the new baseline.json, to be committed when the reference changes on purpose.
 *
 *   npm run bench -- [--lanes 1,10,50,200] [--rounds 3] [--round-ms 2000] [--warmup-ms 500] [--quick]
 *                    [--paced 10,50 | --paced 10:20,50:100 | --paced off] [--paced-rate 500] [--no-startup]
 *                    [--no-epos] [--profile DIR] [--keep] [--no-write] [--baseline]
 *
 * --quick: every target once, in about a minute (1, 10 and 50 lanes, one short round each, both paced runs, two
 * start-ups, 200 ePOS payments); written nowhere and not compared, its figures being rougher than a full run's.
 * --profile DIR writes a V8 CPU profile of each bridge process (open it in Chrome DevTools) and prints where it spent
 * its time while registers drove it. Nothing here asserts on time: the numbers are for people and for the comparison
 * with the last run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { measureCommitCost } from './disk';
import { runEposBench } from './epos';
import { runLanePhase, type LanePhaseResult } from './lanes';
import { buildBundle, ROOT, SimHost } from './processes';
import { checkTargets, compare, markdown, normalise, TARGETS, type BenchResults, type StoredResults } from './report';
import { measureStartup } from './startup';
import { profileLines } from './profile';

const { values } = parseArgs({
  options: {
    lanes: { type: 'string', default: '1,10,50,200' },
    rounds: { type: 'string', default: '3' },
    'round-ms': { type: 'string', default: '2000' },
    'warmup-ms': { type: 'string', default: '500' },
    quick: { type: 'boolean', default: false },
    paced: { type: 'string', default: TARGETS.pacedLanes.join(',') },
    'paced-rate': { type: 'string', default: String(TARGETS.pacedRate) },
    'no-startup': { type: 'boolean', default: false },
    'no-epos': { type: 'boolean', default: false },
    profile: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    baseline: { type: 'boolean', default: false },
  },
});

const quick = values.quick;
const lanes = (quick ? '1,10,50' : values.lanes)
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);
const rounds = quick ? 1 : Number(values.rounds);
const roundMs = quick ? 1000 : Number(values['round-ms']);
const warmupMs = quick ? 300 : Number(values['warmup-ms']);
/** Paced runs: LANES (one sale per lane every LANES ÷ rate s) or LANES:PERIOD_MS, comma-separated; or off. */
const paced = ((): Array<{ lanes: number; periodMs: number }> => {
  if (values.paced === 'off') return [];
  const rate = Number(values['paced-rate']);
  const out: Array<{ lanes: number; periodMs: number }> = [];
  for (const part of values.paced.split(',')) {
    const m = /^\s*(\d+)(?::(\d+))?\s*$/.exec(part);
    const n = Number(m?.[1]);
    const periodMs = m?.[2] !== undefined ? Number(m[2]) : Math.round((n * 1000) / rate);
    if (!m || n < 1 || !(periodMs >= 10)) {
      process.stderr.write(
        `--paced must be lane counts (10,50), LANES:PERIOD_MS pairs (10:20,50:100) or off, with --paced-rate in sales/s; not ${JSON.stringify(values.paced)}\n`,
      );
      process.exit(2);
    }
    out.push({ lanes: n, periodMs });
  }
  return out;
})();
const resultsDir = join(ROOT, 'bench', 'results');
const say = (line = ''): void => void process.stdout.write(`${line}\n`);

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const loadStart = loadavg();
say(
  `register-bridge benchmark${quick ? ' (quick)' : ''}: lanes ${lanes.join(', ')}; paced ${paced.map((p) => `${p.lanes}×1/${p.periodMs} ms`).join(', ') || 'off'}; ${rounds} round(s) of ${roundMs} ms per side; load average ${loadStart.map((n) => n.toFixed(2)).join(' ')}`,
);
// The bundle of the sources as they are now (and its code cache), as `npm ci` builds it: without it the command would
// run the sources through tsx (bin/register-bridge.mjs), which is not what is shipped.
buildBundle();

say('journal commit cost on this disk …');
const disk = measureCommitCost();
say(
  `  FULL p50 ${disk.full.p50} ms, p99 ${disk.full.p99} ms; NORMAL p50 ${disk.normal.p50} ms; fdatasync p50 ${disk.fdatasync.p50} ms`,
);

const sims = new SimHost();
let startup: BenchResults['startup'];
const lanesResults: LanePhaseResult[] = [];
const pacedResults: LanePhaseResult[] = [];
let epos: BenchResults['epos'];
const profileOf = (name: string): string | undefined => {
  if (!values.profile) return undefined;
  const dir = join(values.profile, name);
  mkdirSync(dir, { recursive: true });
  return dir;
};
const report = (r: LanePhaseResult, profileDir: string | undefined): void => {
  say(
    `  added p50 ${r.added.p50} ms, p99 ${r.added.p99} ms; ${r.throughput} sales/s (baseline ${r.baselineThroughput}); errors ${r.errors}; RSS peak ${r.rssPeakMb} MB; CPU ${r.cpuMsPerSale} ms/sale (baseline ${r.baselineCpuMsPerSale}); ${r.journal.commitsPerSale} commits/sale (${r.journal.durableCommitsPerSale} durable), ${r.journal.syncsPerSale ?? '–'} syncs/sale`,
  );
  for (const e of r.errorSamples) say(`  error: ${e}`);
  if (r.profile) {
    say(`  CPU profile in ${profileDir}:`);
    for (const line of profileLines(r.profile, 'while registers drove the bridge')) say(`    ${line}`);
  }
};
try {
  if (!values['no-startup']) {
    say('start-to-ready …');
    startup = await measureStartup(sims, quick ? 2 : 5, !quick);
    say(
      `  median ${startup.readyMs.median} ms (runs ${startup.readyMs.runs.join(', ')}), idle RSS ${startup.idleRssMb} MB`,
    );
  }
  for (const n of lanes) {
    say(`${n} lane(s) …`);
    const profileDir = profileOf(`lanes-${n}`);
    const r = await runLanePhase(sims, {
      lanes: n,
      rounds,
      roundMs,
      warmupMs,
      keep: values.keep,
      log: say,
      ...(profileDir ? { profileDir } : {}),
    });
    lanesResults.push(r);
    report(r, profileDir);
  }
  for (const p of paced) {
    // Rounds long enough for every lane to sell at least twice per side.
    const pacedRoundMs = Math.max(roundMs, 2 * p.periodMs);
    say(
      `paced: ${p.lanes} lanes, one sale per lane every ${p.periodMs} ms (${((p.lanes * 1000) / p.periodMs).toFixed(1)} sales/s offered) …`,
    );
    const profileDir = profileOf(`paced-${p.lanes}`);
    const r = await runLanePhase(sims, {
      lanes: p.lanes,
      rounds,
      roundMs: pacedRoundMs,
      warmupMs: Math.max(warmupMs, p.periodMs),
      periodMs: p.periodMs,
      keep: values.keep,
      log: say,
      ...(profileDir ? { profileDir } : {}),
    });
    pacedResults.push(r);
    report(r, profileDir);
  }
} finally {
  sims.kill();
}

if (!values['no-epos']) {
  say(`ePOS: ${quick ? 200 : 1000} payments on a simulated clock …`);
  epos = await runEposBench(quick ? 200 : 1000);
  say(
    `  ${epos.tokenRequests} token requests in ${epos.gatewayHours} h; ${epos.sessionsPerMerchantHour} sessions per merchant-hour`,
  );
}

const partial: Omit<BenchResults, 'targets'> = {
  format: 2,
  at: new Date().toISOString(),
  commit: gitCommit(),
  machine: {
    node: process.version,
    cpus: cpus().length,
    loadavgStart: loadStart.map((n) => Number(n.toFixed(2))),
    loadavgEnd: loadavg().map((n) => Number(n.toFixed(2))),
  },
  settings: { lanes, rounds, roundMs, warmupMs, ...(quick ? { quick } : {}) },
  disk,
  ...(startup ? { startup } : {}),
  lanes: lanesResults,
  ...(pacedResults.length ? { paced: pacedResults } : {}),
  ...(epos ? { epos } : {}),
};
const results: BenchResults = { ...partial, targets: checkTargets(partial) };

const latestJson = join(resultsDir, 'latest.json');
const baselineJson = join(resultsDir, 'baseline.json');
const previousFile = [latestJson, baselineJson].find((f) => existsSync(f));
let comparison: string[];
let regressions = 0;
if (quick) {
  // Short rounds and 200 ePOS payments are not comparable with a full run: nothing would be judged fairly.
  comparison = [
    'quick run (one short round per lane count, 200 ePOS payments): not compared with the last results; run without --quick for the regression check',
  ];
} else if (previousFile) {
  try {
    const previous = normalise(JSON.parse(readFileSync(previousFile, 'utf8')) as StoredResults);
    const c = compare(previous, results);
    regressions = c.regressions;
    const elsewhere =
      previous.machine.cpus !== results.machine.cpus || previous.machine.node !== results.machine.node
        ? [
            `the previous run was on another machine (${previous.machine.cpus} CPUs, Node ${previous.machine.node}): read the change with care`,
          ]
        : [];
    comparison = [
      `compared with ${relative(ROOT, previousFile)}`,
      ...elsewhere,
      ...c.lines,
      `${c.regressions} regression(s) beyond the noise tolerance`,
    ];
  } catch (e) {
    comparison = [`previous results unreadable (${relative(ROOT, previousFile)}): ${(e as Error).message}`];
  }
} else {
  comparison = ['no previous results file: this run becomes the reference'];
}

const md = markdown(results, comparison);
say('');
say(md);
if (!values['no-write'] && !quick) {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(latestJson, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'latest.md'), md);
  say(`written: bench/results/latest.json, bench/results/latest.md`);
  if (values.baseline || !existsSync(baselineJson)) {
    writeFileSync(baselineJson, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(resultsDir, 'baseline.md'), md);
    say('written: bench/results/baseline.json, bench/results/baseline.md (the committed reference)');
  }
} else {
  say('(results not written: --quick or --no-write)');
}
const missed = results.targets.filter((t) => t.pass === false).length;
say(
  `bench summary: ${results.targets.filter((t) => t.pass === true).length} targets met, ${missed} missed; ${results.lanes.reduce((a, l) => a + l.errors, 0)} errors; ${regressions} regression(s)`,
);
