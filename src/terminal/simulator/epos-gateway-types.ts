/**
 * The fake ePOS gateway's vocabulary: the partners, merchants and terminals it knows, its options (which of the
 * gateway's observed variants it plays), the faults tests inject per route, its request log, and the demo setup.
 * The server itself is in epos-gateway.ts.
 */
import type { FakeScript } from './epos-magic';
import type { TimestampForm } from './epos-gateway-payments';

export interface FakePartner {
  partnerId: string;
  applicationId: string;
  clientId: string;
  clientSecret: string;
  /** Scopes this integration may ask for (§4.1); a request for another is refused. */
  scopes?: string[];
}

export interface FakeMerchant {
  clientId: string;
  clientSecret: string;
}

export interface FakeTerminal {
  terminalId: string;
  /** Merchant Client ID of the merchant owning the terminal. */
  merchant: string;
  currency: string;
  /** `N96` = Ultra. */
  model?: string;
  /** Account status (§8): Active, Reset, Deactive, Initial, N/A. */
  status?: string;
  serialNumber?: string;
  name?: string;
  /** False: the terminal is listed but answers 403 to payments (§10). Default true. */
  eposEnabled?: boolean;
  forbiddenReversal?: boolean;
  forbiddenRefund?: boolean;
  /** Overrides the magic amounts for every payment on this terminal. */
  script?: FakeScript;
}

export interface FakeEposGatewayOptions {
  clock?: { now(): number };
  partners?: FakePartner[];
  merchants?: FakeMerchant[];
  terminals?: FakeTerminal[];
  tokenTtlSeconds?: number;
  /** 300 by default; 360 is the other observed value (§4.2). */
  sessionTtlSeconds?: number;
  /** Status for unknown partner credentials at the token endpoint: 401 (default) or 400. */
  badPartnerStatus?: 401 | 400;
  /** Status when X-Partner-Id / X-Application-Id are missing: 401 (default) or 400. */
  missingPartnerHeaderStatus?: 401 | 400;
  /** Answer 415 to plain `application/json`, accepting only `application/json; x-api-version=1`. */
  requireVersionedMediaType?: boolean;
  /** Id field of list items: `payment_id` (default) or `request_id` (§6.3). */
  listItemId?: 'payment_id' | 'request_id';
  /** Order of list items (§6.3, undocumented in reality). Default oldest first. */
  listOrder?: 'oldest_first' | 'newest_first';
  /** A second payment with a `reference_number` already used: allowed (default) or refused with 409. */
  duplicateReference?: 'allow' | 'refuse';
  /** Refuse a second concurrent InProgress payment on one terminal with 409. Default true. */
  oneInProgressPerTerminal?: boolean;
  /** Status for DELETE on a finished payment: 400 (default) or 409. */
  cancelFinalStatus?: 400 | 409;
  /** Gateway time from creation to the final status of an ordinary payment. Default 2000 ms. */
  approveDelayMs?: number;
  /** For amounts ending in 77. Default 20000 ms. */
  slowDelayMs?: number;
  /** Gateway time from DELETE to Canceled. Default 0. */
  cancelDelayMs?: number;
  /** Gateway time from reversal request to Reversed. Default 1000 ms. */
  reversalDelayMs?: number;
  /** Every DELETE is acknowledged but the payment still ends Success (§11.7 race mode). */
  cancelRace?: boolean;
  /** Reversals end Failed instead of Reversed. */
  reversalFails?: boolean;
  timestampForm?: TimestampForm;
  /** `updated_at` of an unchanged payment is `0001-01-01T00:00:00` (.NET "not set"). */
  unsetTimestamps?: boolean;
  /** 500 answers carry a bare text body instead of ProblemDetails (§5, §11.13). */
  bareText500?: boolean;
}

export type FaultRoute =
  | 'token'
  | 'session'
  | 'create'
  | 'get'
  | 'list'
  | 'cancel'
  | 'reversal'
  | 'refund'
  | 'terminals'
  | 'terminal'
  | 'transactions'
  | 'activation';

export type Fault =
  /** Answer with this status (default 500); phase `after`: the request takes effect first (§9.3 lost answer). */
  | { kind: 'status'; status?: number; phase?: 'before' | 'after' }
  /** 429 with `Retry-After` (seconds or an HTTP date). */
  | { kind: 'rate_limit'; retryAfter: string }
  /** Hold the answer until `releaseSlow()` (or `delayMs` of real time). Phase `after` (default): the request took effect. */
  | { kind: 'slow'; delayMs?: number; phase?: 'before' | 'after' }
  /** Destroy the connection; phase `after` (default): after the request took effect (e.g. the payment exists). */
  | { kind: 'drop'; phase?: 'before' | 'after' }
  /** 401 as if the token or session had expired. */
  | { kind: 'unauthorized' };

export interface LoggedRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  /** Header names lower-case; Authorization and X-Session redacted. */
  readonly headers: Record<string, string>;
  /** Body text with client secrets redacted. */
  readonly body: string;
  /** The fault route name (plus `models`, `outlets`, `method_not_allowed`, `other`). */
  readonly route: string;
  status?: number;
  fault?: Fault['kind'];
}

/** One answer of the gateway: a status, a JSON (or text) body and headers. */
export interface Answer {
  status: number;
  body?: unknown;
  /** Sent as text/plain instead of JSON. */
  text?: string;
  headers?: Record<string, string>;
}

/** Credentials and terminal of the built-in demo setup (used by tests and `register-bridge` demo mode). */
export const DEMO_EPOS = {
  partnerId: 'mps-p-0000001',
  applicationId: 'mps-app-0000001',
  partnerClientId: 'client_demo0001',
  partnerSecret: 'secret_demo0001',
  merchantClientId: 'cli_demo0001',
  merchantSecret: 'sec_demo0001',
  terminalId: '80123457',
  currency: 'EUR',
} as const;
