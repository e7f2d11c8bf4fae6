/**
 * Every fuzz target of `npm run fuzz` (test/fuzz/targets.ts) at 2,000 cases each: no exception escapes a codec or
 * framer, and every bad input gets the protocol's own error. The seed is fixed so that the suite is repeatable;
 * FUZZ_SEED=N picks another, FUZZ_RUNS=N another case count. `npm run fuzz` runs 100,000 cases each with a fresh seed
 * and checks the heap.
 */
import { describe, expect, it } from 'vitest';
import { allTargets } from '../fuzz/targets';
import { runTarget } from '../fuzz/target';

const runs = Number(process.env.FUZZ_RUNS ?? 2000);
const seed = Number(process.env.FUZZ_SEED ?? 20250101);

describe('fuzz targets (2,000 cases each)', () => {
  it('covers every codec and framer', () => {
    const areas = new Set(allTargets.map((t) => t.name.split(':')[0]));
    expect([...areas].sort()).toEqual([
      'caisse-ap',
      'capture',
      'concert',
      'config',
      'cross-protocol',
      'ecr17',
      'epos',
      'hid',
      'ipp',
      'native',
      'text',
      'zvt',
    ]);
    expect(new Set(allTargets.map((t) => t.name)).size).toBe(allTargets.length);
  });

  for (const t of allTargets) {
    it(
      t.name,
      async () => {
        await runTarget(t, { numRuns: runs, seed });
      },
      120_000,
    );
  }
});
