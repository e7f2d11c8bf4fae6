/**
 * A fake myPOS API Gateway (ePOS part) for tests and the bridge's ePOS demo mode: a real HTTP server on loopback
 * that enforces the documented contract of ../shared/specs/mypos-api-gateway.md §11.
 *
 * - Auth (§4, §11.1–4): form-encoded token request, JSON session request, the four headers on every other route,
 *   token and session lifetimes on an injectable clock, 401 on expiry, 400 for wrong merchant credentials,
 *   415 for a POST without (or with the wrong) Content-Type.
 * - Payments (§6, §11.5–11): create/get/list/cancel/reversal/refund with the six statuses, magic amounts
 *   (epos-magic.ts), per-terminal scripts, `hold`/`release`, a cancel race mode, list shapes and orders.
 * - Terminals (§8, §11.12): list, details, transactions with decimal amounts.
 * - Faults (§11.14) per route for the next N requests: 5xx, 429 with Retry-After, slow (held until released or
 *   delayed), connection dropped (before or after the request took effect), 401.
 * - Counters and a request log with secrets redacted (§11.15).
 * Its vocabulary (options, faults, the request log) is in epos-gateway-types.ts; routes and answer shapes in
 * epos-gateway-wire.ts; payments and their statuses in epos-gateway-payments.ts.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { isKnownCurrency } from '../../domain/currency';
import { toDecimal } from '../../domain/money';
import { eposMagicScript, type FakeScript } from './epos-magic';
import { gatewayTime, PaymentBook, type FakePayment } from './epos-gateway-payments';
import {
  DEMO_EPOS,
  type Answer,
  type Fault,
  type FaultRoute,
  type FakeEposGatewayOptions,
  type FakeMerchant,
  type FakePartner,
  type FakeTerminal,
  type LoggedRequest,
} from './epos-gateway-types';
import {
  jwtLike,
  PROBLEM_TYPES,
  pagination,
  problem,
  redactBody,
  routeOf,
  sessionClientId,
  validation,
  type Route,
} from './epos-gateway-wire';

export type { FakePayment } from './epos-gateway-payments';
export type { FakeScript, FakeStep } from './epos-magic';
export * from './epos-gateway-types';

export class FakeEposGateway extends EventEmitter {
  readonly options: Required<Omit<FakeEposGatewayOptions, 'clock' | 'partners' | 'merchants' | 'terminals'>>;
  readonly partners: FakePartner[];
  readonly merchants: FakeMerchant[];
  readonly terminals: FakeTerminal[];
  /** Every request received, in order. */
  readonly requests: LoggedRequest[] = [];
  /** Gateway times of every token request received. */
  readonly tokenRequestTimes: number[] = [];

  private readonly clock: { now(): number };
  private readonly book: PaymentBook;
  private readonly tokens = new Map<string, { partner: FakePartner; expiresAt: number }>();
  private readonly sessions = new Map<string, { merchant: FakeMerchant; expiresAt: number }>();
  private readonly sessionTimes = new Map<string, number[]>();
  private readonly faults = new Map<FaultRoute, Array<{ fault: Fault; left: number }>>();
  private readonly slowWaiters = new Set<() => void>();
  private nextScripts: FakeScript[] = [];
  private holding = false;
  /** Reconciliation test switches: what the transaction list says about a payment (alterTransaction). */
  private readonly transactionPatches = new Map<string, { hidden?: boolean; value?: number }>();
  private server: Server | undefined;
  private address = '';

  constructor(options: FakeEposGatewayOptions = {}) {
    super();
    this.clock = options.clock ?? { now: () => Date.now() };
    this.partners = options.partners ?? [
      {
        partnerId: DEMO_EPOS.partnerId,
        applicationId: DEMO_EPOS.applicationId,
        clientId: DEMO_EPOS.partnerClientId,
        clientSecret: DEMO_EPOS.partnerSecret,
      },
    ];
    this.merchants = options.merchants ?? [
      { clientId: DEMO_EPOS.merchantClientId, clientSecret: DEMO_EPOS.merchantSecret },
    ];
    this.terminals = options.terminals ?? [
      {
        terminalId: DEMO_EPOS.terminalId,
        merchant: DEMO_EPOS.merchantClientId,
        currency: DEMO_EPOS.currency,
        model: 'N96',
        status: 'Active',
        serialNumber: 'N960000001',
        name: 'Demo Ultra',
      },
    ];
    this.options = {
      tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
      sessionTtlSeconds: options.sessionTtlSeconds ?? 300,
      badPartnerStatus: options.badPartnerStatus ?? 401,
      missingPartnerHeaderStatus: options.missingPartnerHeaderStatus ?? 401,
      requireVersionedMediaType: options.requireVersionedMediaType ?? false,
      listItemId: options.listItemId ?? 'payment_id',
      listOrder: options.listOrder ?? 'oldest_first',
      duplicateReference: options.duplicateReference ?? 'allow',
      oneInProgressPerTerminal: options.oneInProgressPerTerminal ?? true,
      cancelFinalStatus: options.cancelFinalStatus ?? 400,
      approveDelayMs: options.approveDelayMs ?? 2000,
      slowDelayMs: options.slowDelayMs ?? 20_000,
      cancelDelayMs: options.cancelDelayMs ?? 0,
      reversalDelayMs: options.reversalDelayMs ?? 1000,
      cancelRace: options.cancelRace ?? false,
      reversalFails: options.reversalFails ?? false,
      timestampForm: options.timestampForm ?? 'local',
      unsetTimestamps: options.unsetTimestamps ?? false,
      bareText500: options.bareText500 ?? false,
    };
    const opts = this.options;
    this.book = new PaymentBook(() => this.clock.now(), {
      get timestampForm() {
        return opts.timestampForm;
      },
      get unsetTimestamps() {
        return opts.unsetTimestamps;
      },
    });
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts listening (loopback, ephemeral port by default) and returns the base URL. */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent && !res.destroyed)
          this.send(res, problem(500, `fake gateway error: ${(e as Error).message}`));
      });
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const a = server.address() as AddressInfo;
    this.address = `http://${host}:${a.port}`;
    return this.address;
  }

  get url(): string {
    if (!this.address) throw new Error('the fake gateway is not started');
    return this.address;
  }

  async close(): Promise<void> {
    this.releaseSlow();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- switches for tests

  /** Keeps every unfinished and every new payment InProgress until `release`. */
  hold(): void {
    this.holding = true;
    for (const p of this.book.all()) if (p.status === 'InProgress') p.held = true;
  }

  /** Lets one payment (or all, and new ones) go on; due status changes apply at the next read. */
  release(paymentId?: string): void {
    if (paymentId === undefined) this.holding = false;
    for (const p of this.book.all()) if (paymentId === undefined || p.id === paymentId) p.held = false;
  }

  /** The next created payment follows this script instead of the magic amounts. */
  scriptNext(script: FakeScript): void {
    this.nextScripts.push(script);
  }

  /** Forces a payment's status (e.g. an unknown value such as `PendingX`). */
  setStatus(paymentId: string, status: string, responseCode?: string): void {
    const p = this.book.get(paymentId);
    if (!p) throw new Error(`no payment ${paymentId}`);
    this.book.setStatus(p, status, responseCode);
  }

  /**
   * Changes what the host's transaction list (§8) says about a payment, for reconciliation tests: leave it out
   * (`hidden`), or report another amount in minor units (`value`). The payment itself is unchanged.
   */
  alterTransaction(paymentId: string, patch: { hidden?: boolean; value?: number }): void {
    if (!this.book.get(paymentId)) throw new Error(`no payment ${paymentId}`);
    this.transactionPatches.set(paymentId, { ...this.transactionPatches.get(paymentId), ...patch });
  }

  /** Every session becomes invalid at once (tests the renew-both-and-retry-once path). */
  invalidateSessions(): void {
    this.sessions.clear();
  }

  invalidateTokens(): void {
    this.tokens.clear();
  }

  /** Applies `fault` to the next `times` requests of `route`. */
  fault(route: FaultRoute, fault: Fault, times = 1): void {
    const list = this.faults.get(route) ?? [];
    list.push({ fault, left: times });
    this.faults.set(route, list);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Lets every answer held by a `slow` fault go. */
  releaseSlow(): void {
    for (const go of [...this.slowWaiters]) go();
    this.slowWaiters.clear();
  }

  // ---------------------------------------------------------------- counters

  /** Gateway times of the session requests of one merchant (all merchants without an argument). */
  sessionRequestTimes(merchantClientId?: string): number[] {
    if (merchantClientId !== undefined) return [...(this.sessionTimes.get(merchantClientId) ?? [])];
    return [...this.sessionTimes.values()].flat().sort((a, b) => a - b);
  }

  payments(): FakePayment[] {
    return this.book.all();
  }

  payment(id: string): FakePayment | undefined {
    return this.book.get(id);
  }

  paymentsWithReference(reference: string): FakePayment[] {
    return this.book.all().filter((p) => p.reference === reference);
  }

  /** References used by more than one created payment (tests assert this stays empty). */
  duplicateReferences(): string[] {
    const count = new Map<string, number>();
    for (const p of this.book.all())
      if (p.reference !== undefined) count.set(p.reference, (count.get(p.reference) ?? 0) + 1);
    return [...count].filter(([, n]) => n > 1).map(([r]) => r);
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const route = routeOf(method, url.pathname);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      const value = Array.isArray(v) ? v.join(', ') : v;
      headers[k] =
        k === 'authorization' ? value.replace(/^(\S+\s+).*/, '$1[redacted]') : k === 'x-session' ? '[redacted]' : value;
    }
    const entry: LoggedRequest = {
      at: this.clock.now(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: redactBody(text),
      route: route?.name ?? 'other',
    };
    this.requests.push(entry);
    if (route?.name === 'token') this.tokenRequestTimes.push(entry.at);
    if (route?.name === 'session') {
      const merchant = sessionClientId(text) ?? '?';
      const times = this.sessionTimes.get(merchant) ?? [];
      times.push(entry.at);
      this.sessionTimes.set(merchant, times);
    }
    this.emit('request', entry);

    const fault = route ? this.takeFault(route.name) : undefined;
    if (fault) {
      entry.fault = fault.kind;
      this.emit('fault', route!.name, fault);
    }
    const phase =
      fault && 'phase' in fault && fault.phase ? fault.phase : fault?.kind === 'status' ? 'before' : 'after';
    if (fault && (phase === 'before' || fault.kind === 'rate_limit' || fault.kind === 'unauthorized')) {
      switch (fault.kind) {
        case 'status':
          return this.finish(res, entry, this.errorAnswer(fault.status ?? 500));
        case 'rate_limit':
          return this.finish(res, entry, {
            ...problem(429, 'Rate limit exceeded'),
            headers: { 'Content-Type': 'application/problem+json; charset=utf-8', 'Retry-After': fault.retryAfter },
          });
        case 'unauthorized':
          return this.finish(res, entry, problem(401));
        case 'drop':
          entry.status = 0;
          req.socket.destroy();
          return;
        case 'slow':
          await this.slow(fault.delayMs);
          break;
      }
    }

    let answer: Answer;
    if (!route) answer = problem(404, `no route for ${method} ${url.pathname}`);
    else if (route.name === 'method_not_allowed') answer = problem(405);
    else answer = this.dispatch(route, req, url, text);

    if (fault && phase === 'after') {
      switch (fault.kind) {
        case 'status':
          answer = this.errorAnswer(fault.status ?? 500);
          break;
        case 'drop':
          entry.status = 0;
          req.socket.destroy();
          return;
        case 'slow':
          await this.slow(fault.delayMs);
          break;
        default:
          break;
      }
    }
    this.finish(res, entry, answer);
  }

  private finish(res: ServerResponse, entry: LoggedRequest, answer: Answer): void {
    entry.status = answer.status;
    if (res.destroyed || res.writableEnded) return;
    this.send(res, answer);
  }

  private send(res: ServerResponse, a: Answer): void {
    if (a.text !== undefined) {
      res.writeHead(a.status, { 'Content-Type': 'text/plain; charset=utf-8', ...(a.headers ?? {}) });
      res.end(a.text);
      return;
    }
    const body = a.body === undefined ? '' : JSON.stringify(a.body);
    res.writeHead(a.status, { 'Content-Type': 'application/json; charset=utf-8', ...(a.headers ?? {}) });
    res.end(body);
  }

  private errorAnswer(status: number): Answer {
    if (status === 500 && this.options.bareText500)
      return { status, text: 'Object reference not set to an instance of an object.' };
    return problem(status);
  }

  private takeFault(route: string): Fault | undefined {
    const list = this.faults.get(route as FaultRoute);
    const first = list?.[0];
    if (!list || !first) return undefined;
    first.left--;
    if (first.left <= 0) list.shift();
    return first.fault;
  }

  private slow(delayMs: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const go = (): void => {
        this.slowWaiters.delete(go);
        resolve();
      };
      this.slowWaiters.add(go);
      if (delayMs !== undefined) setTimeout(go, delayMs).unref();
    });
  }

  // ---------------------------------------------------------------- routes

  private dispatch(route: Route, req: IncomingMessage, url: URL, text: string): Answer {
    if (route.name === 'token') return this.token(req, text);
    if (route.name === 'session') return this.session(req, text);
    const who = this.authorise(req);
    if ('status' in who) return who;
    let body: Record<string, unknown> = {};
    if (req.method === 'POST' || text.length > 0) {
      const media = this.checkMedia(req.headers['content-type']);
      if (media) return media;
      if (text.length > 0) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return problem(400, 'The request body is not valid JSON.');
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
          return problem(400, 'The request body must be a JSON object.');
        body = parsed as Record<string, unknown>;
      }
    }
    const merchant = who.merchant.clientId;
    switch (route.name) {
      case 'create':
        return this.createPayment(merchant, body);
      case 'list':
        return this.listPayments(merchant, url);
      case 'get':
        return this.getPayment(merchant, route.param!);
      case 'cancel':
        return this.cancelPayment(merchant, route.param!);
      case 'reversal':
        return this.reversePayment(merchant, route.param!, body);
      case 'refund':
        return this.refund(merchant, body);
      case 'terminals':
        return this.listTerminals(merchant, url);
      case 'terminal':
        return this.terminalDetails(merchant, route.param!);
      case 'transactions':
        return this.transactions(merchant, route.param, url);
      case 'models':
        return {
          status: 200,
          body: {
            pagination: pagination(1, 20, 1),
            models: [
              { code: 'N96', description: 'myPOS Ultra' },
              { code: 'N86', description: 'myPOS Carbon' },
            ],
          },
        };
      case 'outlets':
        return {
          status: 200,
          body: { pagination: pagination(1, 20, 1), outlets: [{ outlet_id: 1, name: 'Main outlet' }] },
        };
      // Provisioning is not simulated: empty JSON fails like the real gateway (§8).
      case 'activation':
        return Object.keys(body).length === 0
          ? { status: 500, text: "Value cannot be null. (Parameter 'product_code')" }
          : problem(400, 'Activation is not simulated.');
      default:
        return problem(404);
    }
  }

  /** §4.1: form-encoded client credentials. */
  private token(req: IncomingMessage, text: string): Answer {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded')
      return problem(415, 'The token request must be application/x-www-form-urlencoded.');
    const form = new URLSearchParams(text);
    if (form.get('grant_type') !== 'client_credentials')
      return problem(400, 'grant_type must be client_credentials', undefined, 'invalid_request');
    const partner = this.partners.find(
      (p) => p.clientId === form.get('client_id') && p.clientSecret === form.get('client_secret'),
    );
    if (!partner)
      return problem(this.options.badPartnerStatus, 'Invalid client credentials.', undefined, 'invalid_client');
    const scope = form.get('scope');
    if (scope !== null && !(partner.scopes ?? []).includes(scope))
      return problem(400, `Scope "${scope}" is not allowed for this client.`, undefined, 'invalid_scope');
    const token = jwtLike(partner.clientId);
    const ttl = this.options.tokenTtlSeconds;
    this.tokens.set(token, { partner, expiresAt: this.clock.now() + ttl * 1000 });
    return {
      status: 200,
      body: { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: scope ?? 'epos pos' },
    };
  }

  /** §4.2: bearer + JSON merchant credentials → `{session, expires_in}`. */
  private session(req: IncomingMessage, text: string): Answer {
    const partner = this.bearer(req);
    if (!partner) return problem(401, 'The access token is missing, invalid or expired.');
    const media = this.checkMedia(req.headers['content-type']);
    if (media) return media;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return problem(400, 'The request body is not valid JSON.');
    }
    const merchant = this.merchants.find(
      (m) => m.clientId === body?.client_id && m.clientSecret === body?.client_secret,
    );
    if (!merchant) return problem(400, 'Invalid merchant client credentials.');
    const session = randomBytes(16).toString('hex');
    const ttl = this.options.sessionTtlSeconds;
    this.sessions.set(session, { merchant, expiresAt: this.clock.now() + ttl * 1000 });
    return { status: 200, body: { session, expires_in: ttl } };
  }

  private bearer(req: IncomingMessage): FakePartner | undefined {
    const m = /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? '');
    const t = m ? this.tokens.get(m[1]!) : undefined;
    if (!t || this.clock.now() >= t.expiresAt) return undefined;
    return t.partner;
  }

  /** §4.3 / §11.3: the four headers; unknown or expired token/session → 401. */
  private authorise(req: IncomingMessage): { partner: FakePartner; merchant: FakeMerchant } | Answer {
    const partnerId = req.headers['x-partner-id'];
    const applicationId = req.headers['x-application-id'];
    if (!partnerId || !applicationId) {
      return problem(this.options.missingPartnerHeaderStatus, 'X-Partner-Id and X-Application-Id are required.');
    }
    const partner = this.bearer(req);
    if (!partner) return problem(401);
    if (partner.partnerId !== partnerId || partner.applicationId !== applicationId)
      return problem(401, 'X-Partner-Id or X-Application-Id does not match the access token.');
    const id = req.headers['x-session'];
    const s = typeof id === 'string' ? this.sessions.get(id) : undefined;
    if (!s || this.clock.now() >= s.expiresAt) return problem(401);
    return { partner, merchant: s.merchant };
  }

  private checkMedia(contentType: string | undefined): Answer | undefined {
    if (!contentType) return problem(415);
    const [type, ...params] = contentType.split(';').map((s) => s.trim().toLowerCase());
    if (type !== 'application/json') return problem(415);
    if (this.options.requireVersionedMediaType && !params.includes('x-api-version=1')) return problem(415);
    return undefined;
  }

  private terminalOf(merchant: string, terminalId: unknown): FakeTerminal | undefined {
    return this.terminals.find((t) => t.terminalId === terminalId && t.merchant === merchant);
  }

  private scriptFor(terminal: FakeTerminal, value: number): FakeScript {
    const next = this.nextScripts.shift();
    if (next) return next;
    if (terminal.script) return terminal.script;
    return eposMagicScript(value, {
      approveDelayMs: this.options.approveDelayMs,
      slowDelayMs: this.options.slowDelayMs,
    });
  }

  /** §6.1, §11.5 */
  private createPayment(merchant: string, b: Record<string, unknown>): Answer {
    const errors: Record<string, string[]> = {};
    const add = (f: string, m: string): void => {
      (errors[f] ??= []).push(m);
    };
    const amount = (b.amount && typeof b.amount === 'object' ? b.amount : undefined) as
      Record<string, unknown> | undefined;
    if (typeof b.terminal_id !== 'string' || b.terminal_id === '')
      add('terminal_id', 'The terminal_id field is required.');
    if (!amount) add('amount', 'The amount field is required.');
    const value = amount?.value;
    if (amount && (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0))
      add('amount.value', 'The value must be a positive integer in minor units.');
    const cur = amount?.currency_code;
    if (amount && (typeof cur !== 'string' || !/^[A-Z]{3}$/.test(cur) || !isKnownCurrency(cur)))
      add('amount.currency_code', 'The currency_code must be an ISO 4217 alpha-3 code.');
    const tip = amount?.tip;
    if (tip !== undefined && tip !== null && (typeof tip !== 'number' || !Number.isSafeInteger(tip) || tip < 0))
      add('amount.tip', 'The tip must be a non-negative integer in minor units.');
    if (typeof b.app_name !== 'string' || b.app_name === '') add('app_name', 'The app_name field is required.');
    if (typeof b.app_version !== 'string' || b.app_version === '')
      add('app_version', 'The app_version field is required.');
    const ref = b.reference_number;
    if (
      ref !== undefined &&
      ref !== null &&
      (typeof ref !== 'string' || ref.length > 50 || !/^[\x20-\x7e]*$/.test(ref))
    )
      add('reference_number', 'The reference_number must be at most 50 Latin characters.');
    if (
      b.description !== undefined &&
      b.description !== null &&
      (typeof b.description !== 'string' || b.description.length > 100)
    )
      add('description', 'The description must be at most 100 characters.');
    if (Object.keys(errors).length > 0) return validation(errors);
    const terminal = this.terminalOf(merchant, b.terminal_id);
    if (!terminal) return problem(404, `Terminal ${String(b.terminal_id)} was not found.`);
    // §10: listed and Active, but not enabled for ePOS → the bare Forbidden body.
    if (terminal.eposEnabled === false)
      return {
        status: 403,
        body: { type: PROBLEM_TYPES[403], title: 'Forbidden', status: 403 },
        headers: { 'Content-Type': 'application/problem+json; charset=utf-8' },
      };
    if (cur !== terminal.currency)
      return validation({
        'amount.currency_code': [`The currency must be the terminal's currency (${terminal.currency}).`],
      });
    const reference = typeof ref === 'string' && ref !== '' ? ref : undefined;
    if (
      reference !== undefined &&
      this.options.duplicateReference === 'refuse' &&
      this.book.all().some((p) => p.reference === reference)
    ) {
      return problem(409, `A payment with reference_number ${reference} already exists.`);
    }
    if (
      this.options.oneInProgressPerTerminal &&
      this.book.forTerminal(terminal.terminalId).some((p) => p.status === 'InProgress')
    ) {
      return problem(409, 'The terminal is busy with another payment.');
    }
    const p = this.book.create(
      {
        kind: 'purchase',
        terminalId: terminal.terminalId,
        merchant,
        value: value as number,
        ...(typeof tip === 'number' ? { tip } : {}),
        currency: cur as string,
        ...(reference !== undefined ? { reference } : {}),
        ...(typeof b.description === 'string' ? { description: b.description } : {}),
        ...(typeof b.app_name === 'string' ? { appName: b.app_name } : {}),
        ...(typeof b.app_version === 'string' ? { appVersion: b.app_version } : {}),
        ...(typeof b.operator_code === 'string' ? { operatorCode: b.operator_code } : {}),
      },
      this.scriptFor(terminal, value as number),
      this.holding,
    );
    this.emit('payment', p);
    return { status: 201, body: this.book.toWire(p) };
  }

  private ownPayment(merchant: string, id: string): FakePayment | undefined {
    const p = this.book.get(id);
    return p && p.merchant === merchant ? p : undefined;
  }

  /** §6.2 */
  private getPayment(merchant: string, id: string): Answer {
    const p = this.ownPayment(merchant, id);
    if (!p) return problem(404, `Payment ${id} was not found.`);
    return { status: 200, body: this.book.toWire(p) };
  }

  /** §6.3: flat pagination, items with payment_id or request_id, reference_number, status; no timestamps. */
  private listPayments(merchant: string, url: URL): Answer {
    const tid = url.searchParams.get('terminal_id');
    const page = Number(url.searchParams.get('page') ?? '1');
    const size = Number(url.searchParams.get('size') ?? '20');
    const errors: Record<string, string[]> = {};
    if (!tid) errors.terminal_id = ['The terminal_id field is required.'];
    if (!Number.isInteger(page) || page < 1) errors.page = ['The page must be 1 or more.'];
    if (!Number.isInteger(size) || size < 1 || size > 100) errors.size = ['The size must be between 1 and 100.'];
    if (Object.keys(errors).length > 0) return validation(errors);
    if (!this.terminalOf(merchant, tid)) return problem(404, `Terminal ${tid} was not found.`);
    let list = this.book.forTerminal(tid!);
    if (this.options.listOrder === 'newest_first') list = list.reverse();
    const totalCount = list.length;
    const totalPages = Math.max(1, Math.ceil(totalCount / size));
    const items = list.slice((page - 1) * size, page * size).map((p) => ({
      [this.options.listItemId]: p.id,
      reference_number: p.reference ?? null,
      status: p.status,
    }));
    return {
      status: 200,
      body: {
        items,
        page,
        page_size: size,
        total_pages: totalPages,
        total_count: totalCount,
        has_previous_page: page > 1,
        has_next_page: page < totalPages,
      },
    };
  }

  /** §6.4, §11.7 */
  private cancelPayment(merchant: string, id: string): Answer {
    const p = this.ownPayment(merchant, id);
    if (!p) return problem(404, `Payment ${id} was not found.`);
    if (p.status !== 'InProgress')
      return problem(this.options.cancelFinalStatus, `Payment ${id} is ${p.status} and cannot be cancelled.`);
    this.book.requestCancel(p, { race: this.options.cancelRace, delayMs: this.options.cancelDelayMs });
    this.emit('cancel', p);
    return { status: 202, body: { id: p.id } };
  }

  /** §6.5, §11.8 */
  private reversePayment(merchant: string, id: string, b: Record<string, unknown>): Answer {
    const p = this.ownPayment(merchant, id);
    if (!p) return problem(404, `Payment ${id} was not found.`);
    if (typeof b.terminal_id !== 'string' || b.terminal_id === '')
      return validation({ terminal_id: ['The terminal_id field is required.'] });
    if (b.terminal_id !== p.terminalId) return problem(400, `Payment ${id} was not made on terminal ${b.terminal_id}.`);
    const terminal = this.terminalOf(merchant, p.terminalId);
    if (terminal?.forbiddenReversal) return problem(400, 'Reversals are forbidden for this terminal.');
    if (p.status !== 'Success' || p.kind !== 'purchase')
      return problem(400, `Payment ${id} is ${p.status} and cannot be reversed.`);
    this.book.startReversal(p, this.options.reversalDelayMs, this.options.reversalFails ? 'Failed' : 'Reversed');
    this.emit('reversal', p);
    return { status: 200, body: this.book.toWire(p) };
  }

  /** §6.6, §11.9: an unreferenced refund on the terminal (card presented). */
  private refund(merchant: string, b: Record<string, unknown>): Answer {
    const errors: Record<string, string[]> = {};
    const amount = (b.amount && typeof b.amount === 'object' ? b.amount : undefined) as
      Record<string, unknown> | undefined;
    const value = amount?.value;
    const cur = amount?.currency_code;
    if (typeof b.terminal_id !== 'string' || b.terminal_id === '')
      errors.terminal_id = ['The terminal_id field is required.'];
    if (!amount || typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
      errors['amount.value'] = ['The value must be a positive integer in minor units.'];
    if (!amount || typeof cur !== 'string' || !isKnownCurrency(cur))
      errors['amount.currency_code'] = ['The currency_code must be an ISO 4217 alpha-3 code.'];
    if (Object.keys(errors).length > 0) return validation(errors);
    const terminal = this.terminalOf(merchant, b.terminal_id);
    if (!terminal) return problem(404, `Terminal ${String(b.terminal_id)} was not found.`);
    if (terminal.eposEnabled === false)
      return { status: 403, body: { type: PROBLEM_TYPES[403], title: 'Forbidden', status: 403 } };
    if (terminal.forbiddenRefund) return problem(400, 'Refunds are forbidden for this terminal.');
    if (cur !== terminal.currency)
      return validation({
        'amount.currency_code': [`The currency must be the terminal's currency (${terminal.currency}).`],
      });
    if (
      this.options.oneInProgressPerTerminal &&
      this.book.forTerminal(terminal.terminalId).some((p) => p.status === 'InProgress')
    ) {
      return problem(409, 'The terminal is busy with another payment.');
    }
    const ref = typeof b.reference_number === 'string' && b.reference_number !== '' ? b.reference_number : undefined;
    const p = this.book.create(
      {
        kind: 'refund',
        terminalId: terminal.terminalId,
        merchant,
        value: value as number,
        currency: cur as string,
        ...(ref !== undefined ? { reference: ref } : {}),
        ...(typeof b.description === 'string' ? { description: b.description } : {}),
        ...(typeof b.app_name === 'string' ? { appName: b.app_name } : {}),
        ...(typeof b.app_version === 'string' ? { appVersion: b.app_version } : {}),
      },
      this.scriptFor(terminal, value as number),
      this.holding,
    );
    this.emit('payment', p);
    return { status: 200, body: this.book.toWire(p) };
  }

  /** §8: `{pagination, terminals:[{terminal_id, serial_number, model}]}` with filters. */
  private listTerminals(merchant: string, url: URL): Answer {
    const page = Number(url.searchParams.get('page') ?? '1');
    const size = Number(url.searchParams.get('size') ?? '20');
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1 || size > 100) {
      return validation({ size: ['The size must be between 1 and 100.'] });
    }
    let list = this.terminals.filter((t) => t.merchant === merchant);
    const tid = url.searchParams.get('terminal_id');
    if (tid) list = list.filter((t) => t.terminalId === tid);
    const serial = url.searchParams.get('serial_number');
    if (serial) list = list.filter((t) => t.serialNumber === serial);
    const model = url.searchParams.get('model');
    if (model) list = list.filter((t) => t.model === model);
    const terminals = list
      .slice((page - 1) * size, page * size)
      .map((t) => ({ terminal_id: t.terminalId, serial_number: t.serialNumber ?? null, model: t.model ?? null }));
    return { status: 200, body: { pagination: pagination(page, size, list.length), terminals } };
  }

  /** §8 terminal details. */
  private terminalDetails(merchant: string, tid: string): Answer {
    const t = this.terminalOf(merchant, tid);
    if (!t) return problem(404, `Terminal ${tid} was not found.`);
    const done = this.book.forTerminal(t.terminalId).filter((p) => p.status === 'Success' || p.status === 'Reversed');
    const last = done.at(-1);
    return {
      status: 200,
      body: {
        terminal_id: t.terminalId,
        terminal_name: t.name ?? `Terminal ${t.terminalId}`,
        serial_number: t.serialNumber ?? null,
        model: t.model ?? 'N96',
        outlet_id: 1,
        outlet_name: 'Main outlet',
        device_currency: t.currency,
        status: t.status ?? 'Active',
        last_transaction_date: last
          ? gatewayTime(last.updatedAt ?? last.createdAt, this.options.timestampForm)
          : '0001-01-01T00:00:00',
        transactions_count: done.length,
        settlement_account_number: 'BG00MPOS00000000000001',
        settlement_account_name: 'Demo merchant',
        settlement_account_currency: t.currency,
        billing_descriptor: 'DEMO SHOP',
        receipt_footer_row_1: '',
        receipt_footer_row_2: '',
        forbidden_preauthorization: false,
        forbidden_moto: true,
        forbidden_reversal: t.forbiddenReversal ?? false,
        forbidden_refund: t.forbiddenRefund ?? false,
        forbidden_topup: true,
        card_topup_enabled: false,
      },
    };
  }

  /**
   * §8 transactions: decimal major units and the pagination wrapper; filters `reference_number`, `stan`,
   * `date_from` / `date_to` (calendar dates of `date`, both included) and `page` / `size` (default 20, at most 100).
   */
  private transactions(merchant: string, tid: string | undefined, url: URL): Answer {
    if (tid !== undefined && !this.terminalOf(merchant, tid)) return problem(404, `Terminal ${tid} was not found.`);
    const page = Number(url.searchParams.get('page') ?? '1');
    const size = Number(url.searchParams.get('size') ?? '20');
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1 || size > 100) {
      return validation({ size: ['The size must be between 1 and 100.'] });
    }
    const dateFrom = url.searchParams.get('date_from');
    const dateTo = url.searchParams.get('date_to');
    for (const [name, v] of [
      ['date_from', dateFrom],
      ['date_to', dateTo],
    ] as const) {
      if (v !== null && !/^\d{4}-\d{2}-\d{2}$/.test(v))
        return validation({ [name]: [`The ${name} must be a date YYYY-MM-DD.`] });
    }
    const own = new Set(this.terminals.filter((t) => t.merchant === merchant).map((t) => t.terminalId));
    const ref = url.searchParams.get('reference_number');
    const stan = url.searchParams.get('stan');
    const all = this.book
      .all()
      .filter((p) => own.has(p.terminalId) && (tid === undefined || p.terminalId === tid))
      .filter((p) => p.status === 'Success' || p.status === 'Reversed')
      .filter((p) => !ref || p.reference === ref)
      .filter((p) => !stan || p.card?.stan === stan)
      .filter((p) => this.transactionPatches.get(p.id)?.hidden !== true)
      .filter((p) => {
        const day = gatewayTime(p.updatedAt ?? p.createdAt, 'local').slice(0, 10);
        return (dateFrom === null || day >= dateFrom) && (dateTo === null || day <= dateTo);
      });
    const list = all
      .slice((page - 1) * size, page * size)
      .map((p) => ({ ...p, value: this.transactionPatches.get(p.id)?.value ?? p.value }))
      .map((p) => ({
        terminal_id: p.terminalId,
        terminal_name: this.terminals.find((t) => t.terminalId === p.terminalId)?.name ?? null,
        outlet_name: 'Main outlet',
        date: gatewayTime(p.updatedAt ?? p.createdAt, this.options.timestampForm),
        tran_status: p.status === 'Reversed' ? 'Reversed' : 'Approved',
        payment_status: 'Settled',
        // Decimal major units on this route (§5): the exact text of the amount, written as a JSON number.
        amount: Number(toDecimal({ minor: p.value, currency: p.currency })),
        currency: p.currency,
        rrn: p.card?.rrn ?? null,
        stan: p.card?.stan ?? null,
        settlement_date: null,
        settlement_amount: Number(toDecimal({ minor: p.value, currency: p.currency })),
        settlement_currency: p.currency,
        fee: 0,
        pan: '****6693',
        card_scheme: 'VISA',
        payment_reference: p.id,
        billing_descriptor: 'DEMO SHOP',
        reference_number: p.reference ?? null,
      }));
    return { status: 200, body: { pagination: pagination(page, size, all.length), transactions: list } };
  }
}
