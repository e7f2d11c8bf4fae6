/**
 * `npm run fuzz` — every codec and framer under property-based fuzzing, 100,000 cases per target by default:
 * no exception escapes, every bad input gets the protocol's own error, and the heap stays flat (measured with
 * global.gc after a warm-up; the run fails when it grew beyond --heap-mb).
 *
 *   npm run fuzz -- [--runs 100000] [--only TEXT] [--seed N] [--heap-mb 16] [--list]
 *
 * One summary line per target, then a total; exit code 1 when any target failed.
 */
import { parseArgs } from 'node:util';
import { allTargets } from './targets';
import { runTarget } from './target';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    only: { type: 'string' },
    seed: { type: 'string' },
    'heap-mb': { type: 'string', default: '16' },
    list: { type: 'boolean', default: false },
  },
});

const gc = (globalThis as { gc?: () => void }).gc;
const runs = Number(values.runs);
const heapBoundMb = Number(values['heap-mb']);
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
const selected = allTargets.filter(
  (t) => values.only === undefined || t.name.toLowerCase().includes(values.only.toLowerCase()),
);

if (values.list) {
  for (const t of allTargets) process.stdout.write(`${t.name}\n`);
  process.exit(0);
}

function heapMb(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

process.stdout.write(
  `fuzz: ${selected.length} targets × ${runs} cases, seed ${seed}${gc ? '' : ' (no --expose-gc: heap not checked)'}\n`,
);
let failed = 0;
let cases = 0;
const started = performance.now();
for (const t of selected) {
  const t0 = performance.now();
  let line: string;
  try {
    // Warm-up: lazy caches, JIT and module state settle before the heap is measured.
    await runTarget(t, { numRuns: Math.min(2000, runs), seed: seed + 1 });
    const before = heapMb();
    await runTarget(t, { numRuns: runs, seed });
    const after = heapMb();
    const growth = after - before;
    cases += runs;
    const heapOk = !gc || growth <= heapBoundMb;
    if (!heapOk) failed++;
    const ms = performance.now() - t0;
    line = `${heapOk ? 'ok  ' : 'FAIL'} ${t.name}: ${runs} cases in ${(ms / 1000).toFixed(1)} s, heap ${before.toFixed(1)} → ${after.toFixed(1)} MB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)})${heapOk ? '' : ` exceeds ${heapBoundMb} MB`}`;
  } catch (e) {
    failed++;
    const cause = (e as Error).cause instanceof Error ? `\n${((e as Error).cause as Error).message}` : '';
    line = `FAIL ${t.name}: ${`${(e as Error).message}${cause}`.split('\n').slice(0, 16).join('\n     ')}`;
  }
  process.stdout.write(`${line}\n`);
}
const total = (performance.now() - started) / 1000;
process.stdout.write(
  `fuzz total: ${selected.length} targets, ${cases} cases, ${failed} failed, ${total.toFixed(1)} s, seed ${seed}\n`,
);
process.exitCode = failed === 0 ? 0 : 1;
