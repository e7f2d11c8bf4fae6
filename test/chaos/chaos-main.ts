/**
 * `npm run chaos -- --kills 500 [--registers 3] [--seed N] [--keep]`: the long crash run. Prints one summary line
 * `kills=N refs=M lost=0 doubled=0 in_doubt_left=K …` and exits non-zero when anything was lost or doubled.
 */
import { parseArgs } from 'node:util';
import { runCrashHarness, summaryLine } from './crash-harness';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '500' },
    registers: { type: 'string', default: '3' },
    seed: { type: 'string' },
    keep: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});
const seed = values.seed ? Number(values.seed) : Date.now() % 2 ** 31;
process.stdout.write(`crash run: ${values.kills} kills, ${values.registers} registers, seed ${seed}\n`);
const summary = await runCrashHarness({
  kills: Number(values.kills),
  registers: Number(values.registers),
  seed,
  keep: values.keep,
  ...(values.quiet ? {} : { progress: (line: string) => process.stdout.write(`  ${line}\n`) }),
});
for (const p of summary.problems) process.stdout.write(`problem: ${p}\n`);
if (values.keep) process.stdout.write(`kept: ${summary.dir}\n`);
process.stdout.write(`${summaryLine(summary)}\n`);
process.exitCode = summary.lost === 0 && summary.doubled === 0 && summary.phantom === 0 ? 0 : 1;
