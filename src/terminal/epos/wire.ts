/**
 * Wire shapes of the myPOS API Gateway (spec §5, §6, §8) and lenient readers for them. The wire is snake_case;
 * the readers return our own camelCase types. Unknown fields are kept in `raw` (minus card data).
 *
 * Two money types on purpose (spec §5): ePOS payment bodies carry **integer minor units** (`MinorAmount`); the
 * `/pos/v1` transactions and receipts carry **decimal major units** (`DecimalAmount`, kept as text and never
 * converted to a float).
 */
import { maskPan } from '../../log/redact';

/** ePOS `amount` object: integer minor units, ISO 4217 alpha-3 (§5, §6.1). */
export interface MinorAmount {
  readonly value: number;
  readonly currencyCode: string;
  readonly tip?: number;
}

/** A decimal major-unit amount from `/pos/v1` (e.g. `0.22`), as the exact text the gateway sent. */
export interface DecimalAmount {
  readonly decimal: string;
}

/** One ePOS payment as `GET /epos/v1/payments/{id}` (or create, reversal, refund) answers it (§6.1, §6.2). */
export interface EposPayment {
  readonly paymentId: string;
  readonly status: string;
  readonly amount?: MinorAmount;
  readonly terminalId?: string;
  readonly referenceNumber?: string;
  readonly description?: string;
  readonly statusMessage?: string;
  readonly responseCode?: string;
  readonly authCode?: string;
  readonly rrn?: string;
  readonly stan?: string;
  /** `YYMMDDhhmmss` as sent. */
  readonly transactionDateLocal?: string;
  /** Masked to the last four digits whatever the gateway sent. */
  readonly panMasked?: string;
  readonly cardQualifier?: string;
  readonly aid?: string;
  readonly signatureRequired?: boolean;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly expireAt: string | null;
  /** Every scalar field as text, card data reduced to the masked PAN. */
  readonly raw: Readonly<Record<string, string>>;
}

/** One item of `GET /epos/v1/payments` (§6.3): `payment_id` or `request_id`, `reference_number`, `status`. */
export interface EposPaymentListItem {
  readonly paymentId: string;
  readonly referenceNumber?: string;
  readonly status?: string;
}

/** The flat ePOS pagination shape (§5). */
export interface EposPaymentPage {
  readonly items: EposPaymentListItem[];
  readonly page: number;
  readonly pageSize: number;
  readonly totalPages: number;
  readonly totalCount: number;
  readonly hasNextPage: boolean;
}

/** `/pos/v1` pagination wrapper (§5). */
export interface PosPagination {
  readonly page: number;
  readonly pageSize: number;
  readonly totalPages: number;
  readonly totalCount: number;
}

export interface TerminalSummary {
  readonly terminalId: string;
  readonly serialNumber?: string;
  readonly model?: string;
}

export interface TerminalPage {
  readonly pagination: PosPagination;
  readonly terminals: TerminalSummary[];
}

/** `GET /pos/v1/terminals/{tid}` (§8). `status` is an account status, not live online state. */
export interface TerminalDetails {
  readonly terminalId: string;
  readonly terminalName?: string;
  readonly serialNumber?: string;
  readonly model?: string;
  readonly deviceCurrency?: string;
  readonly status?: string;
  readonly forbiddenReversal?: boolean;
  readonly forbiddenRefund?: boolean;
  readonly raw: Readonly<Record<string, string>>;
}

/** A `/pos/v1/…/transactions` item (§8): amounts in decimal major units. */
export interface TerminalTransaction {
  readonly terminalId?: string;
  readonly referenceNumber?: string;
  readonly paymentReference?: string;
  readonly tranStatus?: string;
  readonly paymentStatus?: string;
  readonly amount?: DecimalAmount;
  readonly currency?: string;
  readonly date: string | null;
  readonly rrn?: string;
  readonly stan?: string;
  readonly cardScheme?: string;
  /** Masked to the last four digits whatever the gateway sent. */
  readonly panMasked?: string;
}

/** One page of `/pos/v1/…/transactions` with its `pagination` wrapper (§5). */
export interface TerminalTransactionPage {
  readonly transactions: TerminalTransaction[];
  readonly page: number;
  readonly totalPages: number;
}

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

type Obj = Record<string, unknown>;

function obj(v: unknown, what: string): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new WireError(`${what} is not a JSON object`);
  return v as Obj;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function int(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^-?[0-9]{1,15}$/.test(v)) return Number(v);
  return undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1) return true;
  if (v === 'false' || v === 0) return false;
  return undefined;
}

/**
 * Gateway timestamps come in three forms (§5): local without zone (`2025-10-27T09:56:24`), with an offset
 * (`…+03:00`), and the .NET default `0001-01-01T00:00:00` meaning "not set" (→ null). The text is kept as sent
 * (a zone-less time cannot be placed on the time line without knowing the terminal's zone).
 */
export function parseTimestamp(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(v.trim());
  if (!m) return null;
  if (m[1] === '0001') return null;
  return v.trim();
}

