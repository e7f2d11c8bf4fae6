/**
 * The status UI's contract: what the status page can ask the core and what it is told. One interface,
 * `StatusApi`, served two ways — over HTTP + WebSocket by the headless status server (src/status/server.ts) and
 * over Electron IPC by the desktop shell (electron/ipc.ts) — and consumed by the renderer through one typed client.
 *
 * Types only (plus a few constant tables): the renderer imports this file, so it must not pull in Node modules.
 */
import type { PaymentView, TerminalView } from '../bridge/api';
import type { Money } from '../domain/money';
import type { PaymentResult } from '../domain/payment';
import type { Outcome, Stage, TransactionKind } from '../domain/vocabulary';
import type { EndOfDayReport } from '../reports/day-reports';
import type { ReconciliationReport } from '../reports/reconcile';
import type { PendingConfirmation } from '../register/capture/capture-registry';
import type { OperatorHoldView } from '../bridge/operator-holds';
import type { DayTotals } from '../reports/totals';
import type { SecurityEvent } from '../security/events';
import type { CoreMessage } from '../i18n/core-text';

export type { PaymentView, TerminalView } from '../bridge/api';
export type { Money } from '../domain/money';
export type { Outcome, Stage, TransactionKind } from '../domain/vocabulary';
export type { SecurityEvent, SecurityEventKind } from '../security/events';

/** Recent security events (refused foreign protocols, floods, connection limits …), newest first. */
export interface SecurityEventsView {
  readonly events: SecurityEvent[];
}

/** A register listener as the dashboard shows it. */
export interface ListenerView {
  readonly id: string;
  readonly protocol: string;
  readonly transport: string;
  /** "127.0.0.1:7450" for TCP; a device path otherwise. */
  readonly address: string;
  readonly terminal?: string;
  /** Registers connected now: the peer address of each TCP connection, the device for a serial port or HID cable. */
  readonly registers: string[];
  /** Serial port or HID cable: whether the device is open now, and why not. */
  readonly device?: { readonly open: boolean; readonly error?: string };
}

/** One stage a payment went through, with when. */
export interface StageStep {
  readonly stage: Stage;
  readonly message: string;
  readonly at: string;
}

/** A payment still running, with the stages it went through so far. */
export interface RunningPayment {
  readonly payment: PaymentView;
  readonly stages: StageStep[];
}

/** A payment whose outcome the bridge does not know yet (or has not settled), and what the bridge does about it. */
export interface AttentionItem {
  readonly payment: PaymentView;
  /** Plain words: what the bridge is doing about it now. */
  readonly action: string;
}

/** What the desktop shell adds (absent when headless). */
export interface DesktopCapabilities {
  readonly startAtLogin: boolean;
  readonly keychain: boolean;
  readonly pause: boolean;
}

/** Everything the dashboard shows. */
export interface StateView {
  readonly version: string;
  /** True while the register listeners are paused (desktop shell). */
  readonly paused: boolean;
  readonly listeners: ListenerView[];
  readonly terminals: TerminalView[];
  readonly running: RunningPayment[];
  /** The most recent payment (running or finished) with its stages, for the dashboard's "last payment". */
  readonly latest?: RunningPayment;
  /** Most recent payments first. */
  readonly recent: PaymentView[];
  /** in_doubt payments and approvals still being settled. */
  readonly attention: AttentionItem[];
  /** Where the data (journal, config) lives. */
  readonly dataDir: string;
  readonly desktop?: DesktopCapabilities;
  /** Totals a capture listener (pole display, printer) held as possible duplicates: confirm or discard each. */
  readonly captureHolds?: CaptureHoldView[];
  /** Refunds and reversals a listener's money-out policy holds for an operator: confirm or refuse each. */
  readonly operatorHolds?: OperatorHoldView[];
}

export type { OperatorHoldView };

/** The operator's decision on a held refund or reversal. */
export interface HoldDecision {
  readonly id: string;
  readonly action: 'confirm' | 'refuse';
}

/** `confirmed`: the request goes to the terminal now; `refused`: the register is told, nothing is charged. */
export interface HoldDecisionAnswer {
  readonly action: 'confirmed' | 'refused';
}

/** A captured total not charged because the same total was charged moments before (docs/legacy-registers.md §5). */
export type CaptureHoldView = PendingConfirmation;

export type { DayTotals, EndOfDayReport, ReconciliationReport };

/** Which business day the reports page shows (`YYYY-MM-DD`; default the one running now). */
export interface ReportsQuery {
  day?: string;
}

