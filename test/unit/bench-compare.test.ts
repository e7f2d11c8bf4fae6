/**
 * The benchmark's regression check (bench/report.ts compare) against the committed reference run: a run like the
 * reference shows no regression; a slower one, one with failed sales and one with more durable journal commits per sale are
 * each marked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare } from '../../bench/report';

type Results = Parameters<typeof compare>[0];
const reference = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'bench', 'results', 'baseline.json'), 'utf8'),
) as Results;
const copy = (): Results => structuredClone(reference);

describe('bench regression check', () => {
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
});
