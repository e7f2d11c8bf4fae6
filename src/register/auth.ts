/**
 * What a register must prove on a listener, as the service hands it to the protocol sessions: the native keys
 * (the listener's, and each register's own), and the listener's throttle of failed tries, shared by all its
 * connections (ZVT's password is one of its options).
 */
import type { ListenerConfig } from '../config/schema';
import { resolveSecret, type SecretContext, type SecretRef } from '../config/secrets';
import { BridgeError } from '../domain/errors';
import { said } from '../i18n/say';
import type { Logger } from '../log/logger';
import { AuthThrottle, peerAddress } from '../security/auth-throttle';
import type { SecurityEventSink } from '../security/events';
import { weakKeyReason } from '../security/keys';
import { peerPolicy, type PeerPolicy } from '../security/peers';
import type { RegisterContext } from './protocol';

export interface ListenerAuth {
  /** Failed tries per peer address on this listener. */
  readonly throttle?: AuthThrottle;
  /** Native: the listener's key (any register name may use it, except the names in `registerKeys`). */
  readonly key?: string;
  /** Native: register name → that register's own key. */
  readonly registerKeys?: ReadonlyMap<string, string>;
}

/**
 * The throttle of a listener's failed tries: the one the service made (`ctx.auth.throttle`), else one the listener's
 * protocol keeps for all its connections (a secret set in the listener's options rather than by reference). Call
 * once per protocol, when it is built.
 */
export function listenerThrottle(secret: string): (ctx: RegisterContext) => AuthThrottle {
  let own: AuthThrottle | undefined;
  return (ctx) =>
    ctx.auth?.throttle ??
    (own ??= new AuthThrottle({
      listener: ctx.identity.listener,
      secret,
      log: ctx.log,
      ...(ctx.security ? { security: ctx.security } : {}),
    }));
}

/** How a configured listener authenticates its registers, with every secret resolved (service start). */
export interface ListenerSecurity {
  readonly auth: ListenerAuth;
  /** ZVT: the resolved password. */
  readonly password?: string;
  /** Who may connect; undefined: anyone (the listener's secret decides). */
  readonly peers?: PeerPolicy;
}

/**
 * Resolves a listener's keys and password and builds its throttle and peer rule. A key that resolves to something
 * too weak, or a password that is not 6 digits, is a `config_invalid` error naming the field.
 */
export function listenerSecurity(
  l: ListenerConfig,
  index: number,
  deps: {
    readonly listener: string;
    readonly secrets: SecretContext;
    readonly log: Logger;
    readonly security?: SecurityEventSink;
  },
): ListenerSecurity {
  const key = (ref: SecretRef, field: string): string => {
    const value = resolveSecret(ref, deps.secrets, field);
    const weak = weakKeyReason(value);
    if (weak) throw new BridgeError('config_invalid', `${field} ${weak}`, { field });
    return value;
  };
  const listenerKey = l.token === undefined ? undefined : key(l.token, `listeners[${index}].token`);
  const registerKeys = l.registers
    ? new Map(l.registers.map((r, j) => [r.name, key(r.key, `listeners[${index}].registers[${j}].key`)] as const))
    : undefined;
  let password: string | undefined;
  if (l.password !== undefined) {
    const field = `listeners[${index}].password`;
    password = resolveSecret(l.password, deps.secrets, field);
    if (!/^[0-9]{6}$/.test(password)) throw new BridgeError('config_invalid', `${field} must be 6 digits`, { field });
  }
  const authenticated = listenerKey !== undefined || registerKeys !== undefined || password !== undefined;
  const throttle = authenticated
    ? new AuthThrottle({
        listener: deps.listener,
        secret: password !== undefined ? 'password' : 'key',
        log: deps.log,
        ...(deps.security ? { security: deps.security } : {}),
      })
    : undefined;
  const peers = l.transport.type === 'tcp' ? peerPolicy(l.peers, authenticated) : undefined;
  return {
    auth: {
      ...(throttle ? { throttle } : {}),
      ...(listenerKey !== undefined ? { key: listenerKey } : {}),
      ...(registerKeys ? { registerKeys } : {}),
    },
    ...(password !== undefined ? { password } : {}),
    ...(peers ? { peers } : {}),
  };
}

/** Refuses a peer the listener does not take: closed at once, one log line and one event per address a minute. */
export function peerGate(deps: {
  readonly listener: string;
  readonly peers: PeerPolicy | undefined;
  readonly log: Logger;
  readonly security?: SecurityEventSink;
  readonly now?: () => number;
}): (peer: string) => boolean {
  const lastReported = new Map<string, number>();
  const now = deps.now ?? Date.now;
  return (peer) => {
    if (!deps.peers || deps.peers.allows(peer)) return true;
    const address = peerAddress(peer);
    const t = now();
    if ((lastReported.get(address) ?? -Infinity) <= t - 60_000) {
      if (lastReported.size > 1000) lastReported.clear();
      lastReported.set(address, t);
      deps.log.warn(
        { listener: deps.listener, peer: address, rule: deps.peers.description },
        "connection refused: the peer is not on the listener's list",
      );
      deps.security?.record({
        kind: 'peer_refused',
        listener: deps.listener,
        peer: address,
        ...said('detail', deps.peers.refusal(address)),
      });
    }
    return false;
  };
}
