/**
 * `npm run bench` — measured, not assumed:
 *
 *   1. the cost of one durable journal commit on this disk (the floor under every number below);
 *   2. start-to-ready of `register-bridge serve --config` and its idle memory;
 *   3. for 1, 10, 50 and 200 lanes (a lane = one register + one simulated terminal): the bridge as shipped (child
 *      process, journal on, synchronous=FULL) against a baseline forwarder doing the same wire work without the
 *      bridge's logic, in alternating rounds, with the register-side latency, throughput, errors, RSS and CPU;
 *   4. the same at a paced load (default 200 lanes, one sale per lane every 5 s — a busy shop many times over): the
 *      latency a register sees when the bridge is not saturated;
 *   5. ePOS efficiency: token and session requests per (merchant-)hour over 1,000 payments.
 *
 * Prints the targets (PASS/MISS), a markdown table and the change against the last results file — the previous run
 * on this machine (bench/results/latest.json, not committed) or else the committed reference run
 * (bench/results/baseline.json) — then writes bench/results/latest.json and latest.md. --baseline also writes this
 * run as the new baseline.json, to be committed when the reference changes on purpose.
 *
 *   npm run bench -- [--lanes 1,10,50,200] [--rounds 3] [--round-ms 2000] [--warmup-ms 500] [--quick]
 *                    [--paced LANES:PERIOD_MS | --paced off] [--no-startup] [--no-epos] [--profile DIR] [--keep]
 *                    [--no-write] [--baseline]
 *
 * --profile DIR writes a V8 CPU profile of each bridge process (open it in Chrome DevTools) and prints its top
 * functions. Nothing here asserts on time: the numbers are for people and for the comparison with the last run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { measureCommitCost } from './disk';
import { runEposBench } from './epos';
import { runLanePhase, type LanePhaseResult } from './lanes';
import { ROOT, SimHost } from './processes';
import { checkTargets, compare, markdown, type BenchResults } from './report';
import { measureStartup } from './startup';
import { topFunctions } from './profile';

const { values } = parseArgs({
  options: {
    lanes: { type: 'string', default: '1,10,50,200' },
    rounds: { type: 'string', default: '3' },
    'round-ms': { type: 'string', default: '2000' },
    'warmup-ms': { type: 'string', default: '500' },
    quick: { type: 'boolean', default: false },
    paced: { type: 'string', default: '200:5000' },
    'no-startup': { type: 'boolean', default: false },
    'no-epos': { type: 'boolean', default: false },
    profile: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    baseline: { type: 'boolean', default: false },
  },
});

const quick = values.quick;
const lanes = (quick ? '1,10' : values.lanes)
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);
const rounds = quick ? 1 : Number(values.rounds);
const roundMs = quick ? 500 : Number(values['round-ms']);
const warmupMs = quick ? 200 : Number(values['warmup-ms']);
const paced = ((): { lanes: number; periodMs: number } | undefined => {
  if (quick || values.paced === 'off') return undefined;
  const m = /^(\d+):(\d+)$/.exec(values.paced);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 100) {
    process.stderr.write(
      `--paced must be LANES:PERIOD_MS (e.g. 200:5000) or off, not ${JSON.stringify(values.paced)}\n`,
    );
    process.exit(2);
  }
  return { lanes: Number(m[1]), periodMs: Number(m[2]) };
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
  `register-bridge benchmark: lanes ${lanes.join(', ')}; ${rounds} round(s) of ${roundMs} ms per side; load average ${loadStart.map((n) => n.toFixed(2)).join(' ')}`,
);

say('journal commit cost on this disk …');
const disk = measureCommitCost();
say(
  `  FULL p50 ${disk.full.p50} ms, p99 ${disk.full.p99} ms; NORMAL p50 ${disk.normal.p50} ms; fdatasync p50 ${disk.fdatasync.p50} ms`,
);

const sims = new SimHost();
let startup: BenchResults['startup'];
const lanesResults: LanePhaseResult[] = [];
let pacedResult: LanePhaseResult | undefined;
let epos: BenchResults['epos'];
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
    const profileDir = values.profile ? join(values.profile, `lanes-${n}`) : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const loadWindows: Array<[number, number]> = [];
    const r = await runLanePhase(sims, {
      lanes: n,
      rounds,
      roundMs,
      warmupMs,
      keep: values.keep,
      log: say,
      ...(profileDir
        ? {
            bridgeNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
            onBridgeLoad: (from: number, to: number) => void loadWindows.push([from, to]),
          }
        : {}),
    });
    lanesResults.push(r);
    say(
      `  added p50 ${r.added.p50} ms, p99 ${r.added.p99} ms; ${r.throughput} tx/s (baseline ${r.baselineThroughput}); errors ${r.errors}; RSS peak ${r.rssPeakMb} MB; ${r.journal.commitsPerSale} commits/sale`,
    );
    for (const e of r.errorSamples) say(`  error: ${e}`);
    if (profileDir) {
      const file = readdirSync(profileDir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .sort()[0];
      if (file) {
        say(`  CPU profile ${join(profileDir, file)} — top functions (self time) while registers drove the bridge:`);
        for (const line of topFunctions(join(profileDir, file), 15, loadWindows)) say(`    ${line}`);
      }
    }
  }
  if (paced) {
    // Rounds long enough for every lane to sell at least twice per side.
    const pacedRoundMs = Math.max(roundMs, 2 * paced.periodMs);
    say(
      `paced: ${paced.lanes} lanes, one sale per lane every ${paced.periodMs} ms (${((paced.lanes * 1000) / paced.periodMs).toFixed(1)} sales/s offered) …`,
    );
    const r = await runLanePhase(sims, {
      lanes: paced.lanes,
      rounds,
      roundMs: pacedRoundMs,
      warmupMs: Math.max(warmupMs, paced.periodMs),
      periodMs: paced.periodMs,
      keep: values.keep,
      log: say,
    });
    pacedResult = r;
    say(
      `  added p50 ${r.added.p50} ms, p99 ${r.added.p99} ms; ${r.throughput} tx/s; errors ${r.errors}; RSS peak ${r.rssPeakMb} MB`,
    );
    for (const e of r.errorSamples) say(`  error: ${e}`);
  }
} finally {
  sims.kill();
}

if (!values['no-epos']) {
  say('ePOS: 1,000 payments on a simulated clock …');
  epos = await runEposBench(quick ? 200 : 1000);
  say(
    `  ${epos.tokenRequests} token requests in ${epos.gatewayHours} h; ${epos.sessionsPerMerchantHour} sessions per merchant-hour`,
  );
}

const partial: Omit<BenchResults, 'targets'> = {
  format: 1,
  at: new Date().toISOString(),
  commit: gitCommit(),
  machine: {
    node: process.version,
    cpus: cpus().length,
    loadavgStart: loadStart.map((n) => Number(n.toFixed(2))),
    loadavgEnd: loadavg().map((n) => Number(n.toFixed(2))),
  },
  settings: { lanes, rounds, roundMs, warmupMs },
  disk,
  ...(startup ? { startup } : {}),
  lanes: lanesResults,
  ...(pacedResult ? { paced: pacedResult } : {}),
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
    'quick run (short rounds, 1 and 10 lanes, 200 ePOS payments): not compared with the last results; run without --quick for the regression check',
  ];
} else if (previousFile) {
  try {
    const previous = JSON.parse(readFileSync(previousFile, 'utf8')) as BenchResults;
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
