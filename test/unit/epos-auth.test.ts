import { describe, expect, it } from 'vitest';
import { AuthRegistry, ExpiringCredential } from '../../src/terminal/epos/auth';

describe('expiring credentials', () => {
  it('refreshes inside the margin only', async () => {
    let now = 0;
    let n = 0;
    const c = new ExpiringCredential(60_000);
    const issue = async () => ({ value: `t${++n}`, expiresInSeconds: 3600 });
    expect(await c.get(() => now, issue)).toBe('t1');
    now = 3_539_000;
    expect(await c.get(() => now, issue)).toBe('t1');
    now = 3_540_000;
    expect(await c.get(() => now, issue)).toBe('t2');
  });

  it('has one refresh in flight for concurrent callers', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = new ExpiringCredential(30_000);
    const issue = async () => {
      calls++;
      await gate;
      return { value: 's', expiresInSeconds: 300 };
    };
    const all = Promise.all([1, 2, 3, 4, 5].map(() => c.get(() => 0, issue)));
    release();
    expect(await all).toEqual(['s', 's', 's', 's', 's']);
    expect(calls).toBe(1);
  });

  it('invalidates only the value that failed', async () => {
    let n = 0;
    const c = new ExpiringCredential(0);
    const issue = async () => ({ value: `v${++n}`, expiresInSeconds: 300 });
    await c.get(() => 0, issue);
    await c.get(() => 0, issue);
    c.invalidate('v0-old');
    expect(c.peek()).toBe('v1');
    c.invalidate('v1');
    expect(c.peek()).toBeUndefined();
    expect(await c.get(() => 0, issue)).toBe('v2');
  });

  it('shares a token per integration and keeps sessions per merchant', () => {
    const r = new AuthRegistry();
    const t1 = r.token('https://g', 'client_a', 'secret');
    expect(r.token('https://g', 'client_a', 'secret')).toBe(t1);
    expect(r.token('https://g', 'client_a', 'other-secret')).not.toBe(t1);
    expect(r.token('https://h', 'client_a', 'secret')).not.toBe(t1);
    const s1 = r.session(t1, 'cli_1', 'sec');
    expect(r.session(t1, 'cli_1', 'sec')).toBe(s1);
    expect(r.session(t1, 'cli_2', 'sec')).not.toBe(s1);
  });
});