/** End of day and reconciliation for the reports page (docs/receipts.md). */
export interface DayReportsView {
  /** The business day's totals so far, from the journal (nothing is closed by asking). */
  readonly totals: DayTotals;
  /** The most recent end of day, of any business day. */
  readonly lastEndOfDay?: EndOfDayReport;
  /** The latest reconciliation of this business day. */
  readonly reconciliation?: ReconciliationReport;
}

/** The operator's decision on a held total. */
export interface CaptureDecision {
  readonly id: string;
  readonly action: 'confirm' | 'discard';
}

/** `confirmed`: the payment started under `ref`; `discarded`: nothing is charged. */
export type CaptureDecisionAnswer =
  { readonly action: 'confirmed'; readonly ref: string } | { readonly action: 'discarded' };

/** Journal search; every field optional. */
export interface JournalQuery {
  /** Part of a register's reference. */
  ref?: string;
  /** Day (YYYY-MM-DD, local to the bridge: UTC) from which on, inclusive. */
  from?: string;
  /** Day (YYYY-MM-DD) up to which, inclusive. */
  to?: string;
  outcome?: Outcome | 'open';
  /** Decimal amount as typed, e.g. "12.34" (matched exactly, in each currency's own minor units). */
  amount?: string;
  limit?: number;
}

export interface JournalEventView {
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly data: unknown;
}

/** A journal entry in full: everything recorded about one payment, and its events. */
export interface JournalDetail {
  readonly payment: PaymentView;
  readonly bridgeRef: string;
  readonly driverRef: string | null;
  readonly receiptNo: number;
  readonly settlement: string | null;
  readonly originalId: string | null;
  readonly result: PaymentResult | null;
  /** What the terminal sent (never card data beyond the masked PAN). */
  readonly raw: Readonly<Record<string, string>> | null;
  readonly events: JournalEventView[];
  /** The payment's receipt at the configured width (or why there is none yet). */
  readonly receipt: ReceiptView;
}

/** Printer widths in columns a receipt can be rendered at. */
export const RECEIPT_COLUMNS = [32, 40, 48] as const;

/** Which receipt to render: a journal payment by id, at a printer width, optionally marked as a duplicate (reprint). */
export interface ReceiptQuery {
  readonly id: string;
  readonly width?: (typeof RECEIPT_COLUMNS)[number];
  readonly duplicate?: boolean;
}

/** A payment's receipt as text lines, both copies; `available` false (with `note`) while the outcome is open. */
export interface ReceiptView {
  readonly available: boolean;
  /** Why there is no receipt, in plain words. */
  readonly note?: string;
  readonly noteCode?: CoreMessage;
  readonly width?: number;
  readonly duplicate: boolean;
  readonly merchant: string[];
  readonly customer: string[];
}

/** A problem with one field of the configuration, `field` as configIssues names it ("listeners[0].transport.port"). */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
  /** The message as codes of the catalogue (the page writes them in its language); absent: shown as it is. */
  readonly messageCode?: CoreMessage;
}

/** Plain secrets in the config file are never sent to the page: they are replaced by this marker, which a save keeps as is. */
export const SECRET_MASK = '••••••••';

export interface SettingsView {
  /** The config file shown, or null when the bridge was started without one (demo). */
  readonly file: string | null;
  /** The file's content with plain secrets replaced by SECRET_MASK. */
  readonly config: unknown;
  readonly issues: FieldIssue[];
  /** Things that work but should be changed (plain-text secrets …), in English. */
  readonly warnings: string[];
  /** The same warnings as coded texts, in the same order (the page writes them in its language). */
  readonly warningCodes?: CoreMessage[];
  /** False when there is no file to write (demo mode). */
  readonly writable: boolean;
  /** Desktop only; undefined when headless. */
  readonly startAtLogin?: boolean;
}

export interface SettingsSaveRequest {
  readonly config: unknown;
  /** Desktop only. */
  readonly startAtLogin?: boolean;
}

