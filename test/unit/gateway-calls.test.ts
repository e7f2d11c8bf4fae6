import { describe, expect, it } from 'vitest';
import { countingFetch, gatewayEndpointOf, GatewayCallCounter } from '../../src/ops/metrics/gateway-calls';

describe('gateway call counting', () => {
  it('names the endpoint of each documented path', () => {
    expect(gatewayEndpointOf('https://gw.example/api/v1/oauth/token')).toBe('token');
    expect(gatewayEndpointOf('https://gw.example/api/v1/auth/session')).toBe('session');
    expect(gatewayEndpointOf('https://gw.example/epos/v1/payments/refund')).toBe('payments');
    expect(gatewayEndpointOf('https://gw.example/pos/v1/terminals?page=1')).toBe('terminals');
    expect(gatewayEndpointOf('not a url')).toBe('other');
  });

  it('counts answers by status and failures as network_error, and keeps the gateway clock skew', async () => {
    const counter = new GatewayCallCounter();
    const ahead = new Date(Date.now() + 42_000).toUTCString();
    let n = 0;
    const f = countingFetch(counter, async () => {
      n++;
      if (n === 3) throw new Error('ECONNRESET');
      return new Response('{}', { status: n === 1 ? 200 : 503, headers: { date: ahead } });
    });
    await f('https://gw.example/epos/v1/payments', { method: 'POST' });
    await f('https://gw.example/epos/v1/payments', { method: 'POST' });
    await expect(f('https://gw.example/api/v1/oauth/token', { method: 'POST' })).rejects.toThrow('ECONNRESET');
    expect(counter.snapshot()).toEqual([
      { endpoint: 'payments', status: '200', count: 1 },
      { endpoint: 'payments', status: '503', count: 1 },
      { endpoint: 'token', status: 'network_error', count: 1 },
    ]);
    expect(counter.clockSkewSeconds).toBeGreaterThanOrEqual(40);
    expect(counter.clockSkewSeconds).toBeLessThanOrEqual(43);
  });
});
