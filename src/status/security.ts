/**
 * Security of the status server: the headers every answer carries (a strict Content-Security-Policy without
 * inline script or style) and the rule that anything beyond loopback must present the configured token.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { isIP } from 'node:net';

/** Host header values we are willing to repeat inside the CSP (host or host:port, IPv6 in brackets). */
const SAFE_HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

/**
 * The page's policy: everything from this server only, no inline script or style, no plugins, no framing.
 * `connect-src` names the WebSocket endpoint explicitly (ws://host:port of the request) next to 'self'.
 */
export function contentSecurityPolicy(wsHost: string | undefined): string {
  const ws = wsHost && SAFE_HOST.test(wsHost) ? ` ws://${wsHost}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${ws}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers on every answer of the status server, pages and API alike. */
export function securityHeaders(hostHeader: string | undefined): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(hostHeader),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=(), bluetooth=()',
    'Cache-Control': 'no-store',
  };
}

/** True for a loopback peer address (127.0.0.0/8, ::1, and IPv4-mapped loopback ::ffff:127.x.x.x). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(a) === 4) return a.startsWith('127.');
  return a === '::1';
}

export interface AuthRequest {
  /** The peer's address as the socket reports it. */
  readonly remoteAddress: string | undefined;
  /** The Authorization header, if any. */
  readonly authorization?: string | undefined;
  /** `?token=` of the URL (WebSocket upgrades cannot set headers from a browser). */
  readonly queryToken?: string | null | undefined;
}

export type AuthDecision =
  { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403; readonly detail: string };

/**
 * Loopback peers are trusted; every other peer needs the token (Bearer header, or ?token= for the WebSocket).
 * Without a configured token, nothing beyond loopback is let in at all.
 */
export function authorize(req: AuthRequest, token: string | undefined): AuthDecision {
  if (isLoopbackAddress(req.remoteAddress)) return { ok: true };
  if (!token)
    return {
      ok: false,
      status: 403,
      detail: 'The status page is only available on this computer: no access token is configured for the network',
    };
  const bearer = /^Bearer\s+(.+)$/i.exec(req.authorization ?? '')?.[1]?.trim();
  const given = bearer ?? req.queryToken ?? undefined;
  if (!given)
    return {
      ok: false,
      status: 401,
      detail: 'An access token is needed from beyond this computer (Authorization: Bearer <token>)',
    };
  if (!sameSecret(given, token)) return { ok: false, status: 401, detail: 'The access token is not correct' };
  return { ok: true };
}

/** Constant-time comparison (hashing first so lengths do not leak either). */
function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Protection against other web sites the operator's browser visits: a page on another origin (or a DNS name
 * rebound to 127.0.0.1) must not drive the status API. The Host header must name this computer by an IP
 * address, `localhost` or the configured host name, and an Origin header, when sent, must be the same origin.
 */
export function sameOriginRequest(
  hostHeader: string | undefined,
  origin: string | undefined,
  configuredHost: string,
): { ok: true } | { ok: false; detail: string } {
  if (!hostHeader || !SAFE_HOST.test(hostHeader)) return { ok: false, detail: 'The request has no usable Host header' };
  const hostname = hostHeader
    .replace(/:[0-9]+$/, '')
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  const named = hostname === 'localhost' || isIP(hostname) !== 0 || hostname === configuredHost.toLowerCase();
  if (!named) return { ok: false, detail: `The status server answers only to its address, not to "${hostname}"` };
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return { ok: false, detail: 'The Origin header is not a URL' };
    }
    if (originHost.toLowerCase() !== hostHeader.toLowerCase())
      return { ok: false, detail: 'Requests from other web sites are refused' };
  } else if (origin === 'null') {
    return { ok: false, detail: 'Requests from other web sites are refused' };
  }
  return { ok: true };
}
