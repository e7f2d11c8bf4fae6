/**
 * 1,000 payments over two hours of gateway time (manual clock, nothing really waits): the token is requested at
 * most once per hour for the whole integration, a session at most once per 4.5 minutes per merchant (§4.4).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EposDriver } from '../../src/terminal/epos/driver';
import { recordingContext, startHarness, type Harness } from './epos-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    merchants: [
      { clientId: 'cli_shop_a', clientSecret: 'sec_a' },
      { clientId: 'cli_shop_b', clientSecret: 'sec_b' },
    ],
    terminals: [
      { terminalId: '80000001', merchant: 'cli_shop_a', currency: 'EUR' },
      { terminalId: '80000002', merchant: 'cli_shop_b', currency: 'EUR' },
    ],
    approveDelayMs: 2_000,
  });
});
afterAll(() => h.close());

const HOUR = 3_600_000;

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

it('runs 1,000 payments in 2 hours with at most 1 token per hour and 1 session per 4.5 min per merchant', async () => {
  const drivers: EposDriver[] = [
    h.driver({ id: 'a', terminalId: '80000001' }, { merchantClientId: 'cli_shop_a', merchantSecret: 'sec_a' }),
    h.driver({ id: 'b', terminalId: '80000002' }, { merchantClientId: 'cli_shop_b', merchantSecret: 'sec_b' }),
  ];
  const start = h.clock.now();
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 1000; i++) {
    const o = await drivers[i % 2]!.execute(
      { kind: 'sale', amount: { minor: 1000 + (i % 90) * 100, currency: 'EUR' }, reference: `LR-${i}` },
      recordingContext(),
    );
    outcomes.set(o.outcome, (outcomes.get(o.outcome) ?? 0) + 1);
    // Each payment takes 2 s of polling; the register's next customer comes 5.2 s later: 1,000 × 7.2 s = 2 h.
    h.clock.advance(5_200);
  }
  const span = h.clock.now() - start;
  expect(span).toBeGreaterThanOrEqual(2 * HOUR);
  expect(Object.fromEntries(outcomes)).toEqual({ approved: 1000 });
  expect(h.gateway.payments()).toHaveLength(1000);
  expect(h.gateway.duplicateReferences()).toEqual([]);

  const tokens = h.gateway.tokenRequestTimes;
  // One at the start, then at most one per hour.
  expect(tokens.length).toBeLessThanOrEqual(1 + Math.floor(span / HOUR));
  // Each token (1 h lifetime) is used until 60 s before its expiry.
  for (const g of gaps(tokens)) expect(g).toBeGreaterThanOrEqual(HOUR - 60_000);

  for (const merchant of ['cli_shop_a', 'cli_shop_b']) {
    const sessions = h.gateway.sessionRequestTimes(merchant);
    expect(sessions.length).toBeGreaterThan(1);
    expect(sessions.length).toBeLessThanOrEqual(1 + Math.floor(span / 270_000));
    for (const g of gaps(sessions)) expect(g).toBeGreaterThanOrEqual(270_000);
  }
  expect(h.gateway.requests.filter((r) => r.status === 401)).toHaveLength(0);
});
