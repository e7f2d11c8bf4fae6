/**
 * Where the slowest sales' time goes, one lane, no sockets: `node --import tsx bench/sale-tail.ts [N]` runs N sales
 * through the real `Bridge` and a real journal file (bench/scripted-sales.ts, as bench/core-sale.ts does) and, per
 * sale, measures the time spent in journal transactions, the longest single COMMIT of a batch, the waits for
 * `journal.durable()`, the longest `fdatasync` of the log and garbage-collection pauses. It prints the latency percentiles, the same figures for the
 * median and the slowest 1.5 % of sales, the 25 slowest one by one, and the distribution of the flushes themselves.
 *
 * It watches the journal from outside (its transaction, batch commit and flush functions wrapped): a diagnosis tool
 * for docs/benchmarks.md, not a target.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { scriptedSales } from './scripted-sales';

type Fn = (...args: unknown[]) => unknown;
/** The journal's inner parts this tool wraps. */
interface JournalInside {
  tx: Fn;
  commitBatch: Fn;
  flusher?: { flush: (fd: number) => Promise<void> };
}

const N = Number(process.argv[2] ?? 4000);
const run = await scriptedSales(1);
const { journal } = run;
const inside = journal as unknown as JournalInside;

interface SaleTimes {
  ms: number;
  tx: number;
  longestCommit: number;
  durableWait: number;
  longestFlush: number;
  gc: number;
}
const now: Omit<SaleTimes, 'ms'> = { tx: 0, longestCommit: 0, durableWait: 0, longestFlush: 0, gc: 0 };

/** Wraps `o[name]`, handing each call's duration in ms to `took`. */
function timed<K extends string>(o: Record<K, Fn>, name: K, took: (ms: number) => void): void {
  const original = o[name].bind(o);
  o[name] = (...args: unknown[]) => {
    const t = performance.now();
    const out = original(...args);
    if (out instanceof Promise) return out.finally(() => took(performance.now() - t));
    took(performance.now() - t);
    return out;
  };
}
timed(inside as unknown as Record<'tx', Fn>, 'tx', (ms) => (now.tx += ms));
timed(inside as unknown as Record<'commitBatch', Fn>, 'commitBatch', (ms) => {
  now.longestCommit = Math.max(now.longestCommit, ms);
});
timed(journal as unknown as Record<'durable', Fn>, 'durable', (ms) => (now.durableWait += ms));
const flushes: number[] = [];
if (!inside.flusher) throw new Error('the journal has no group commit here');
timed(inside.flusher as unknown as Record<'flush', Fn>, 'flush', (ms) => {
  flushes.push(ms);
  now.longestFlush = Math.max(now.longestFlush, ms);
});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) now.gc += e.duration;
}).observe({ entryTypes: ['gc'] });

await run.sales(300, -1_000_000);
flushes.length = 0;

const sales: SaleTimes[] = [];
for (let i = 0; i < N; i++) {
  Object.assign(now, { tx: 0, longestCommit: 0, durableWait: 0, longestFlush: 0, gc: 0 });
  const t = performance.now();
  await run.sale(0, i);
  sales.push({ ms: performance.now() - t, ...now });
}

function quantile(xs: number[], q: number): string {
  const sorted = xs.slice().sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!.toFixed(2);
}
const mean = (rows: SaleTimes[], k: keyof SaleTimes): string =>
  (rows.reduce((s, r) => s + r[k], 0) / rows.length).toFixed(2);
const line = (rows: SaleTimes[]): string =>
  `${mean(rows, 'ms')} ms: transactions ${mean(rows, 'tx')}, waits for durable() ${mean(rows, 'durableWait')}, ` +
  `longest batch COMMIT ${mean(rows, 'longestCommit')}, longest fdatasync ${mean(rows, 'longestFlush')}, GC ${mean(rows, 'gc')}`;

const ms = sales.map((s) => s.ms);
const bySpeed = sales.slice().sort((a, b) => a.ms - b.ms);
console.log(
  `${N} sales, 1 lane: p50 ${quantile(ms, 0.5)} p90 ${quantile(ms, 0.9)} p99 ${quantile(ms, 0.99)} max ${quantile(ms, 1)} ms`,
);
console.log(`median 10 %: ${line(bySpeed.slice(Math.floor(N * 0.45), Math.ceil(N * 0.55)))}`);
console.log(`slowest 1.5 %: ${line(bySpeed.slice(-Math.ceil(N * 0.015)))}`);
for (const s of bySpeed.slice(-25)) console.log(`  ${line([s])}`);
console.log(
  `fdatasync of the log (${flushes.length}): p50 ${quantile(flushes, 0.5)} p90 ${quantile(flushes, 0.9)} p99 ${quantile(flushes, 0.99)} max ${quantile(flushes, 1)} ms`,
);
await run.close();
