/**
 * Client of the myPOS API Gateway (spec §4–§8), written directly against the HTTP API.
 *
 * - Token: form-encoded `POST /api/v1/oauth/token` (§4.1), cached per integration, refreshed 60 s early.
 * - Session: JSON `POST /api/v1/auth/session` (§4.2), cached per merchant, refreshed 30 s early.
 * - Every API call carries the four headers plus Accept/Content-Type (§4.3); a 415 switches once to
 *   `application/json; x-api-version=1`.
 * - 401 → renew token and session together, retry once; a second 401 is fatal for that call (§4.4).
 * - 403 → renew the session once, then a configuration error naming the known causes (§4.4, §10).
 * - Idempotent calls (GET, DELETE, and the token/session requests, which change nothing at the gateway) are
 *   retried a bounded number of times with back-off on timeouts, network errors, 5xx and 429 (`Retry-After`
 *   honoured). Payment creation, reversal and refund are **never** retried here: a lost answer is resolved by the
 *   driver through reconciliation (§9.3).
 */
import pRetry from 'p-retry';
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import { AuthRegistry, defaultAuthRegistry, type ExpiringCredential } from './auth';
import { systemClock, type Clock } from './clock';
import { EposError, forbiddenMessage, isEposError } from './errors';
import { errorFromAnswer, send, type FetchLike, type HttpAnswer, type HttpRequest } from './http';
import {
  parseCancelAnswer,
  parsePayment,
  parsePaymentPage,
  parseTerminalDetails,
  parseTerminalPage,
  parseTransactions,
  parseTransactionPage,
  WireError,
  type EposPayment,
  type EposPaymentPage,
  type TerminalDetails,
  type TerminalPage,
  type TerminalTransaction,
  type TerminalTransactionPage,
} from './wire';

export const PLAIN_JSON = 'application/json';
/** Sent by two integrators' clients (§4.3); our fallback after a 415. */
export const VERSIONED_JSON = 'application/json; x-api-version=1';

export interface EposCredentials {
  readonly partnerId: string;
  readonly applicationId: string;
  readonly partnerClientId: string;
  readonly partnerSecret: string;
  readonly merchantClientId: string;
  readonly merchantSecret: string;
  /** Only when configured for the integration: an unlisted scope is rejected (§4.1). */
  readonly scope?: string;
}

export interface EposClientOptions extends EposCredentials {
  readonly baseUrl: string;
  readonly clock?: Clock;
  /** HTTP timeout per request; default 15 s (§5). */
  readonly timeoutMs?: number;
  /** Retries for idempotent calls (attempts = retries + 1); default 2. */
  readonly retries?: number;
  /** First back-off delay; doubled per retry up to `maxBackoffMs`. Defaults 500 ms and 8 s. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A `Retry-After` longer than this is not waited out inside one call; default 60 s. */
  readonly maxRetryAfterMs?: number;
  /** Media type to start with; default plain `application/json` (§4.3). */
  readonly mediaType?: 'plain' | 'versioned';
  readonly auth?: AuthRegistry;
  readonly log?: Logger;
  readonly fetch?: FetchLike;
}

/** Body of `POST /epos/v1/payments` (§6.1), wire names. */
export interface CreatePaymentBody {
  terminal_id: string;
  amount: { value: number; currency_code: string; tip?: number };
  app_name: string;
  app_version: string;
  reference_number?: string;
  description?: string;
  operator_code?: string;
}

/** Body of `POST /epos/v1/payments/{id}/reversal` (§6.5). */
export interface ReversalBody {
  terminal_id: string;
  app_name: string;
  app_version: string;
  description?: string;
}

/** Body of `POST /epos/v1/payments/refund` (§6.6). `reference_number` is not in the reported body (opt-in). */
export interface RefundBody {
  terminal_id: string;
  amount: { value: number; currency_code: string };
  app_name: string;
  app_version: string;
  description?: string;
  reference_number?: string;
}

interface ApiCall {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly query?: HttpRequest['query'];
  /** JSON body; every POST sends one (`{}` when the endpoint takes none, §4.3). */
  readonly body?: unknown;
  readonly idempotent: boolean;
  /** For the 403 message. */
  readonly terminalId?: string;
}

export class EposGatewayClient {
  readonly baseUrl: string;
  private readonly creds: EposCredentials;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRetryAfterMs: number;
  private mediaType: string;
  private readonly tokenCache: ExpiringCredential;
  private readonly sessionCache: ExpiringCredential;
  private readonly log: Logger;
  private readonly fetchImpl: FetchLike;

