/**
 * One error type for everything the bridge refuses. `code` is a stable snake_case token that every
 * register protocol maps to its own native error form (NDJSON error object, ZVT result code, ProblemDetails).
 */
export type ErrorCode =
  | 'bad_json'
  | 'bad_request'
  | 'unknown_op'
  | 'invalid_amount'
  | 'invalid_ref'
  | 'unknown_currency'
  | 'currency_mismatch'
  | 'ref_conflict'
  | 'unknown_ref'
  | 'unknown_terminal'
  | 'terminal_busy'
  | 'terminal_offline'
  | 'terminal_error'
  | 'not_reversible'
  | 'not_cancellable'
  | 'receipt_unavailable'
  | 'line_too_long'
  | 'unauthorized'
  /** Too many wrong keys or passwords from this peer: try again later (or it is locked out). */
  | 'throttled'
  /** The listener's money-out policy does not allow this operation. */
  | 'not_allowed'
  /** Over the listener's per-transaction or per-day limit for refunds and reversals. */
  | 'limit_exceeded'
  /** Held for an operator's confirmation and refused by the operator (or not confirmed in time). */
  | 'refused_by_operator'
  | 'unsupported'
  | 'config_invalid'
  | 'internal';

export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.details = details;
  }
}

export function isBridgeError(e: unknown): e is BridgeError {
  return e instanceof BridgeError;
}

/** Any thrown value as a BridgeError, so that no caller ever has to render an unknown exception. */
export function asBridgeError(e: unknown): BridgeError {
  if (e instanceof BridgeError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new BridgeError('internal', message);
}
