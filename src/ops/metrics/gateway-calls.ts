/**
 * Calls to the myPOS API Gateway as monitoring sees them: how many, to which endpoint, with which HTTP status (or
 * `network_error` when no answer came). The ePOS drivers of one service share one counter; the metrics endpoint
 * reads it. The fetch wrapper only observes: requests and answers pass unchanged.
 */
import type { FetchLike } from '../../terminal/epos/http';

/** The gateway's endpoints, coarse enough to keep the label's values few. */
export type GatewayEndpoint = 'token' | 'session' | 'payments' | 'terminals' | 'other';

export interface GatewayCall {
  readonly endpoint: GatewayEndpoint;
  /** "200", "401", "503" … or "network_error". */
  readonly status: string;
}

export class GatewayCallCounter {
  private readonly counts = new Map<string, { call: GatewayCall; n: number }>();
  /** The gateway's clock minus ours at its last answer with a Date header, seconds (its resolution is 1 s). */
  clockSkewSeconds: number | undefined;

  record(call: GatewayCall): void {
    const key = `${call.endpoint} ${call.status}`;
    const entry = this.counts.get(key);
    if (entry) entry.n++;
    else this.counts.set(key, { call, n: 1 });
  }

  /** Every (endpoint, status) seen so far with its count. */
  snapshot(): Array<GatewayCall & { readonly count: number }> {
    return [...this.counts.values()].map(({ call, n }) => ({ ...call, count: n }));
  }
}

export function gatewayEndpointOf(url: string): GatewayEndpoint {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return 'other';
  }
  if (/\/oauth\/token$|\/token$/.test(path)) return 'token';
  if (/session/.test(path)) return 'session';
  if (/\/payments\b/.test(path)) return 'payments';
  if (/\/terminals\b/.test(path)) return 'terminals';
  return 'other';
}

/**
 * `inner` (default: the global fetch) with every call counted in `counter`, and the gateway's clock compared with
 * `now` (default: this computer's) at each answer that has a Date header.
 */
export function countingFetch(
  counter: GatewayCallCounter,
  inner: FetchLike = (input, init) => fetch(input, init),
  now: () => number = Date.now,
): FetchLike {
  return async (input, init) => {
    const endpoint = gatewayEndpointOf(input);
    const sent = now();
    try {
      const res = await inner(input, init);
      counter.record({ endpoint, status: String(res.status) });
      const date = Date.parse(res.headers.get('date') ?? '');
      // The answer was sent between the request and now: compare with the middle of that span.
      if (Number.isFinite(date)) counter.clockSkewSeconds = Math.round((date - (sent + now()) / 2) / 1000);
      return res;
    } catch (e) {
      counter.record({ endpoint, status: 'network_error' });
      throw e;
    }
  };
}
