/**
 * Failed register authentications, throttled per peer address (one per listener): after each wrong key or password
 * the peer must wait twice as long as before until it may try again (1 s, 2 s, 4 s … up to a minute), and after
 * `maxFailures` wrong ones in a row it is locked out (15 minutes, doubling with each further lockout up to a day).
 * A try before its time is refused without looking at the secret, so waiting is the only way to guess: 1,000
 * guesses take hours, the 6-digit ZVT password space centuries. A good secret clears the peer's count.
 *
 * The cost: registers that share an address (every process on this computer is 127.0.0.1) share the count, so a
 * program guessing keys locally also delays the real register on loopback until its lockout ends.
 */
import type { Logger } from '../log/logger';
import type { SecurityEventSink } from './events';
import { coreText, said } from '../i18n/say';

export interface ThrottleSettings {
  /** Wrong secrets in a row that lock the peer out. */
  readonly maxFailures: number;
  /** The wait after the first wrong secret; doubled after each further one. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** The first lockout; doubled with each further lockout of the same peer. */
  readonly lockoutMs: number;
  readonly maxLockoutMs: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = {
  maxFailures: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  lockoutMs: 15 * 60_000,
  maxLockoutMs: 24 * 60 * 60_000,
};

export type ThrottleVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: 'throttled' | 'locked_out'; readonly retryAfterMs: number };

interface PeerState {
  failures: number;
  lockouts: number;
  /** No try is looked at before this time (ms since the epoch). */
  notBefore: number;
  lockedUntil: number;
  lastSeen: number;
}

/** How many peers are remembered; the oldest quiet one is forgotten first. */
const MAX_PEERS = 10_000;

export interface AuthThrottleOptions {
  readonly listener: string;
  /** What is being presented, for log lines and events: "key", "password". */
  readonly secret: string;
  readonly log: Logger;
  readonly security?: SecurityEventSink;
  /** Milliseconds since the epoch; tests pass a clock they move by hand. */
  readonly now?: () => number;
  readonly settings?: Partial<ThrottleSettings>;
}

/** The address a peer description names: "tcp 10.0.0.5:51234" → "10.0.0.5"; a device stays as it is. */
export function peerAddress(peer: string): string {
  const m = /^tcp (.*):\d+$/.exec(peer);
  if (!m) return peer;
  const host = m[1]!;
  return host.startsWith('::ffff:') ? host.slice(7) : host;
}

export class AuthThrottle {
  private readonly peers = new Map<string, PeerState>();
  private readonly settings: ThrottleSettings;
  private readonly now: () => number;

  constructor(private readonly o: AuthThrottleOptions) {
    this.settings = { ...DEFAULT_THROTTLE, ...o.settings };
    this.now = o.now ?? Date.now;
  }

  /** Before a secret is looked at: may this peer try now? */
  check(peer: string): ThrottleVerdict {
    const s = this.peers.get(peerAddress(peer));
    if (!s) return { allowed: true };
    const now = this.now();
    s.lastSeen = now;
    if (now < s.lockedUntil) return { allowed: false, reason: 'locked_out', retryAfterMs: s.lockedUntil - now };
    if (now < s.notBefore) return { allowed: false, reason: 'throttled', retryAfterMs: s.notBefore - now };
    return { allowed: true };
  }

  /** A wrong secret: the peer waits longer before its next try, or is locked out. */
  failure(peer: string): ThrottleVerdict {
    const address = peerAddress(peer);
    const now = this.now();
    const s = this.peers.get(address) ?? this.remember(address, now);
    s.lastSeen = now;
    s.failures++;
    const { log, listener, security, secret } = this.o;
    if (s.failures >= this.settings.maxFailures) {
      const lockMs = Math.min(this.settings.lockoutMs * 2 ** s.lockouts, this.settings.maxLockoutMs);
      s.lockouts++;
      s.failures = 0;
      s.lockedUntil = now + lockMs;
      s.notBefore = s.lockedUntil;
      const minutes = Math.ceil(lockMs / 60_000);
      log.warn(
        { listener, peer: address, failures: this.settings.maxFailures, lockoutMinutes: minutes },
        `register locked out after ${this.settings.maxFailures} wrong ${secret}s in a row`,
      );
      security?.record({
        kind: 'auth_lockout',
        listener,
        peer: address,
        ...said(
          'detail',
          coreText(secret === 'key' ? 'security.lockoutKey' : 'security.lockoutPassword', {
            address,
            minutes,
            count: this.settings.maxFailures,
          }),
        ),
      });
      return { allowed: false, reason: 'locked_out', retryAfterMs: lockMs };
    }
    const delay = Math.min(this.settings.baseDelayMs * 2 ** (s.failures - 1), this.settings.maxDelayMs);
    s.notBefore = now + delay;
    // One line and one event for the first failure of a run; the lockout line reports the rest.
    if (s.failures === 1) {
      log.warn({ listener, peer: address }, `wrong register ${secret}`);
      security?.record({
        kind: 'auth_failed',
        listener,
        peer: address,
        ...said('detail', coreText(secret === 'key' ? 'security.wrongKey' : 'security.wrongPassword', { address })),
      });
    }
    return { allowed: false, reason: 'throttled', retryAfterMs: delay };
  }

  /** A good secret: the peer's count starts again. */
  success(peer: string): void {
    const s = this.peers.get(peerAddress(peer));
    if (s) s.failures = 0;
  }

  private remember(address: string, now: number): PeerState {
    if (this.peers.size >= MAX_PEERS) {
      let oldest: string | undefined;
      let oldestSeen = Infinity;
      for (const [a, p] of this.peers) {
        if (p.lockedUntil > now) continue;
        if (p.lastSeen < oldestSeen) {
          oldestSeen = p.lastSeen;
          oldest = a;
        }
      }
      if (oldest !== undefined) this.peers.delete(oldest);
    }
    const s: PeerState = { failures: 0, lockouts: 0, notBefore: 0, lockedUntil: 0, lastSeen: now };
    this.peers.set(address, s);
    return s;
  }
}