/** `transaction_date_local` `YYMMDDhhmmss` → ISO date and time parts (§5). */
export function parseTransactionDateLocal(v: string | undefined): { date: string; time: string } | undefined {
  if (!v) return undefined;
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(v);
  if (!m) return undefined;
  return { date: `20${m[1]}-${m[2]}-${m[3]}`, time: `${m[4]}:${m[5]}:${m[6]}` };
}

function readMinorAmount(v: unknown): MinorAmount | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const a = v as Obj;
  const value = int(a.value);
  const currencyCode = str(a.currency_code);
  if (value === undefined || currencyCode === undefined) return undefined;
  const tip = int(a.tip);
  return tip !== undefined ? { value, currencyCode, tip } : { value, currencyCode };
}

/** Card data never leaves this function unmasked. */
const CARD_FIELDS = new Set(['pan', 'track2', 'emboss_name', 'exp_date', 'expiry', 'card_number']);

/** Nesting kept in `raw`; deeper objects (a broken proxy, a hostile answer) are left out instead of exhausting the stack. */
const RAW_MAX_DEPTH = 8;

function flatten(o: Obj, prefix = '', out: Record<string, string> = {}, depth = 0): Record<string, string> {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix + k;
    if (CARD_FIELDS.has(k.toLowerCase())) {
      if (k.toLowerCase() === 'pan') {
        const masked = maskPan(typeof v === 'string' ? v : undefined);
        if (masked) out[key] = masked;
      }
      continue;
    }
    if (v === null || v === undefined) continue;
    if (typeof v === 'object' && !Array.isArray(v)) {
      if (depth < RAW_MAX_DEPTH) flatten(v as Obj, `${key}.`, out, depth + 1);
    } else if (typeof v !== 'object') out[key] = String(v);
  }
  return out;
}

function paymentIdOf(o: Obj): string | undefined {
  return str(o.payment_id) ?? str(o.request_id) ?? str(o.id) ?? str(o.paymentId) ?? str(o.requestId);
}

/** A payment object (§6.1, §6.2). Requires an id and a status. */
export function parsePayment(body: unknown): EposPayment {
  const o = obj(body, 'payment');
  const paymentId = paymentIdOf(o);
  if (!paymentId) throw new WireError('payment has no payment_id');
  const status = str(o.status);
  if (status === undefined) throw new WireError(`payment ${paymentId} has no status`);
  const p: { -readonly [K in keyof EposPayment]: EposPayment[K] } = {
    paymentId,
    status,
    createdAt: parseTimestamp(o.created_at),
    updatedAt: parseTimestamp(o.updated_at),
    expireAt: parseTimestamp(o.expire_at),
    raw: flatten(o),
  };
  const amount = readMinorAmount(o.amount);
  if (amount) p.amount = amount;
  const set = <K extends keyof EposPayment>(k: K, v: EposPayment[K] | undefined): void => {
    if (v !== undefined && v !== '') p[k] = v;
  };
  set('terminalId', str(o.terminal_id));
  set('referenceNumber', str(o.reference_number));
  set('description', str(o.description));
  set('statusMessage', str(o.status_message));
  set('responseCode', str(o.response_code));
  set('authCode', str(o.auth_code));
  set('rrn', str(o.rrn));
  set('stan', str(o.stan));
  set('transactionDateLocal', str(o.transaction_date_local));
  set('panMasked', maskPan(str(o.pan)));
  set('cardQualifier', str(o.card_qualifier));
  set('aid', str(o.aid));
  set('signatureRequired', bool(o.signature_required));
  return p;
}

/** The answer to DELETE (§6.4): `{id}` or `{request_id, status}` — accept both. */
export function parseCancelAnswer(body: unknown): { id?: string; status?: string } {
  if (!body || typeof body !== 'object') return {};
  const o = body as Obj;
  const id = paymentIdOf(o);
  const status = str(o.status);
  return { ...(id ? { id } : {}), ...(status ? { status } : {}) };
}

/** `GET /epos/v1/payments` (§5 flat shape, §6.3 items). */
export function parsePaymentPage(body: unknown, requestedPage: number): EposPaymentPage {
  const o = obj(body, 'payment list');
  const rawItems = Array.isArray(o.items) ? o.items : Array.isArray(o.payments) ? o.payments : undefined;
  if (!rawItems) throw new WireError('payment list has no items');
  const items: EposPaymentListItem[] = [];
  for (const it of rawItems) {
    if (!it || typeof it !== 'object') continue;
    const i = it as Obj;
    const paymentId = paymentIdOf(i);
    if (!paymentId) continue;
    const ref = str(i.reference_number) ?? str(i.referenceNumber);
    const status = str(i.status);
    items.push({ paymentId, ...(ref !== undefined ? { referenceNumber: ref } : {}), ...(status ? { status } : {}) });
  }
  const page = int(o.page) ?? requestedPage;
  const pageSize = int(o.page_size) ?? items.length;
  const totalCount = int(o.total_count) ?? items.length;
  const totalPages = int(o.total_pages) ?? (pageSize > 0 ? Math.ceil(totalCount / pageSize) : 1);
  const hasNextPage = bool(o.has_next_page) ?? page < totalPages;
  return { items, page, pageSize, totalPages, totalCount, hasNextPage };
}