export interface SettingsSaveAnswer {
  readonly saved: boolean;
  readonly issues: FieldIssue[];
  readonly warnings: string[];
  /** The same warnings as coded texts, in the same order. */
  readonly warningCodes?: CoreMessage[];
  /** Saved settings take effect when the bridge restarts. */
  readonly restartNeeded: boolean;
}

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface LogLine {
  readonly seq: number;
  readonly time: string;
  readonly level: LogLevelName;
  readonly msg: string;
  /** Other fields of the structured line (already redacted by the logger). */
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface LogQuery {
  level?: LogLevelName;
  text?: string;
  /** Only lines after this sequence number. */
  after?: number;
  limit?: number;
}

export interface LogsView {
  /** False when this bridge keeps no log in memory (the lines then only go to its output). */
  readonly available: boolean;
  readonly lines: LogLine[];
}

// ---------------------------------------------------------------- setup wizard

/** Ports a myPOS terminal's IPP service is usually found on (Cash-register mode 7900; POSLink 60180). */
export const IPP_PORT_PRESETS = [7900, 60180] as const;

export interface IppPingRequest {
  readonly host: string;
  readonly port: number;
}

export interface IppPingAnswer {
  readonly online: boolean;
  readonly message: string;
  readonly messageCode?: CoreMessage;
  readonly terminalId?: string;
  readonly model?: string;
  readonly softwareVersion?: string;
  readonly currency?: string;
}

export interface DeviceInfo {
  readonly kind: 'serial' | 'bluetooth' | 'hid' | 'usb';
  readonly path: string;
  /** In English: the device's names with the bridge's labels (serial number, USB id, a recognised terminal). */
  readonly description: string;
  /** The same as coded texts (the page writes the labels in its language; the device's names stay as they are). */
  readonly descriptionCode?: CoreMessage;
}

export interface DeviceList {
  readonly devices: DeviceInfo[];
  /** Why the list is empty or incomplete, in plain words. */
  readonly note?: string;
  /** The same as coded texts, one per sentence (the page writes them in its language). */
  readonly noteCode?: CoreMessage;
}

/** The Partner Portal values, in the order the portal shows them. */
export interface EposCredentialsInput {
  readonly partnerId: string;
  readonly applicationId: string;
  readonly partnerClientId: string;
  readonly partnerSecret: string;
  readonly merchantClientId: string;
  readonly merchantSecret: string;
  readonly environment: 'demo' | 'live';
  /** Must be true for live: the operator confirmed real money moves. */
  readonly liveConfirmed?: boolean;
}

export interface EposStepResult {
  readonly ok: boolean;
  /** Plain words; the gateway's own message included when it sent one. */
  readonly message: string;
  readonly messageCode?: CoreMessage;
}

export interface EposCheckAnswer {
  readonly ok: boolean;
  readonly token: EposStepResult;
  /** Absent when the token step failed. */
  readonly session?: EposStepResult;
}

export interface EposTerminalInfo {
  readonly terminalId: string;
  readonly model?: string;
  readonly serialNumber?: string;
  readonly name?: string;
  readonly status?: string;
  readonly currency?: string;
}

export interface EposTerminalsAnswer {
  readonly terminals: EposTerminalInfo[];
}

export interface EposTestPaymentRequest extends EposCredentialsInput {
  readonly terminalId: string;
  /** Minor units; default 100 (1.00). */
  readonly amountMinor?: number;
  readonly currency?: string;
}

export interface TestPaymentRequest {
  /** A configured terminal id; default the first. */
  readonly terminal?: string;
  readonly amountMinor?: number;
  readonly currency?: string;
}

export interface TestPaymentAnswer {
  readonly outcome: Outcome;
  readonly message: string;
  readonly ref: string;
  readonly amount: Money;
  readonly kind: TransactionKind;
  readonly authCode?: string;
  readonly panMasked?: string;
  readonly terminalId?: string;
}

/** Events pushed to the page (WebSocket or IPC). */
export type StatusEvent =
  | { readonly type: 'payment'; readonly payment: PaymentView }
  /** A running payment reached a stage; `stages` is its whole trail so far, so a page never shows a gap. */
  | {
      readonly type: 'stage';
      readonly id: string;
      readonly ref: string;
      readonly terminal: string;
      readonly stage: Stage;
      readonly message: string;
      readonly at: string;
      readonly stages: StageStep[];
    }
  | { readonly type: 'terminal'; readonly terminal: TerminalView }
  | { readonly type: 'state'; readonly reason: string }
  | { readonly type: 'log'; readonly line: LogLine };

/** RFC 7807 problem details, as every error of the status API is reported. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  /** The detail as codes of the catalogue (the page writes them in its language); absent: shown as it is. */
  readonly detailCode?: CoreMessage;
  readonly instance?: string;
  /** Field problems (settings validation). */
  readonly issues?: FieldIssue[];
  /** Stable error code (BridgeError codes, ePOS error codes). */
  readonly code?: string;
}

/**
 * The one API behind the status page. Every method may fail with a ProblemDetails (thrown as StatusProblem on the
 * core side, rejected as ApiProblem in the renderer).
 */
export type { GoLiveReport, GoLiveStep } from '../ops/go-live';
import type { GoLiveReport } from '../ops/go-live';

