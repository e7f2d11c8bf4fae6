/**
 * The fake ePOS gateway on the wire (../shared/specs/mypos-api-gateway.md): which route a request is (the unit of
 * fault injection), ProblemDetails answers as the gateway shapes them, token and pagination shapes, and the
 * redaction of secrets in the request log.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Answer, FaultRoute } from './epos-gateway-types';

export const PROBLEM_TYPES: Record<number, string> = {
  400: 'https://tools.ietf.org/html/rfc7231#section-6.5.1',
  401: 'https://tools.ietf.org/html/rfc7235#section-3.1',
  403: 'https://tools.ietf.org/html/rfc7231#section-6.5.3',
  404: 'https://tools.ietf.org/html/rfc7231#section-6.5.4',
  405: 'https://tools.ietf.org/html/rfc7231#section-6.5.5',
  409: 'https://tools.ietf.org/html/rfc7231#section-6.5.8',
  415: 'https://tools.ietf.org/html/rfc7231#section-6.5.13',
  429: 'https://tools.ietf.org/html/rfc6585#section-4',
  500: 'https://tools.ietf.org/html/rfc7231#section-6.6.1',
  502: 'https://tools.ietf.org/html/rfc7231#section-6.6.3',
  503: 'https://tools.ietf.org/html/rfc7231#section-6.6.4',
};

export function problem(status: number, detail?: string, errors?: Record<string, string[]>, title?: string): Answer {
  const body: Record<string, unknown> = {
    type: PROBLEM_TYPES[status] ?? 'about:blank',
    title: title ?? STATUS_CODES[status] ?? 'Error',
    status,
  };
  if (detail !== undefined) body.detail = detail;
  if (errors) body.errors = errors;
  return { status, body, headers: { 'Content-Type': 'application/problem+json; charset=utf-8' } };
}

export function validation(errors: Record<string, string[]>): Answer {
  return problem(400, undefined, errors, 'One or more validation errors occurred.');
}

export function jwtLike(sub: string): string {
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ sub, jti: randomBytes(8).toString('hex') })}.${randomBytes(32).toString('base64url')}`;
}

export function redactBody(text: string): string {
  return text
    .replace(/(client_secret=)[^&]*/g, '$1[redacted]')
    .replace(/("client_secret"\s*:\s*")[^"]*(")/g, '$1[redacted]$2');
}

export function pagination(page: number, size: number, total: number): Record<string, number> {
  return { page, page_size: size, total_pages: Math.max(1, Math.ceil(total / size)), total_count: total };
}

export function sessionClientId(text: string): string | undefined {
  try {
    const b = JSON.parse(text) as { client_id?: unknown };
    return typeof b.client_id === 'string' ? b.client_id : undefined;
  } catch {
    return undefined;
  }
}

export type RouteName = FaultRoute | 'models' | 'outlets' | 'method_not_allowed';
export interface Route {
  name: RouteName;
  param?: string;
}

/** Maps a request to a route name (the unit for fault injection). */
export function routeOf(
  method: string,
  path: string,
): (Route & { name: FaultRoute | 'models' | 'outlets' }) | { name: 'method_not_allowed' } | undefined {
  const p = path.replace(/\/+$/, '');
  const is = (m: string): boolean => method === m;
  if (p === '/api/v1/oauth/token') return is('POST') ? { name: 'token' } : { name: 'method_not_allowed' };
  if (p === '/api/v1/auth/session') return is('POST') ? { name: 'session' } : { name: 'method_not_allowed' };
  if (p === '/epos/v1/payments')
    return is('POST') ? { name: 'create' } : is('GET') ? { name: 'list' } : { name: 'method_not_allowed' };
  if (p === '/epos/v1/payments/refund') return is('POST') ? { name: 'refund' } : { name: 'method_not_allowed' };
  let m = /^\/epos\/v1\/payments\/([^/]+)$/.exec(p);
  if (m)
    return is('GET')
      ? { name: 'get', param: decodeURIComponent(m[1]!) }
      : is('DELETE')
        ? { name: 'cancel', param: decodeURIComponent(m[1]!) }
        : { name: 'method_not_allowed' };
  m = /^\/epos\/v1\/payments\/([^/]+)\/reversal$/.exec(p);
  if (m) return is('POST') ? { name: 'reversal', param: decodeURIComponent(m[1]!) } : { name: 'method_not_allowed' };
  if (p === '/pos/v1/terminals') return is('GET') ? { name: 'terminals' } : { name: 'method_not_allowed' };
  if (p === '/pos/v1/terminals/models') return is('GET') ? { name: 'models' } : { name: 'method_not_allowed' };
  if (p === '/pos/v1/terminals/outlets') return is('GET') ? { name: 'outlets' } : { name: 'method_not_allowed' };
  if (p === '/pos/v1/terminals/transactions')
    return is('GET') ? { name: 'transactions' } : { name: 'method_not_allowed' };
  if (p === '/pos/v1/terminals/activation') return is('POST') ? { name: 'activation' } : { name: 'method_not_allowed' };
  m = /^\/pos\/v1\/terminals\/([^/]+)\/transactions$/.exec(p);
  if (m) return is('GET') ? { name: 'transactions', param: decodeURIComponent(m[1]!) } : { name: 'method_not_allowed' };
  m = /^\/pos\/v1\/terminals\/([^/]+)$/.exec(p);
  if (m) return is('GET') ? { name: 'terminal', param: decodeURIComponent(m[1]!) } : { name: 'method_not_allowed' };
  return undefined;
}