function readPagination(v: unknown, count: number): PosPagination {
  const p = v && typeof v === 'object' ? (v as Obj) : {};
  const page = int(p.page) ?? 1;
  const pageSize = int(p.page_size) ?? count;
  const totalCount = int(p.total_count) ?? count;
  const totalPages = int(p.total_pages) ?? (pageSize > 0 ? Math.ceil(totalCount / pageSize) : 1);
  return { page, pageSize, totalPages, totalCount };
}

/** `GET /pos/v1/terminals` (§8). */
export function parseTerminalPage(body: unknown): TerminalPage {
  const o = obj(body, 'terminal list');
  if (!Array.isArray(o.terminals)) throw new WireError('terminal list has no terminals');
  const terminals: TerminalSummary[] = [];
  for (const t of o.terminals) {
    if (!t || typeof t !== 'object') continue;
    const r = t as Obj;
    const terminalId = str(r.terminal_id);
    if (!terminalId) continue;
    const serialNumber = str(r.serial_number);
    const model = str(r.model);
    terminals.push({ terminalId, ...(serialNumber ? { serialNumber } : {}), ...(model ? { model } : {}) });
  }
  return { pagination: readPagination(o.pagination, terminals.length), terminals };
}

/** `GET /pos/v1/terminals/{tid}` (§8). */
export function parseTerminalDetails(body: unknown): TerminalDetails {
  const o = obj(body, 'terminal');
  const terminalId = str(o.terminal_id);
  if (!terminalId) throw new WireError('terminal has no terminal_id');
  const d: { -readonly [K in keyof TerminalDetails]: TerminalDetails[K] } = { terminalId, raw: flatten(o) };
  const terminalName = str(o.terminal_name);
  if (terminalName) d.terminalName = terminalName;
  const serialNumber = str(o.serial_number);
  if (serialNumber) d.serialNumber = serialNumber;
  const model = str(o.model);
  if (model) d.model = model;
  const deviceCurrency = str(o.device_currency);
  if (deviceCurrency) d.deviceCurrency = deviceCurrency;
  const status = str(o.status);
  if (status) d.status = status;
  const fr = bool(o.forbidden_reversal);
  if (fr !== undefined) d.forbiddenReversal = fr;
  const fref = bool(o.forbidden_refund);
  if (fref !== undefined) d.forbiddenRefund = fref;
  return d;
}

/** A decimal major-unit amount exactly as sent (number or string), never through a float conversion of ours. */
export function readDecimalAmount(v: unknown): DecimalAmount | undefined {
  if (typeof v === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(v.trim())) return { decimal: v.trim() };
  // JSON numbers were already parsed by JSON.parse; String() gives the shortest round-trip form (0.22 → "0.22").
  if (typeof v === 'number' && Number.isFinite(v)) return { decimal: String(v) };
  return undefined;
}

/** `/pos/v1/terminals/{tid}/transactions` (§8): `{pagination?, transactions:[…]}` with decimal amounts. */
export function parseTransactions(body: unknown): TerminalTransaction[] {
  const o = obj(body, 'transaction list');
  if (!Array.isArray(o.transactions)) throw new WireError('transaction list has no transactions');
  return o.transactions
    .filter((t): t is Obj => !!t && typeof t === 'object')
    .map((t) => {
      const r: { -readonly [K in keyof TerminalTransaction]: TerminalTransaction[K] } = {
        date: parseTimestamp(t.date),
      };
      const s = (k: keyof TerminalTransaction, v: unknown): void => {
        const x = str(v);
        if (x) (r as Record<string, unknown>)[k] = x;
      };
      s('terminalId', t.terminal_id);
      s('referenceNumber', t.reference_number);
      s('paymentReference', t.payment_reference);
      s('tranStatus', t.tran_status);
      s('paymentStatus', t.payment_status);
      s('currency', t.currency);
      s('rrn', t.rrn);
      s('stan', t.stan);
      s('cardScheme', t.card_scheme);
      const pan = maskPan(str(t.pan));
      if (pan) r.panMasked = pan;
      const amount = readDecimalAmount(t.amount);
      if (amount) r.amount = amount;
      return r;
    });
}

/** A transactions page: items plus `pagination.page` / `total_pages` (absent pagination: a single page). */
export function parseTransactionPage(body: unknown, requestedPage: number): TerminalTransactionPage {
  const transactions = parseTransactions(body);
  const p = (body as Obj).pagination;
  const pg = p && typeof p === 'object' ? (p as Obj) : {};
  return { transactions, page: int(pg.page) ?? requestedPage, totalPages: Math.max(1, int(pg.total_pages) ?? 1) };
}
