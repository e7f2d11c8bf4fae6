/**
 * One HTTP exchange with the gateway over Node's global fetch: timeout through `AbortSignal.timeout` (spec §5:
 * 15 s), the body read as text and parsed as JSON when it is JSON, and failures turned into `EposError`.
 * No retries and no authentication here (see gateway-client.ts).
 */
import { EposError, codeForStatus, parseProblem } from './errors';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body when it was JSON, else undefined. */
  readonly json: unknown;
}

export function buildUrl(baseUrl: string, path: string, query?: HttpRequest['query']): string {
  const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  // `new URL('/x', base)` drops a base path; keep it when the configured URL has one (e.g. behind a proxy).
  const basePath = new URL(baseUrl).pathname.replace(/\/$/, '');
  url.pathname = `${basePath}${path}`;
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url.toString();
}

export async function send(
  baseUrl: string,
  req: HttpRequest,
  timeoutMs: number,
  fetchImpl: FetchLike = fetch,
): Promise<HttpAnswer> {
  const url = buildUrl(baseUrl, req.path, req.query);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetchImpl(url, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal,
      redirect: 'error',
    });
    const text = await res.text();
    let json: unknown;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: res.status, headers: res.headers, text, json };
  } catch (e) {
    const timedOut = signal.aborted || (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'));
    throw new EposError({
      code: timedOut ? 'timeout' : 'network',
      status: 0,
      method: req.method,
      path: req.path,
      cause: e,
    });
  }
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`; undefined if absent/invalid. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^[0-9]+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export function errorFromAnswer(method: string, path: string, answer: HttpAnswer, now: number): EposError {
  const problem = parseProblem(answer.json, answer.text);
  const retryAfterMs =
    answer.status === 429 || answer.status === 503
      ? parseRetryAfter(answer.headers.get('retry-after'), now)
      : undefined;
  return new EposError({
    code: codeForStatus(answer.status),
    status: answer.status,
    method,
    path,
    ...(problem.title ? { title: problem.title } : {}),
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...(problem.errors ? { fieldErrors: problem.errors } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}
