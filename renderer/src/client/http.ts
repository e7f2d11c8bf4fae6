/**
 * The client of the headless status server: fetch for the API (routes from HTTP_ROUTES), a WebSocket for
 * events with reconnection. From beyond loopback the page is opened as `http://host:7460/#token=…`; the token is
 * kept for this tab only and sent as a Bearer header (and as ?token= for the WebSocket).
 */
import {
  EVENTS_PATH,
  HTTP_ROUTES,
  STATUS_METHODS,
  type StatusApi,
  type StatusEvent,
  type StatusMethod,
} from '../../../src/status/contract';
import { translate } from '../i18n';
import { ApiProblem, type BridgeClient } from './types';

const TOKEN_KEY = 'register-bridge-token';

/** The access token from the address (#token= or ?token=), remembered for the tab; removed from the address bar. */
export function pageToken(): string | undefined {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  const fromQuery = new URLSearchParams(location.search).get('token');
  const given = fromHash ?? fromQuery;
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given);
    history.replaceState(null, '', location.pathname);
    return given;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function createHttpClient(
  base: string = location.origin,
  token: string | undefined = pageToken(),
): BridgeClient {
  const headers = (json: boolean): Record<string, string> => ({
    Accept: 'application/json',
    ...(json ? { 'Content-Type': 'application/json' } : {}),
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  });

  async function call(method: StatusMethod, arg: unknown): Promise<unknown> {
    const r = HTTP_ROUTES[method];
    let url = base + r.path;
    let body: string | undefined;
    if (r.arg === 'id') url += encodeURIComponent(String(arg));
    else if (r.arg === 'query' && arg && typeof arg === 'object') {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(arg as Record<string, unknown>))
        if (v !== undefined && v !== '') qs.set(k, String(v));
      const s = qs.toString();
      if (s) url += `?${s}`;
    } else if (r.arg === 'body') body = JSON.stringify(arg ?? null);
    let res: Response;
    try {
      res = await fetch(url, {
        method: r.verb,
        headers: headers(body !== undefined),
        ...(body !== undefined ? { body } : {}),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch {
      throw new ApiProblem({
        type: 'about:blank',
        title: translate('errors.notConnected'),
        status: 0,
        detail: translate('errors.unreachable'),
      });
    }
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok) {
      const p = type.includes('json')
        ? ((await res.json()) as ApiProblem['problem'])
        : { type: 'about:blank', title: res.statusText, status: res.status };
      throw new ApiProblem(p);
    }
    return type.includes('json') ? res.json() : res.text();
  }

  const api = Object.fromEntries(
    STATUS_METHODS.map((m) => [m, (arg?: unknown) => call(m, arg)]),
  ) as unknown as StatusApi;

  function subscribe(onEvent: (e: StatusEvent) => void, onLink?: (connected: boolean) => void): () => void {
    let ws: WebSocket | undefined;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let delay = 500;
    const open = (): void => {
      const u = new URL(EVENTS_PATH, base);
      u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
      if (token) u.searchParams.set('token', token);
      ws = new WebSocket(u);
      ws.onopen = () => {
        delay = 500;
        onLink?.(true);
      };
      ws.onmessage = (m) => {
        try {
          onEvent(JSON.parse(String(m.data)) as StatusEvent);
        } catch {
          // not an event; ignore
        }
      };
      ws.onclose = () => {
        onLink?.(false);
        if (stopped) return;
        retry = setTimeout(open, delay);
        delay = Math.min(delay * 2, 10_000);
      };
    };
    open();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      ws?.close();
    };
  }

  return { ...api, kind: 'http', subscribe };
}
