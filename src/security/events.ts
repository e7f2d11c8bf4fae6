/**
 * Security events: what an operator must be able to read after the fact — a foreign protocol refused at a
 * register port, a failed or throttled register authentication, a lockout, a money-out operation refused or held
 * by the listener's policy, a flood of bad frames. They are kept apart from the rotating log (a flood must never
 * rotate them away) and shown on the status page.
 */
import type { CoreMessage } from '../i18n/core-text';

export type SecurityEventKind =
  /** An HTTP request, TLS handshake or WebSocket/HTTP2 preface reached a register port and was closed. */
  | 'foreign_protocol'
  /** A register presented a wrong key or password. */
  | 'auth_failed'
  /** A peer was locked out after repeated failed authentications. */
  | 'auth_lockout'
  /** A peer that is not on the listener's allowlist connected. */
  | 'peer_refused'
  /** A listener's money-out policy refused an operation (not allowed, over a limit). */
  | 'policy_refused'
  /** An operation waits for, or received, an operator's confirmation. */
  | 'policy_held'
  /** Many bad frames from one connection (summarised, rate-limited). */
  | 'flood'
  /** A listener refused a connection over its connection limit, or closed an idle one. */
  | 'connection_limit'
  /** A settings change that touches security (gateway address, secrets, listener exposure). */
  | 'settings';

export interface SecurityEvent {
  readonly kind: SecurityEventKind;
  /** ISO 8601 time the bridge saw it. */
  readonly at: string;
  /** Listener id, when the event came through one. */
  readonly listener?: string;
  /** Who: "tcp 127.0.0.1:53122", a serial device. */
  readonly peer?: string;
  /** One line for the operator, in English words (no secret, no card data). */
  readonly detail: string;
  /** The same as codes of the catalogue, which the status page writes in its own language. */
  readonly detailCode?: CoreMessage;
}

/** Where security events go: the service owns one and hands it to listeners, the bridge and the status server. */
export interface SecurityEventSink {
  record(event: Omit<SecurityEvent, 'at'> & { readonly at?: string }): void;
}