  constructor(options: EposClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.creds = options;
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.retries = options.retries ?? 2;
    this.backoffMs = options.backoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 8_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.mediaType = options.mediaType === 'versioned' ? VERSIONED_JSON : PLAIN_JSON;
    const registry = options.auth ?? defaultAuthRegistry;
    this.tokenCache = registry.token(this.baseUrl, options.partnerClientId, options.partnerSecret);
    this.sessionCache = registry.session(this.tokenCache, options.merchantClientId, options.merchantSecret);
    this.log = options.log ?? silentLogger();
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The media type in use (plain, or versioned after a 415). */
  get currentMediaType(): string {
    return this.mediaType;
  }

  // ---------------------------------------------------------------- ePOS payments (§6)

  /** §6.1 — never retried: a lost answer is reconciled by `reference_number` (§9.3). */
  async createPayment(body: CreatePaymentBody): Promise<EposPayment> {
    const a = await this.call({
      method: 'POST',
      path: '/epos/v1/payments',
      body,
      idempotent: false,
      terminalId: body.terminal_id,
    });
    return this.read('POST', '/epos/v1/payments', () => parsePayment(a.json));
  }

  /** §6.2 */
  async getPayment(paymentId: string): Promise<EposPayment> {
    const path = `/epos/v1/payments/${encodeURIComponent(paymentId)}`;
    const a = await this.call({ method: 'GET', path, idempotent: true });
    return this.read('GET', path, () => parsePayment(a.json));
  }

  /** §6.3 — `size` 1–100. */
  async listPayments(terminalId: string, page = 1, size = 100): Promise<EposPaymentPage> {
    const path = '/epos/v1/payments';
    const a = await this.call({
      method: 'GET',
      path,
      query: { terminal_id: terminalId, page, size },
      idempotent: true,
      terminalId,
    });
    return this.read('GET', path, () => parsePaymentPage(a.json, page));
  }

  /** §6.4 — DELETE without a body; 202 `{id}` or `{request_id, status}`. Idempotent, so retried. */
  async cancelPayment(paymentId: string): Promise<{ id?: string; status?: string }> {
    const path = `/epos/v1/payments/${encodeURIComponent(paymentId)}`;
    const a = await this.call({ method: 'DELETE', path, idempotent: true });
    return parseCancelAnswer(a.json);
  }

  /** §6.5 — never retried here. */
  async reversePayment(paymentId: string, body: ReversalBody): Promise<EposPayment> {
    const path = `/epos/v1/payments/${encodeURIComponent(paymentId)}/reversal`;
    const a = await this.call({ method: 'POST', path, body, idempotent: false, terminalId: body.terminal_id });
    return this.read('POST', path, () => parsePayment(a.json));
  }

  /** §6.6 — unreferenced refund on the terminal (card presented); never retried here. */
  async refund(body: RefundBody): Promise<EposPayment> {
    const path = '/epos/v1/payments/refund';
    const a = await this.call({ method: 'POST', path, body, idempotent: false, terminalId: body.terminal_id });
    return this.read('POST', path, () => parsePayment(a.json));
  }

  // ---------------------------------------------------------------- /pos/v1 terminals (§8)

  async listTerminals(page = 1, size = 100, filters: { terminal_id?: string } = {}): Promise<TerminalPage> {
    const path = '/pos/v1/terminals';
    const a = await this.call({ method: 'GET', path, query: { page, size, ...filters }, idempotent: true });
    return this.read('GET', path, () => parseTerminalPage(a.json));
  }

  async getTerminal(terminalId: string): Promise<TerminalDetails> {
    const path = `/pos/v1/terminals/${encodeURIComponent(terminalId)}`;
    const a = await this.call({ method: 'GET', path, idempotent: true, terminalId });
    return this.read('GET', path, () => parseTerminalDetails(a.json));
  }

  /** Settled transactions of one terminal (§8, §9.9); amounts are decimal major units. */
  async listTerminalTransactions(
    terminalId: string,
    filters: { reference_number?: string; date_from?: string; date_to?: string; stan?: string } = {},
  ): Promise<TerminalTransaction[]> {
    const path = `/pos/v1/terminals/${encodeURIComponent(terminalId)}/transactions`;
    const a = await this.call({ method: 'GET', path, query: filters, idempotent: true, terminalId });
    return this.read('GET', path, () => parseTransactions(a.json));
  }

  /** One page of a terminal's transactions between two dates (`YYYY-MM-DD`), for reconciliation (§8); `size` 1–100. */
  async listTerminalTransactionsPage(
    terminalId: string,
    filters: { date_from?: string; date_to?: string; page?: number; size?: number } = {},
  ): Promise<TerminalTransactionPage> {
    const path = `/pos/v1/terminals/${encodeURIComponent(terminalId)}/transactions`;
    const page = filters.page ?? 1;
    const a = await this.call({
      method: 'GET',
      path,
      query: { ...filters, page, size: filters.size ?? 100 },
      idempotent: true,
      terminalId,
    });
    return this.read('GET', path, () => parseTransactionPage(a.json, page));
  }

  // ---------------------------------------------------------------- authentication (§4)

  /** A valid bearer token (cached, shared by the integration). */
  async token(): Promise<string> {
    return this.tokenCache.get(
      () => this.clock.now(),
      () => this.retrying(() => this.requestToken()),
    );
  }

  /** A valid session for this merchant (cached), created with `token` when a new one is needed. */
  async session(token?: string): Promise<string> {
    if (token !== undefined) return this.sessionFor(token);
    return (await this.credentials()).session;
  }

  /**
   * Token and session for a call. A 401 while getting them (a token revoked between the two requests, or a
   * passing failure at the token endpoint) renews both once more (§4.4); a second 401 is final.
   */
  async credentials(): Promise<{ token: string; session: string }> {
    for (let renewed = false; ; renewed = true) {
      try {
        const token = await this.token();
        const session = await this.sessionFor(token);
        return { token, session };
      } catch (e) {
        if (renewed || !isEposError(e) || e.status !== 401) throw e;
        this.invalidate();
      }
    }
  }

  private sessionFor(token: string): Promise<string> {
    return this.sessionCache.get(
      () => this.clock.now(),
      () => this.retrying(() => this.requestSession(token)),
    );
  }

  /** Drops cached credentials (after a 401, or on demand). */
  invalidate(token?: string, session?: string): void {
    this.tokenCache.invalidate(token);
    this.sessionCache.invalidate(session);
  }

  /** §4.1: form-encoded, no Basic auth. */
  private async requestToken(): Promise<{ value: string; expiresInSeconds: number }> {
    const path = '/api/v1/oauth/token';
    const form = new URLSearchParams({
      client_id: this.creds.partnerClientId,
      client_secret: this.creds.partnerSecret,
      grant_type: 'client_credentials',
    });
    if (this.creds.scope) form.set('scope', this.creds.scope);
    const a = await send(
      this.baseUrl,
      {
        method: 'POST',
        path,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
      },
      this.timeoutMs,
      this.fetchImpl,
    );
    this.log.debug({ method: 'POST', path, status: a.status }, 'epos token request');
    if (a.status < 200 || a.status >= 300) {
      const e = errorFromAnswer('POST', path, a, this.clock.now());
      if (e.code === 'unauthorized' || e.code === 'bad_request') {
        throw new EposError({
          code: 'unauthorized',
          status: e.status,
          method: 'POST',
          path,
          ...(e.title ? { title: e.title } : {}),
          ...(e.detail ? { detail: e.detail } : {}),
          message:
            `myPOS refused the partner credentials (Partner Client ID / Partner Secret) with ${e.status}` +
            `${e.detail ? `: ${e.detail.replace(/\.+$/, '')}` : ''}. Check that they were generated for this integration in the Partner ` +
            'Portal and belong to the selected environment: Demo credentials only work against the demo gateway, ' +
            'Live credentials only against the live one.',
        });
      }
      throw e;
    }
    const body = a.json as Record<string, unknown> | undefined;
    const value = body?.access_token;
    if (typeof value !== 'string' || value.length === 0) {
      throw new EposError({
        code: 'bad_response',
        status: a.status,
        method: 'POST',
        path,
        message: 'myPOS token answer has no access_token',
      });
    }
    return { value, expiresInSeconds: typeof body?.expires_in === 'number' ? body.expires_in : 3600 };
  }

  /** §4.2: JSON `{client_id, client_secret}` with the bearer; answer `{session, expires_in}`. */
  private async requestSession(token: string): Promise<{ value: string; expiresInSeconds: number }> {
    const path = '/api/v1/auth/session';
    const a = await send(
      this.baseUrl,
      {
        method: 'POST',
        path,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': this.mediaType, Accept: this.mediaType },
        body: JSON.stringify({ client_id: this.creds.merchantClientId, client_secret: this.creds.merchantSecret }),
      },
      this.timeoutMs,
      this.fetchImpl,
    );
    this.log.debug({ method: 'POST', path, status: a.status }, 'epos session request');
    if (a.status === 415 && this.mediaType === PLAIN_JSON) {
      this.mediaType = VERSIONED_JSON;
      return this.requestSession(token);
    }
    if (a.status < 200 || a.status >= 300) {
      const e = errorFromAnswer('POST', path, a, this.clock.now());
      if (e.code === 'bad_request') {
        throw new EposError({
          code: 'bad_request',
          status: e.status,
          method: 'POST',
          path,
          ...(e.title ? { title: e.title } : {}),
          ...(e.detail ? { detail: e.detail } : {}),
          ...(e.fieldErrors ? { fieldErrors: e.fieldErrors } : {}),
          message:
            `myPOS refused the merchant credentials (Merchant Client ID / Merchant Client Secret) with 400` +
            `${e.detail ? `: ${e.detail.replace(/\.+$/, '')}` : ''}. Use the pair generated in the Partner Portal's Merchants tab for ` +
            "this merchant (cli_… / sec_…); the merchant's own myPOS account REST API credentials do not work here. " +
            'Demo and Live credentials are separate.',
        });
      }
      throw e;
    }
    const body = a.json as Record<string, unknown> | undefined;
    const value = body?.session;
    if (typeof value !== 'string' || value.length === 0) {
      throw new EposError({
        code: 'bad_response',
        status: a.status,
        method: 'POST',
        path,
        message: 'myPOS session answer has no session',
      });
    }
    // Observed 300 and 360 (§4.2): always use the returned value.
    return { value, expiresInSeconds: typeof body?.expires_in === 'number' ? body.expires_in : 300 };
  }

  // ---------------------------------------------------------------- the call pipeline

  private async call(op: ApiCall): Promise<HttpAnswer> {
    return op.idempotent ? this.retrying(() => this.authorised(op)) : this.authorised(op);
  }

  /** One logical call with the 401 / 403 / 415 rules of §4.3–§4.4 (each applied at most once). */
  private async authorised(op: ApiCall): Promise<HttpAnswer> {
    let renewedAfter401 = false;
    let renewedAfter403 = false;
    let switchedMedia = false;
    for (;;) {
      const { token, session } = await this.credentials();
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        'X-Session': session,
        'X-Partner-Id': this.creds.partnerId,
        'X-Application-Id': this.creds.applicationId,
        Accept: this.mediaType,
      };
      // Every POST carries a body and a Content-Type (§4.3): `{}` when the endpoint takes none.
      let body: string | undefined;
      if (op.method === 'POST' || op.body !== undefined) {
        headers['Content-Type'] = this.mediaType;
        body = JSON.stringify(op.body ?? {});
      }
      const a = await send(
        this.baseUrl,
        {
          method: op.method,
          path: op.path,
          ...(op.query ? { query: op.query } : {}),
          headers,
          ...(body !== undefined ? { body } : {}),
        },
        this.timeoutMs,
        this.fetchImpl,
      );
      this.log.debug({ method: op.method, path: op.path, status: a.status }, 'epos call');
      if (a.status >= 200 && a.status < 300) return a;
      if (a.status === 401 && !renewedAfter401) {
        // §4.4: renew token and session together, retry once. The request was not processed, so this is safe
        // even for a payment creation.
        renewedAfter401 = true;
        this.invalidate(token, session);
        continue;
      }
      if (a.status === 403 && !renewedAfter403) {
        renewedAfter403 = true;
        this.sessionCache.invalidate(session);
        continue;
      }
      if (a.status === 415 && !switchedMedia && this.mediaType === PLAIN_JSON) {
        switchedMedia = true;
        this.mediaType = VERSIONED_JSON;
        this.log.info({ path: op.path }, 'myPOS gateway answered 415; switching to application/json; x-api-version=1');
        continue;
      }
      if (a.status === 403) {
        const e = errorFromAnswer(op.method, op.path, a, this.clock.now());
        throw new EposError({
          code: 'forbidden',
          status: 403,
          method: op.method,
          path: op.path,
          ...(e.title ? { title: e.title } : {}),
          ...(e.detail ? { detail: e.detail } : {}),
          message: forbiddenMessage(op.method, op.path, op.terminalId),
        });
      }
      throw errorFromAnswer(op.method, op.path, a, this.clock.now());
    }
  }

