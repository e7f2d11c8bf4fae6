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
