/**
 * The bridge's own work per sale, without sockets: `node --import tsx bench/core-sale.ts [N] [LANES]` runs N sales
 * through the real `Bridge` and a real journal file (group commit on), LANES registers at once (default 1), each on a
 * scripted terminal of its own (bench/scripted-sales.ts), and prints CPU per sale and the journal's commits and group
 * flushes. Run it under `--cpu-prof` for a profile of the bridge alone.
 */
import { scriptedSales } from './scripted-sales';

const N = Number(process.argv[2] ?? 3000);
const LANES = Number(process.argv[3] ?? 1);
const run = await scriptedSales(LANES);
const { journal } = run;

await run.sales(300, -1_000_000);
const flushes0 = journal.flushStats().flushes;
const c0 = process.cpuUsage();
const t0 = performance.now();
await run.sales(N, 0);
await new Promise((r) => setTimeout(r, 50));
const c = process.cpuUsage(c0);
console.log(
  `core: ${N} sales on ${LANES} lane(s), ${((c.user + c.system) / 1000 / N).toFixed(3)} ms CPU/sale (user ${(c.user / 1000 / N).toFixed(3)}, sys ${(c.system / 1000 / N).toFixed(3)}), ${((performance.now() - t0) / N).toFixed(3)} ms wall/sale, commits ${JSON.stringify(journal.commits)}, group flushes/sale ${((journal.flushStats().flushes - flushes0) / N).toFixed(2)}`,
);
await run.close();