export interface StatusApi {
  state(): Promise<StateView>;
  journalSearch(q: JournalQuery): Promise<PaymentView[]>;
  journalDetail(id: string): Promise<JournalDetail>;
  journalCsv(q: JournalQuery): Promise<string>;
  /** A payment's receipt at a width, or its duplicate for a reprint. */
  journalReceipt(q: ReceiptQuery): Promise<ReceiptView>;
  settingsGet(): Promise<SettingsView>;
  settingsValidate(config: unknown): Promise<FieldIssue[]>;
  settingsSave(req: SettingsSaveRequest): Promise<SettingsSaveAnswer>;
  logs(q: LogQuery): Promise<LogsView>;
  ippPing(req: IppPingRequest): Promise<IppPingAnswer>;
  devices(): Promise<DeviceList>;
  eposCheck(req: EposCredentialsInput): Promise<EposCheckAnswer>;
  eposTerminals(req: EposCredentialsInput): Promise<EposTerminalsAnswer>;
  eposTestPayment(req: EposTestPaymentRequest): Promise<TestPaymentAnswer>;
  testPayment(req: TestPaymentRequest): Promise<TestPaymentAnswer>;
  /** Desktop only: pause or resume the register listeners. */
  setPaused(paused: boolean): Promise<void>;
  /** Charge (confirm) or drop (discard) a total a capture listener held as a possible duplicate. */
  captureDecide(req: CaptureDecision): Promise<CaptureDecisionAnswer>;
  /** Confirm or refuse a refund or reversal the listener's money-out policy held. */
  holdDecide(req: HoldDecision): Promise<HoldDecisionAnswer>;
  /** A business day's totals, the last end of day and the day's latest reconciliation. */
  dayReports(q: ReportsQuery): Promise<DayReportsView>;
  /** Closes the running business day for the whole bridge; the reconciliation follows (event state "reconciliation"). */
  endOfDay(): Promise<EndOfDayReport>;
  /** Reconciles a business day with each terminal's host now. */
  reconcile(q: ReportsQuery): Promise<ReconciliationReport>;
  /** Recent security events (kept apart from the log); a new one is announced as event state "security". */
  securityEvents(): Promise<SecurityEventsView>;
  /** One zip for support: versions, config without secrets, doctor, last log lines, journal statistics, devices, state. */
  supportBundle(): Promise<SupportBundleView>;
  /** The go-live check of an ePOS terminal as configured, or as it would run with the Live credentials given. */
  goLiveCheck(req: GoLiveRequest): Promise<GoLiveReport>;
  /** Checks the terminal with the Live credentials and, when ready, switches it to Live (config saved, switch journalled). */
  goLiveSwitch(req: GoLiveRequest): Promise<GoLiveSwitchAnswer>;
  /** What myPOS Support asks for (Partner ID, Application ID, environment, versions, terminal IDs, last error); no secret. */
  supportInfo(): Promise<SupportInfoView>;
}

/** A secret typed in the form (kept in the keychain; desktop) or named by an environment variable. */
export type SecretInput = { readonly value: string } | { readonly env: string };

export interface GoLiveCredentials {
  readonly partnerId: string;
  readonly applicationId: string;
  readonly partnerClientId: string;
  readonly partnerSecret: SecretInput;
  readonly merchantClientId: string;
  readonly merchantSecret: SecretInput;
  /** The merchant's real terminal on Live (Demo TIDs do not exist there); default the configured one. */
  readonly terminalId?: string;
}

export interface GoLiveRequest {
  /** The bridge's id of the ePOS terminal. */
  readonly terminal: string;
  /** Live credentials to check (and switch to); absent: check the terminal as configured. */
  readonly credentials?: GoLiveCredentials;
}

export interface GoLiveSwitchAnswer {
  readonly switched: boolean;
  readonly report: GoLiveReport;
  /** What happened, in words (saved and what to do next, or why not). */
  readonly message: string;
  readonly messageCode?: CoreMessage;
}

export interface SupportInfoView {
  /** Plain text to paste into a message to myPOS Support. */
  readonly text: string;
}

/** The support bundle as the page receives it (base64, so that the same answer travels over HTTP and IPC). */
export interface SupportBundleView {
  readonly fileName: string;
  readonly contentType: 'application/zip';
  readonly base64: string;
  /** The files inside, in order. */
  readonly files: string[];
}

export type StatusMethod = keyof StatusApi;

