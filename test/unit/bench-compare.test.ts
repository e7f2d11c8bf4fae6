/**
 * The benchmark's regression check (bench/report.ts compare) against a stored reference run (the 2 December results,
 * kept as a fixture in the older file format with one paced run; the committed bench/results/baseline.json moves with
 * each new reference and is checked to compare with itself cleanly): a run like the reference shows no regression; a slower one, one with failed sales and one with more durable journal commits per sale are
 * each marked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTargets, compare, normalise } from '../../bench/report';

type Results = Parameters<typeof compare>[0];
const readResults = (...path: string[]): Results =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', ...path), 'utf8')) as Results;
const reference = readResults('test', 'fixtures', 'bench', 'results-2026-12-02.json');
const copy = (): Results => structuredClone(reference);

describe('bench regression check', () => {
  it('the committed reference reads and compares with itself: no regression', () => {
    const committed = readResults('bench', 'results', 'baseline.json');
    const r = compare(committed, structuredClone(committed));
    expect(r.regressions).toBe(0);
    expect(r.lines.length).toBeGreaterThan(10);
  });

  it('the same figures: every metric shown, no regression', () => {
    const r = compare(reference, copy());
    expect(r.regressions).toBe(0);
    expect(r.lines.length).toBeGreaterThan(4);
    expect(r.lines.join('\n')).not.toMatch(/REGRESSION/);
  });

  it('lower throughput beyond the tolerance, any failed sale and more durable commits per sale are regressions', () => {
    const worse = copy();
    const one = worse.lanes.find((l) => l.lanes === 1)!;
    one.throughput = one.throughput / 2;
    one.errors = one.errors + 1;
    one.journal.durableCommitsPerSale = one.journal.durableCommitsPerSale + 1;
    const r = compare(reference, worse);
    const marked = r.lines.filter((l) => l.endsWith('REGRESSION'));
    expect(marked.some((l) => /^1 lanes throughput: .*\(-50%\) REGRESSION$/.test(l))).toBe(true);
    expect(marked.some((l) => /^1 lanes errors: /.test(l))).toBe(true);
    expect(marked.some((l) => /^1 lanes durable journal commits per sale: /.test(l))).toBe(true);
    expect(r.regressions).toBe(marked.length);
  });

  it('a small move within the tolerance is shown, not marked', () => {
    const slightly = copy();
    const one = slightly.lanes.find((l) => l.lanes === 1)!;
    one.throughput = one.throughput * 0.9;
    const r = compare(reference, slightly);
    expect(r.lines.find((l) => l.startsWith('1 lanes throughput:'))).toMatch(/\(-10%\) worse$/);
    expect(r.regressions).toBe(0);
  });

  it('a change within the noise floor of its unit is not a regression, however large relatively', () => {
    const before = copy();
    const after = copy();
    before.lanes.find((l) => l.lanes === 1)!.added.p50 = 0.5;
    after.lanes.find((l) => l.lanes === 1)!.added.p50 = 0.9; // +80 %, +0.4 ms
    before.lanes.find((l) => l.lanes === 1)!.added.p99 = 1;
    after.lanes.find((l) => l.lanes === 1)!.added.p99 = 2; // +100 %, +1 ms
    const r = compare(before, after);
    expect(r.lines.find((l) => l.startsWith('1 lanes added p50:'))).toMatch(/\(\+80%\) worse$/);
    expect(r.lines.find((l) => l.startsWith('1 lanes added p99:'))).toMatch(/REGRESSION$/);
    expect(r.regressions).toBe(1);
  });

  it('compares paced runs by lane count and period, an older file with one paced run too', () => {
    const older = copy();
    const p = (older as unknown as { paced: Results['lanes'][number] }).paced;
    const newer = { ...copy(), format: 2 as const, paced: [{ ...p, errors: p.errors + 1 }] };
    const r = compare(older, newer);
    const line = r.lines.find((l) => l.startsWith(`paced ${p.lanes} lanes every ${p.periodMs} ms errors:`));
    expect(line).toMatch(/REGRESSION$/);
    expect(r.regressions).toBe(1);
  });

  it('judges each target on its run, beside the baseline of the same run', () => {
    const r = normalise(copy());
    const l1 = r.lanes.find((l) => l.lanes === 1)!;
    const l50 = r.lanes.find((l) => l.lanes === 50)!;
    l1.cpuMsPerSale = 0.9;
    l1.added = { ...l1.added, p50: 0.8, p99: 3.5 };
    l50.throughput = 1200;
    l50.errors = 1;
    const t = (name: string) => checkTargets(r).find((x) => x.name.startsWith(name))!;
    expect(t('CPU per sale, 1 lane').pass).toBe(true);
    expect(t('CPU per sale, 1 lane').baseline).toMatch(/^0\.61 ms; bridge ×1\.5/);
    expect(t('CPU per sale, 10 lanes').pass).toBe(false);
    expect(t('added latency p50, 1 lane').pass).toBe(true);
    expect(t('added latency p99, 1 lane').pass).toBe(false);
    // 1,200 sales/s, but a failed sale: the throughput target wants both.
    expect(t('throughput at 50 lanes').pass).toBe(false);
    l50.errors = 0;
    expect(t('throughput at 50 lanes').pass).toBe(true);
    // The reference has no paced run at 10 or 50 lanes: not run, neither PASS nor MISS.
    expect(t('paced, 10 lanes').pass).toBeUndefined();
  });
});
