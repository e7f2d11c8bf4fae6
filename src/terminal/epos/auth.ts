/**
 * Token and session caches (spec §4.4).
 *
 * - One bearer token per **integration** (gateway URL + Partner Client ID), shared by every merchant and terminal
 *   of that integration; refreshed 60 s before expiry.
 * - One session per **merchant** (integration + Merchant Client ID), shared by that merchant's terminals;
 *   refreshed 30 s before expiry, using the `expires_in` the gateway returned.
 * - Refreshes are lazy (before a call, when inside the margin) and serialised: one in flight per credential.
 * - After a 401 the caller drops the exact values it used (`invalidate(value)`), so a burst of concurrent 401s
 *   still causes one refresh.
 */
import { createHash } from 'node:crypto';

export const TOKEN_REFRESH_MARGIN_MS = 60_000;
export const SESSION_REFRESH_MARGIN_MS = 30_000;

export interface Issued {
  readonly value: string;
  /** Lifetime from the gateway's `expires_in`, in seconds. */
  readonly expiresInSeconds: number;
}

/** A credential that expires; `get` returns a value valid for at least `marginMs` more. */
export class ExpiringCredential {
  private current: { value: string; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  /** How many times a new value was requested (for diagnostics and tests). */
  issued = 0;

  constructor(private readonly marginMs: number) {}

  async get(now: () => number, issue: () => Promise<Issued>): Promise<string> {
    const c = this.current;
    if (c && now() < c.expiresAt - this.marginMs) return c.value;
    if (this.inflight) return this.inflight;
    const startedAt = now();
    const p = (async () => {
      try {
        const got = await issue();
        this.issued++;
        // Counted from when the request was sent: the gateway's clock started no earlier.
        this.current = { value: got.value, expiresAt: startedAt + Math.max(0, got.expiresInSeconds) * 1000 };
        return got.value;
      } finally {
        this.inflight = undefined;
      }
    })();
    this.inflight = p;
    return p;
  }

  /** Drops the cached value if it is still `value` (or unconditionally without an argument). */
  invalidate(value?: string): void {
    if (value === undefined || this.current?.value === value) this.current = undefined;
  }

  /** The current value if one is cached (expired or not). */
  peek(): string | undefined {
    return this.current?.value;
  }
}

function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

/**
 * Where tokens and sessions live. The default registry is process-wide so that every ePOS terminal of one
 * integration shares its token; tests create their own.
 */
export class AuthRegistry {
  private readonly tokens = new Map<string, ExpiringCredential>();
  private readonly sessions = new Map<string, ExpiringCredential>();

  /** The secret is part of the key (as a hash) so that a corrected secret does not reuse a cache of a wrong one. */
  token(baseUrl: string, partnerClientId: string, partnerSecret: string): ExpiringCredential {
    const key = `${baseUrl}\n${partnerClientId}\n${fingerprint(partnerSecret)}`;
    let t = this.tokens.get(key);
    if (!t) this.tokens.set(key, (t = new ExpiringCredential(TOKEN_REFRESH_MARGIN_MS)));
    return t;
  }

  session(tokenCache: ExpiringCredential, merchantClientId: string, merchantSecret: string): ExpiringCredential {
    let id = this.ids.get(tokenCache);
    if (id === undefined) this.ids.set(tokenCache, (id = this.ids.size));
    const key = `${id}\n${merchantClientId}\n${fingerprint(merchantSecret)}`;
    let s = this.sessions.get(key);
    if (!s) this.sessions.set(key, (s = new ExpiringCredential(SESSION_REFRESH_MARGIN_MS)));
    return s;
  }

  private readonly ids = new Map<ExpiringCredential, number>();
}

export const defaultAuthRegistry = new AuthRegistry();