  /** Bounded retries with back-off (p-retry) for calls that are safe to repeat; sleeps through the injected clock. */
  private retrying<T>(fn: () => Promise<T>): Promise<T> {
    return pRetry(fn, {
      retries: this.retries,
      // p-retry's own timer is disabled: the delay is slept in `shouldRetry` through the injected clock.
      minTimeout: 0,
      maxTimeout: 0,
      shouldRetry: async ({ error, retriesConsumed }) => {
        if (!isEposError(error) || !error.transient) return false;
        let delay = Math.min(this.backoffMs * 2 ** retriesConsumed, this.maxBackoffMs);
        if (error.retryAfterMs !== undefined) {
          if (error.retryAfterMs > this.maxRetryAfterMs) return false;
          delay = error.retryAfterMs;
        }
        this.log.debug({ method: error.method, path: error.path, code: error.code, delay }, 'epos retry');
        await this.clock.sleep(delay);
        return true;
      },
    });
  }

  private read<T>(method: string, path: string, parse: () => T): T {
    try {
      return parse();
    } catch (e) {
      if (e instanceof WireError) {
        throw new EposError({
          code: 'bad_response',
          status: 200,
          method,
          path,
          message: `unreadable myPOS answer to ${method} ${path}: ${e.message}`,
          cause: e,
        });
      }
      throw e;
    }
  }
}
