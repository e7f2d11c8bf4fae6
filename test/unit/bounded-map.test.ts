/** The bounded map the journal, the metrics, the ePOS driver and printer capture keep recent entries in. */
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/shared/bounded-map';

describe('BoundedMap', () => {
  it('keeps the entries put last and forgets the one put longest ago', () => {
    const m = new BoundedMap<string, number>(3);
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) m.put(k, i);
    expect([...m].map(([k]) => k)).toEqual(['b', 'c', 'd']);
    expect(m.get('a')).toBeUndefined();
    expect(m.size).toBe(3);
  });

  it('counts a put as a use, a get or an update not', () => {
    const m = new BoundedMap<string, number>(2);
    m.put('a', 1);
    m.put('b', 2);
    expect(m.get('a')).toBe(1);
    m.update('a', (v) => v + 10);
    m.put('c', 3);
    expect(m.has('a')).toBe(false);
    m.put('b', 20);
    m.put('d', 4);
    expect([...m]).toEqual([
      ['b', 20],
      ['d', 4],
    ]);
    expect([...m.values()]).toEqual([20, 4]);
  });

  it('updates only what is there; delete and clear forget', () => {
    const m = new BoundedMap<string, number>(5);
    m.update('x', () => 1);
    expect(m.has('x')).toBe(false);
    m.put('x', 1);
    m.put('y', 2);
    expect(m.delete('x')).toBe(true);
    expect(m.size).toBe(1);
    m.clear();
    expect(m.size).toBe(0);
  });
});
