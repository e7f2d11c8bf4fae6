import { describe, expect, it } from 'vitest';
import { runCrashHarness, summaryLine } from '../chaos/crash-harness';

describe('crash harness (short run)', () => {
  it('SIGKILLs the bridge ≥ 20 times mid-payment: nothing lost, nothing charged twice, status tells the truth', async () => {
    const summary = await runCrashHarness({ kills: 20, registers: 3, seed: 20261125 });
    console.log(summaryLine(summary));
    expect(summary.problems).toEqual([]);
    expect(summary.kills).toBeGreaterThanOrEqual(20);
    expect(summary.refs).toBeGreaterThan(20);
    expect(summary.lost).toBe(0);
    expect(summary.doubled).toBe(0);
    expect(summary.phantom).toBe(0);
    expect(summary.crashPointKills).toBeGreaterThan(0);
  }, 300_000);
});
