/**
 * Errors of the myPOS API Gateway, turned into one typed error with a clear message (spec §5 "Errors").
 * The gateway answers RFC 7807 ProblemDetails `{type, title, status, detail?, instance?, errors?}`; a 500 may carry a
 * bare serializer message instead. Nothing here ever carries a secret, a token or a session id.
 */

/** What kind of failure, independent of the HTTP details. */
export type EposErrorCode =
  | 'bad_request' // 400: validation, wrong merchant credentials at session creation (§4.4)
  | 'unauthorized' // 401: missing/invalid/expired token or session, or wrong partner credentials
  | 'forbidden' // 403: authenticated but not permitted (§10)
  | 'not_found' // 404
  | 'conflict' // 409
  | 'unsupported_media' // 415
  | 'rate_limited' // 429
  | 'server' // 5xx
  | 'http' // any other unexpected status
  | 'network' // connection refused, reset, closed before an answer
  | 'timeout' // no answer within the HTTP timeout
  | 'bad_response'; // an answer we cannot read (not JSON, missing fields)

export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: Record<string, string[]>;
}

export interface EposErrorInit {
  code: EposErrorCode;
  /** HTTP status, 0 when no answer arrived. */
  status: number;
  method: string;
  /** Path only, never the query (which carries nothing secret, but keeps messages short). */
  path: string;
  title?: string;
  detail?: string;
  fieldErrors?: Record<string, string[]>;
  /** From `Retry-After` on 429/503, in milliseconds. */
  retryAfterMs?: number;
  /** Overrides the generated message (e.g. the 403 configuration explanation). */
  message?: string;
  cause?: unknown;
}

export class EposError extends Error {
  readonly code: EposErrorCode;
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly fieldErrors: Record<string, string[]> | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(init: EposErrorInit) {
    super(init.message ?? describe(init), init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'EposError';
    this.code = init.code;
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.title = init.title;
    this.detail = init.detail;
    this.fieldErrors = init.fieldErrors;
    this.retryAfterMs = init.retryAfterMs;
  }

  /**
   * True when the request may have reached the gateway and been acted on although no usable answer came back
   * (timeout, connection lost, 5xx). For a payment creation this means: reconcile before sending again (§9.3).
   */
  get mayHaveBeenProcessed(): boolean {
    return this.code === 'network' || this.code === 'timeout' || this.code === 'server' || this.code === 'bad_response';
  }

  /** A transient failure worth another attempt for an idempotent call. */
  get transient(): boolean {
    return this.mayHaveBeenProcessed || this.code === 'rate_limited';
  }
}

export function isEposError(e: unknown): e is EposError {
  return e instanceof EposError;
}

/** The error code for an HTTP status. */
export function codeForStatus(status: number): EposErrorCode {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 415:
      return 'unsupported_media';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'server' : 'http';
  }
}

/** Reads a ProblemDetails body leniently; a bare text body (e.g. a 500 serializer message) becomes `detail`. */
/** A field error as text; an object (`{"toString": ""}` is valid JSON) is shown as JSON, never converted by String(). */
function messageText(m: unknown): string {
  if (m !== null && typeof m === 'object') {
    try {
      return JSON.stringify(m) ?? '';
    } catch {
      return '';
    }
  }
  return String(m);
}

export function parseProblem(body: unknown, text: string): ProblemDetails {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const p: ProblemDetails = {};
    if (typeof b.type === 'string') p.type = b.type;
    if (typeof b.title === 'string') p.title = b.title;
    if (typeof b.status === 'number') p.status = b.status;
    if (typeof b.detail === 'string') p.detail = b.detail;
    if (typeof b.instance === 'string') p.instance = b.instance;
    if (b.errors && typeof b.errors === 'object' && !Array.isArray(b.errors)) {
      const errors: Record<string, string[]> = {};
      for (const [field, messages] of Object.entries(b.errors as Record<string, unknown>)) {
        if (Array.isArray(messages)) errors[field] = messages.map(messageText);
        else if (typeof messages === 'string') errors[field] = [messages];
      }
      if (Object.keys(errors).length > 0) p.errors = errors;
    }
    // Some gateways answer `{"message": "..."}` instead of ProblemDetails.
    if (p.detail === undefined && typeof b.message === 'string') p.detail = b.message;
    return p;
  }
  const trimmed = text.trim();
  return trimmed ? { detail: trimmed.slice(0, 300) } : {};
}

function describe(init: EposErrorInit): string {
  const where = `${init.method} ${init.path}`;
  if (init.code === 'timeout') return `myPOS gateway did not answer ${where} in time`;
  if (init.code === 'network') {
    const why = init.cause instanceof Error ? causeText(init.cause) : '';
    return `could not reach the myPOS gateway for ${where}${why ? ` (${why})` : ''}`;
  }
  const head = `myPOS gateway answered ${where} with ${init.status}${init.title ? ` ${init.title}` : ''}`;
  const parts = [head];
  if (init.detail) parts.push(init.detail);
  if (init.fieldErrors) {
    const fields = Object.entries(init.fieldErrors).map(([f, m]) => `${f}: ${m.join(', ')}`);
    if (fields.length) parts.push(fields.join('; '));
  }
  if (init.retryAfterMs !== undefined) parts.push(`retry after ${Math.ceil(init.retryAfterMs / 1000)} s`);
  return parts.join(': ');
}

function causeText(e: Error): string {
  const inner = (e as { cause?: unknown }).cause;
  if (inner instanceof Error) {
    const code = (inner as { code?: unknown }).code;
    return typeof code === 'string' ? code : inner.message;
  }
  return e.message;
}

/** Explanations for a 403, shown to operators (spec §10, §12.5). */
export const FORBIDDEN_CAUSES = [
  'the terminal is not paired for ePOS: on the terminal, POSLink Manager must run with Pair Type "EPOS"',
  'Cash Register mode / the ePOS permission is not enabled for this terminal or integration: ask myPOS support ' +
    '(integrations@mypos.com, quoting the Partner ID and Application ID)',
  'the integration was created with a type that does not grant ePOS (we use "Cash Register")',
] as const;

export function forbiddenMessage(method: string, path: string, terminalId?: string): string {
  const who = terminalId ? `terminal ${terminalId}` : 'this request';
  return (
    `myPOS gateway refused ${method} ${path} with 403 Forbidden: the credentials are valid but ${who} is not ` +
    `enabled for ePOS. Known causes: ${FORBIDDEN_CAUSES.map((c, i) => `(${i + 1}) ${c}`).join('; ')}. ` +
    'This is a configuration problem on the myPOS side; retrying does not help.'
  );
}