/** Every method name, for routing tables and the IPC channel list. */
export const STATUS_METHODS = [
  'state',
  'journalSearch',
  'journalDetail',
  'journalCsv',
  'journalReceipt',
  'settingsGet',
  'settingsValidate',
  'settingsSave',
  'logs',
  'ippPing',
  'devices',
  'eposCheck',
  'eposTerminals',
  'eposTestPayment',
  'testPayment',
  'setPaused',
  'captureDecide',
  'holdDecide',
  'dayReports',
  'endOfDay',
  'reconcile',
  'securityEvents',
  'supportBundle',
  'goLiveCheck',
  'goLiveSwitch',
  'supportInfo',
] as const satisfies readonly StatusMethod[];

/** A method's single argument (or none). */
export type StatusArg<M extends StatusMethod> = Parameters<StatusApi[M]> extends [infer A] ? A : undefined;
export type StatusResult<M extends StatusMethod> = Awaited<ReturnType<StatusApi[M]>>;

/** Compile-time check that STATUS_METHODS names every method of StatusApi. */
export type MissingStatusMethods = Exclude<StatusMethod, (typeof STATUS_METHODS)[number]>;
const everyMethodListed: MissingStatusMethods extends never ? true : false = true;
void everyMethodListed;

/** How the headless status server exposes each method (the renderer's HTTP client uses the same table). */
export interface HttpRoute {
  readonly verb: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  /** Where the argument travels: nowhere, the query string, a JSON body, or the last path segment. */
  readonly arg: 'none' | 'query' | 'body' | 'id';
  /**
   * The answer as a file to download instead of JSON: the method's text answer sent with this content type, under
   * this file name (`{day}`: today's date, YYYY-MM-DD).
   */
  readonly file?: { readonly contentType: string; readonly name: string };
}

export const HTTP_ROUTES: { readonly [M in StatusMethod]: HttpRoute } = {
  state: { verb: 'GET', path: '/api/state', arg: 'none' },
  journalSearch: { verb: 'GET', path: '/api/journal', arg: 'query' },
  journalDetail: { verb: 'GET', path: '/api/journal/', arg: 'id' },
  journalCsv: {
    verb: 'GET',
    path: '/api/journal.csv',
    arg: 'query',
    file: { contentType: 'text/csv; charset=utf-8', name: 'register-bridge-journal-{day}.csv' },
  },
  journalReceipt: { verb: 'POST', path: '/api/receipt', arg: 'body' },
  settingsGet: { verb: 'GET', path: '/api/settings', arg: 'none' },
  settingsValidate: { verb: 'POST', path: '/api/settings/validate', arg: 'body' },
  settingsSave: { verb: 'PUT', path: '/api/settings', arg: 'body' },
  logs: { verb: 'GET', path: '/api/logs', arg: 'query' },
  ippPing: { verb: 'POST', path: '/api/wizard/ipp/ping', arg: 'body' },
  devices: { verb: 'GET', path: '/api/wizard/devices', arg: 'none' },
  eposCheck: { verb: 'POST', path: '/api/wizard/epos/check', arg: 'body' },
  eposTerminals: { verb: 'POST', path: '/api/wizard/epos/terminals', arg: 'body' },
  eposTestPayment: { verb: 'POST', path: '/api/wizard/epos/test-payment', arg: 'body' },
  testPayment: { verb: 'POST', path: '/api/wizard/test-payment', arg: 'body' },
  setPaused: { verb: 'POST', path: '/api/pause', arg: 'body' },
  captureDecide: { verb: 'POST', path: '/api/capture/decide', arg: 'body' },
  holdDecide: { verb: 'POST', path: '/api/holds/decide', arg: 'body' },
  dayReports: { verb: 'GET', path: '/api/reports', arg: 'query' },
  endOfDay: { verb: 'POST', path: '/api/reports/end-of-day', arg: 'none' },
  reconcile: { verb: 'POST', path: '/api/reports/reconcile', arg: 'body' },
  securityEvents: { verb: 'GET', path: '/api/security-events', arg: 'none' },
  supportBundle: { verb: 'POST', path: '/api/support-bundle', arg: 'none' },
  goLiveCheck: { verb: 'POST', path: '/api/go-live/check', arg: 'body' },
  goLiveSwitch: { verb: 'POST', path: '/api/go-live/switch', arg: 'body' },
  supportInfo: { verb: 'GET', path: '/api/support-info', arg: 'none' },
};

/** The WebSocket endpoint of the event stream. */
export const EVENTS_PATH = '/api/events';

/** Query-string fields that are numbers. */
export const NUMERIC_QUERY_FIELDS: readonly string[] = ['limit', 'after'];
