/**
 * The status page's API on the core side: one object implementing StatusApi over the running service (bridge,
 * journal, listeners), the config file, the in-memory log and the setup wizard. The headless status server
 * serves it over HTTP + WebSocket; the desktop shell serves the very same object over IPC.
 */
import { EventEmitter } from 'node:events';
import type { Config } from '../config/schema';
import type { BridgeEvents } from '../bridge/bridge';
import { viewOf } from '../bridge/views';
import { currency } from '../domain/currency';
import { fromDecimal } from '../domain/money';
import { STAGE_MESSAGES } from '../domain/vocabulary';
import type { ListQuery, PaymentRecord } from '../journal/journal';
import { journalCsv } from '../journal/report';
import { trailStep } from '../bridge/lifecycle';
import type { Logger } from '../log/logger';
import type { Service } from '../service';
import { VERSION } from '../version';
import type {
  AttentionItem,
  CaptureDecision,
  CaptureDecisionAnswer,
  CaptureHoldView,
  DayReportsView,
  DeviceList,
  EndOfDayReport,
  EposCheckAnswer,
  EposCredentialsInput,
  EposTerminalsAnswer,
  EposTestPaymentRequest,
  FieldIssue,
  HoldDecision,
  HoldDecisionAnswer,
  IppPingAnswer,
  IppPingRequest,
  JournalDetail,
  JournalQuery,
  LogQuery,
  LogsView,
  SecurityEventsView,
  PaymentView,
  ReceiptQuery,
  ReconciliationReport,
  ReportsQuery,
  ReceiptView,
  RunningPayment,
  SettingsSaveAnswer,
  SettingsSaveRequest,
  SettingsView,
  StageStep,
  StateView,
  StatusApi,
  StatusEvent,
  SupportBundleView,
  SupportInfoView,
  GoLiveReport,
  GoLiveRequest,
  GoLiveSwitchAnswer,
  TestPaymentAnswer,
  TestPaymentRequest,
} from './contract';
import { calendarDay } from './arguments';
import type { LogRing } from './log-ring';
import { StatusProblem } from './problem';
import { eposTerminalSchema, type EposTerminalConfig } from '../terminal/epos/config';
import type { SecretContext } from '../config/secrets';
import { SettingsFile, type SecretStore } from './settings';
import { Wizard, type WizardOptions } from './wizard';
import type { SecurityEventSink } from '../security/events';
import { coreText, said, type CoreText } from '../i18n/say';
import { zodIssueText } from '../config/issue-text';

/** What the desktop shell lets the page do (absent when headless). */
export interface DesktopHooks {
  readonly keychain: boolean;
  getStartAtLogin(): boolean;
  setStartAtLogin(on: boolean): void;
  setPaused(paused: boolean): Promise<void>;
}

export interface StatusCoreOptions {
  /** The configuration the bridge runs with. */
  readonly config: Config;
  /** The config file (settings are read-only without one). */
  readonly configFile?: string;
  readonly log: Logger;
  /** Recent log lines kept in memory, when the logger writes into one. */
  readonly logs?: LogRing;
  readonly secretStore?: SecretStore;
  /** Where security-relevant settings changes are reported. */
  readonly security?: SecurityEventSink;
  readonly wizard?: Partial<Omit<WizardOptions, 'log'>>;
  readonly desktop?: DesktopHooks;
  /** How many recent payments the dashboard shows; default 15. */
  readonly recentLimit?: number;
  /** The log file the bridge writes (support bundle); default the one `register-bridge logs` reads for the config. */
  readonly logFile?: string;
}

export class StatusCore extends EventEmitter<{ event: [StatusEvent] }> implements StatusApi {
  private service: Service | undefined;
  private detachBridge: (() => void) | undefined;
  private readonly settings: SettingsFile;
  private readonly wizardImpl: Wizard;

  constructor(private readonly o: StatusCoreOptions) {
    super();
    this.settings = new SettingsFile({
      ...(o.configFile ? { file: o.configFile } : {}),
      running: o.config,
      ...(o.secretStore ? { secretStore: o.secretStore } : {}),
      ...(o.security ? { security: o.security } : {}),
    });
    this.wizardImpl = new Wizard({ log: o.log, ...o.wizard });
    o.logs?.on('line', (line) => this.emit('event', { type: 'log', line }));
  }

  /** Starts showing a running service (again, after a pause). */
  attach(service: Service): void {
    this.detach();
    this.service = service;
    const b = service.bridge;
    const onPayment = (payment: BridgeEvents['payment'][0]): void =>
      void this.emit('event', { type: 'payment', payment });
    // The whole trail goes with each stage: a page whose snapshot was taken a moment earlier than an event it
    // already applied would otherwise show the payment with a step missing.
    const onStage = (s: BridgeEvents['stage'][0]): void => {
      if (this.listenerCount('event') === 0) return;
      const record = service.journal.get(s.id);
      const stages = record ? this.stagesOf(record) : [];
      this.emit('event', {
        type: 'stage',
        id: s.id,
        ref: s.ref,
        terminal: s.terminal,
        stage: s.stage,
        message: s.message,
        at: new Date().toISOString(),
        stages,
      });
    };
    const onTerminal = (terminal: BridgeEvents['terminal'][0]): void =>
      void this.emit('event', { type: 'terminal', terminal });
    // A register connecting or going away changes the dashboard's listener cards.
    const onConnections = (): void => void this.emit('event', { type: 'state', reason: 'registers' });
    b.on('payment', onPayment);
    b.on('stage', onStage);
    b.on('terminal', onTerminal);
    for (const l of service.listeners) l.connections?.on('change', onConnections);
    // A total held as a possible duplicate, or the decision on it, changes the dashboard's list of held totals.
    const onHolds = (): void => void this.emit('event', { type: 'state', reason: 'capture' });
    service.registers.captures.on('pending', onHolds);
    service.registers.captures.on('resolved', onHolds);
    // A refund or reversal held for the operator, or the decision on it.
    const onOperatorHolds = (): void => void this.emit('event', { type: 'state', reason: 'holds' });
    service.holds.on('pending', onOperatorHolds);
    service.holds.on('resolved', onOperatorHolds);
    // A day closed or reconciled changes the reports page.
    const onEndOfDay = (): void => void this.emit('event', { type: 'state', reason: 'end_of_day' });
    const onReconciliation = (): void => void this.emit('event', { type: 'state', reason: 'reconciliation' });
    b.on('endOfDay', onEndOfDay);
    b.on('reconciliation', onReconciliation);
    // A security event (a refused foreign protocol, a flood …) changes the list on the Logs page.
    const onSecurity = (): void => void this.emit('event', { type: 'state', reason: 'security' });
    service.security.on('event', onSecurity);
    this.detachBridge = () => {
      b.off('endOfDay', onEndOfDay);
      b.off('reconciliation', onReconciliation);
      service.security.off('event', onSecurity);
      service.registers.captures.off('pending', onHolds);
      service.registers.captures.off('resolved', onHolds);
      service.holds.off('pending', onOperatorHolds);
      service.holds.off('resolved', onOperatorHolds);
      b.off('payment', onPayment);
      b.off('stage', onStage);
      b.off('terminal', onTerminal);
      for (const l of service.listeners) l.connections?.off('change', onConnections);
    };
    this.emit('event', { type: 'state', reason: 'started' });
  }

  /** Stops showing the service (it is being stopped or paused). */
  detach(): void {
    if (!this.service) return;
    this.detachBridge?.();
    this.detachBridge = undefined;
    this.service = undefined;
    this.emit('event', { type: 'state', reason: 'stopped' });
  }

  private running(): Service {
    if (!this.service)
      throw new StatusProblem(503, coreText('problem.paused'), {
        code: 'paused',
      });
    return this.service;
  }

  // ---------------------------------------------------------------- dashboard

  async state(): Promise<StateView> {
    const s = this.service;
    const desktop = this.o.desktop
      ? { desktop: { startAtLogin: true, keychain: this.o.desktop.keychain, pause: true } }
      : {};
    if (!s) {
      return {
        version: VERSION,
        paused: true,
        listeners: [],
        terminals: [],
        running: [],
        recent: [],
        attention: [],
        dataDir: '',
        ...desktop,
      };
    }
    const open = s.journal.unresolved();
    const running: RunningPayment[] = open
      .filter((r) => r.outcome === null)
      .map((r) => ({ payment: viewOf(r), stages: this.stagesOf(r) }));
    const attention: AttentionItem[] = open
      .filter((r) => r.outcome !== null)
      .map((r) => ({ payment: viewOf(r), action: attentionAction(r) }));
    const recent = s.journal.list({ limit: this.o.recentLimit ?? 15 });
    const latest = recent[0];
    return {
      version: VERSION,
      paused: false,
      listeners: s.listeners.map((l) => ({
        id: l.id,
        protocol: l.protocol,
        transport: l.transport,
        address: l.address,
        ...(l.terminal ? { terminal: l.terminal } : {}),
        registers: l.connections?.list() ?? [],
        ...(l.device ? { device: l.device() } : {}),
      })),
      terminals: s.bridge.terminals(),
      running,
      ...(latest ? { latest: { payment: viewOf(latest), stages: this.stagesOf(latest) } } : {}),
      recent: recent.map((r) => viewOf(r)),
      attention,
      dataDir: s.dataDir,
      ...desktop,
      captureHolds: s.registers.captures.listPendingConfirmations().map((p): CaptureHoldView => ({ ...p })),
      operatorHolds: s.holds.list(),
    };
  }

  private stagesOf(r: PaymentRecord): StageStep[] {
    const steps: StageStep[] = [];
    for (const e of this.running().journal.events(r.id)) {
      // Which events are steps, and of which stage, is defined with the event vocabulary (bridge/lifecycle.ts).
      const step = trailStep(e.type, e.data);
      if (step && steps[steps.length - 1]?.stage !== step.stage)
        steps.push({ stage: step.stage, message: step.message ?? STAGE_MESSAGES[step.stage], at: e.at });
    }
    return steps;
  }

  // ---------------------------------------------------------------- journal

  async journalSearch(q: JournalQuery): Promise<PaymentView[]> {
    return this.search(q, Math.min(Math.max(q.limit ?? 100, 1), 1000)).map((r) => viewOf(r));
  }

  async journalDetail(id: string): Promise<JournalDetail> {
    const s = this.running();
    const r = s.journal.get(id);
    if (!r)
      throw new StatusProblem(404, coreText('problem.noPayment', { id: JSON.stringify(id) }), {
        code: 'unknown_ref',
      });
    return {
      payment: viewOf(r),
      bridgeRef: r.bridgeRef,
      driverRef: r.driverRef,
      receiptNo: r.receiptNo,
      settlement: r.settlement,
      originalId: r.originalId,
      result: r.result,
      raw: r.raw,
      events: s.journal.events(r.id).map((e) => ({ seq: e.seq, at: e.at, type: e.type, data: e.data })),
      receipt: this.receiptOf(s, r, {}),
    };
  }

  async journalReceipt(q: ReceiptQuery): Promise<ReceiptView> {
    const s = this.running();
    const r = s.journal.get(q.id);
    if (!r)
      throw new StatusProblem(404, coreText('problem.noPayment', { id: JSON.stringify(q.id) }), {
        code: 'unknown_ref',
      });
    return this.receiptOf(s, r, {
      ...(q.width !== undefined ? { width: q.width } : {}),
      duplicate: q.duplicate === true,
    });
  }

  private receiptOf(s: Service, r: PaymentRecord, q: Omit<ReceiptQuery, 'id'>): ReceiptView {
    const duplicate = q.duplicate === true;
    const none = (why: CoreText): ReceiptView => ({
      available: false,
      ...said('note', why),
      duplicate,
      merchant: [],
      customer: [],
    });
    if (r.outcome === null) return none(coreText('receipt.running'));
    if (r.outcome === 'in_doubt') return none(coreText('receipt.inDoubt'));
    try {
      const rendering = s.bridge.receiptById(r.id, { ...(q.width !== undefined ? { width: q.width } : {}), duplicate });
      if (!rendering) return none(coreText('receipt.none'));
      return {
        available: true,
        width: rendering.width,
        duplicate,
        merchant: rendering.merchant,
        customer: rendering.customer,
      };
    } catch (e) {
      return none(coreText('receipt.failed', { error: e instanceof Error ? e.message : String(e) }));
    }
  }

  async journalCsv(q: JournalQuery): Promise<string> {
    return journalCsv(this.search(q, 1_000_000));
  }

  private search(q: JournalQuery, limit: number): PaymentRecord[] {
    const s = this.running();
    const base: ListQuery = { limit };
    const issues: FieldIssue[] = [];
    if (q.ref !== undefined && q.ref !== '') base.ref = q.ref;
    if (q.outcome !== undefined) base.outcome = q.outcome;
    // The days' format was checked with the argument (arguments.ts).
    const from = q.from !== undefined ? calendarDay(q.from) : undefined;
    if (from) base.from = from.toISOString();
    const to = q.to !== undefined ? calendarDay(q.to) : undefined;
    if (to) base.to = new Date(to.getTime() + 86_400_000).toISOString();
    // An amount as typed means different minor units per currency exponent (12.34 EUR = 1234; 12 JPY = 12).
    let candidates: Array<{ minor: number; exponent: number }> | undefined;
    if (q.amount !== undefined && q.amount.trim() !== '') {
      candidates = amountCandidates(q.amount);
      if (candidates.length === 0)
        issues.push({ field: 'amount', ...said('message', coreText('problem.notAnAmount')) });
    }
    if (issues.length)
      throw new StatusProblem(400, issues.map((i) => `${i.field} ${i.message}`).join('; '), {
        code: 'bad_request',
        issues,
        detailCode: issues.map((i) =>
          coreText('problem.fieldIssue', {
            field: i.field,
            message: i.messageCode ? [i.messageCode].flat() : i.message,
          }),
        ),
      });
    if (!candidates) return s.journal.list(base);
    const rows = candidates
      .flatMap((c) =>
        s.journal.list({ ...base, amount: c.minor }).filter((r) => exponentOf(r.amount.currency) === c.exponent),
      )
      .filter((r, i, all) => all.findIndex((x) => x.id === r.id) === i);
    return rows.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)).slice(0, limit);
  }

  // ---------------------------------------------------------------- settings and logs

  async settingsGet(): Promise<SettingsView> {
    const view = this.settings.view();
    return this.o.desktop ? { ...view, startAtLogin: this.o.desktop.getStartAtLogin() } : view;
  }

  async settingsValidate(config: unknown): Promise<FieldIssue[]> {
    return this.settings.validate(config);
  }

  async settingsSave(req: SettingsSaveRequest): Promise<SettingsSaveAnswer> {
    const answer = this.settings.save(req.config);
    if (answer.saved && this.o.desktop && req.startAtLogin !== undefined)
      this.o.desktop.setStartAtLogin(req.startAtLogin);
    return answer;
  }

  async securityEvents(): Promise<SecurityEventsView> {
    return { events: this.service?.security.recent(100) ?? [] };
  }

  async logs(q: LogQuery): Promise<LogsView> {
    return this.o.logs ? this.o.logs.query(q) : { available: false, lines: [] };
  }

  // ---------------------------------------------------------------- wizard

  async ippPing(req: IppPingRequest): Promise<IppPingAnswer> {
    return this.wizardImpl.ippPing(req);
  }

  async devices(): Promise<DeviceList> {
    return this.wizardImpl.devices();
  }

  async eposCheck(req: EposCredentialsInput): Promise<EposCheckAnswer> {
    return this.wizardImpl.eposCheck(req);
  }

  async eposTerminals(req: EposCredentialsInput): Promise<EposTerminalsAnswer> {
    return this.wizardImpl.eposTerminals(req);
  }

  async eposTestPayment(req: EposTestPaymentRequest): Promise<TestPaymentAnswer> {
    return this.wizardImpl.eposTestPayment(req);
  }

  async testPayment(req: TestPaymentRequest): Promise<TestPaymentAnswer> {
    const currencyOf = (id: string): string | undefined => {
      const t = this.o.config.terminals.find((x) => x.id === id);
      return t && 'currency' in t ? t.currency : undefined;
    };
    return this.wizardImpl.testPayment(this.running().bridge, req, currencyOf);
  }

  async setPaused(paused: boolean): Promise<void> {
    if (!this.o.desktop) throw new StatusProblem(409, coreText('problem.pauseDesktopOnly'), { code: 'unsupported' });
    await this.o.desktop.setPaused(paused);
  }

  // ---------------------------------------------------------------- end of day and reconciliation (docs/receipts.md)

  async dayReports(q: ReportsQuery): Promise<DayReportsView> {
    const { reports } = this.running();
    const day = q.day;
    const totals = reports.totals(day ? { day } : {});
    const lastEndOfDay = reports.lastEndOfDay();
    const reconciliation = reports.latestReconciliation(totals.businessDay);
    return { totals, ...(lastEndOfDay ? { lastEndOfDay } : {}), ...(reconciliation ? { reconciliation } : {}) };
  }

  async endOfDay(): Promise<EndOfDayReport> {
    return this.running().bridge.endOfDay({});
  }

  async supportBundle(): Promise<SupportBundleView> {
    const s = this.running();
    const [{ buildSupportBundle }, { systemDoctorEnv }, { configFileFor }, { logFileFor }] = await Promise.all([
      import('../ops/support-bundle'),
      import('../ops/doctor/system'),
      import('../config/paths'),
      import('../log/files'),
    ]);
    const bundle = await buildSupportBundle({
      configFile: this.o.configFile ?? configFileFor({}),
      dataDir: () => s.dataDir,
      logFile: () => this.o.logFile ?? logFileFor({ dataDir: this.o.config.dataDir }),
      doctorEnv: systemDoctorEnv({ secrets: { env: process.env } }),
      live: {
        listeners: s.listeners.map((l) => ({
          id: l.id,
          protocol: l.protocol,
          transport: l.transport,
          address: l.address,
          connections: l.connections?.list().length ?? 0,
          ...(l.device ? { device: l.device() } : {}),
        })),
        terminals: s.bridge.terminals(),
      },
    });
    this.o.log.info({ files: bundle.files.length, bytes: bundle.zip.length }, 'support bundle made');
    return {
      fileName: bundle.fileName,
      contentType: 'application/zip',
      base64: bundle.zip.toString('base64'),
      files: bundle.files,
    };
  }

  // ---------------------------------------------------------------- going live (Demo → Live)

  async goLiveCheck(req: GoLiveRequest): Promise<GoLiveReport> {
    const { candidate, secrets } = this.goLiveCandidate(req);
    return this.runGoLive(candidate, secrets);
  }

  /**
   * Demo → Live: nothing carries over (new credentials, the merchant's approval again), so the terminal is checked
   * with the Live credentials first; only a ready terminal is switched: the config saved with the secrets in the
   * keychain (or named environment variables), the switch recorded in the journal. It takes effect at the restart.
   */
  async goLiveSwitch(req: GoLiveRequest): Promise<GoLiveSwitchAnswer> {
    if (!req.credentials)
      throw new StatusProblem(400, coreText('problem.liveCredentialsNeeded'), {
        code: 'bad_request',
        issues: [{ field: 'credentials', message: 'required', messageCode: coreText('config.issue.required') }],
      });
    const typed = (['partnerSecret', 'merchantSecret'] as const).filter((f) => 'value' in req.credentials![f]);
    if (typed.length && !this.o.secretStore) {
      throw new StatusProblem(400, coreText('problem.noKeychain'), {
        code: 'bad_request',
        issues: typed.map((f) => ({
          field: `credentials.${f}`,
          ...said('message', coreText('problem.nameEnvVariable')),
        })),
      });
    }
    const { candidate, secrets, current } = this.goLiveCandidate(req);
    const report = await this.runGoLive(candidate, secrets);
    if (!report.ready)
      return {
        switched: false,
        report,
        ...said('message', coreText('golive.notSwitched')),
      };
    const view = this.settings.view();
    if (!view.writable)
      return {
        switched: false,
        report,
        ...said('message', coreText('golive.noConfigNoSwitch')),
      };
    const config = JSON.parse(JSON.stringify(view.config)) as { terminals?: Array<Record<string, unknown>> };
    const c = req.credentials;
    const secretRef = (field: 'partnerSecret' | 'merchantSecret'): unknown =>
      'env' in c[field] ? { env: c[field].env } : c[field].value;
    config.terminals = (config.terminals ?? []).map((t) =>
      t.id !== current.id
        ? t
        : {
            ...t,
            environment: 'live',
            partnerId: c.partnerId,
            applicationId: c.applicationId,
            partnerClientId: c.partnerClientId,
            partnerSecret: secretRef('partnerSecret'),
            merchantClientId: c.merchantClientId,
            merchantSecret: secretRef('merchantSecret'),
            terminalId: candidate.terminalId,
          },
    );
    // The Live secrets were entered in this request and checked against the Live gateway above.
    const saved = this.settings.save(config, { secretsEnteredFor: [current.id] });
    if (!saved.saved)
      return {
        switched: false,
        report,
        message: `Not saved: ${saved.issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
        messageCode: coreText('golive.switchNotSaved', {
          issues: saved.issues.map((i) =>
            coreText('problem.fieldIssue', {
              field: i.field,
              message: i.messageCode ? [i.messageCode].flat() : i.message,
            }),
          ),
        }),
      };
    this.running().journal.recordEnvironmentSwitch({
      terminal: current.id,
      from: current.environment,
      to: 'live',
      check: report,
    });
    this.o.log.warn({ terminal: current.id, terminalId: candidate.terminalId }, 'terminal switched from Demo to Live');
    return {
      switched: true,
      report,
      ...said('message', coreText('golive.switched', { terminal: current.id, tid: candidate.terminalId })),
    };
  }

  async supportInfo(): Promise<SupportInfoView> {
    const s = this.running();
    const lines = [`Register Bridge ${VERSION}`];
    for (const t of this.o.config.terminals) {
      const view = s.bridge.terminals().find((v) => v.id === t.id);
      if (t.driver === 'epos')
        lines.push(
          `Terminal ${t.id}: ePOS, ${t.environment === 'live' ? 'Live' : 'Demo'}, TID ${t.terminalId}, Partner ID ${t.partnerId}, Application ID ${t.applicationId}`,
        );
      else
        lines.push(
          `Terminal ${t.id}: ${view?.driver ?? t.driver}${view?.terminalId ? `, TID ${view.terminalId}` : ''}`,
        );
      if (view) lines.push(`  state ${view.state}${view.message ? `: ${view.message}` : ''}`);
    }
    const lastError = this.o.logs?.query({ level: 'error', limit: 1 }).lines.at(-1);
    lines.push(`Last error: ${lastError ? `${lastError.time} ${lastError.msg}` : 'none since the bridge started'}`);
    return { text: `${lines.join('\n')}\n` };
  }

  private goLiveCandidate(req: GoLiveRequest): {
    candidate: EposTerminalConfig;
    secrets: SecretContext;
    current: EposTerminalConfig;
  } {
    const current = this.o.config.terminals.find((t) => t.id === req.terminal);
    if (!current || current.driver !== 'epos')
      throw new StatusProblem(404, coreText('problem.noEposTerminal', { terminal: req.terminal }), {
        code: 'unknown_terminal',
      });
    const env = { env: process.env };
    const c = req.credentials;
    if (!c) return { candidate: current, secrets: env, current };
    // Typed secrets are checked from memory as the keychain entries they become when saved.
    const typed = new Map<string, string>();
    const ref = (field: 'partnerSecret' | 'merchantSecret'): { env: string } | { keychain: string } => {
      const input = c[field];
      if ('env' in input) return { env: input.env };
      typed.set(`go-live.${field}`, input.value);
      return { keychain: `go-live.${field}` };
    };
    const parsed = eposTerminalSchema.safeParse(
      {
        ...current,
        environment: 'live',
        partnerId: c.partnerId,
        applicationId: c.applicationId,
        partnerClientId: c.partnerClientId,
        partnerSecret: ref('partnerSecret'),
        merchantClientId: c.merchantClientId,
        merchantSecret: ref('merchantSecret'),
        terminalId: c.terminalId?.trim() || current.terminalId,
      },
      { reportInput: true },
    );
    if (!parsed.success) {
      throw new StatusProblem(400, coreText('problem.liveCredentialsIncomplete'), {
        code: 'bad_request',
        issues: parsed.error.issues.map((i) => ({
          field: i.path.join('.'),
          message: i.message,
          messageCode: zodIssueText(i),
        })),
      });
    }
    return { candidate: parsed.data, secrets: { ...env, keychain: { read: (name) => typed.get(name) } }, current };
  }

  private async runGoLive(candidate: EposTerminalConfig, secrets: SecretContext): Promise<GoLiveReport> {
    const s = this.running();
    const [{ runGoLiveCheck }, { logFileFor }] = await Promise.all([import('../ops/go-live'), import('../log/files')]);
    return runGoLiveCheck(candidate, {
      secrets,
      dataDir: s.dataDir,
      logFile: this.o.logFile ?? logFileFor({ dataDir: this.o.config.dataDir }),
      openPayments: (terminal, environment) => s.journal.openOnEnvironment(terminal, environment),
    });
  }

  async reconcile(q: ReportsQuery): Promise<ReconciliationReport> {
    const b = this.running().bridge;
    const day = q.day;
    return b.reconcile(day ? { day } : {});
  }

  // ---------------------------------------------------------------- capture holds (docs/legacy-registers.md §5)

  async captureDecide(req: CaptureDecision): Promise<CaptureDecisionAnswer> {
    const captures = this.running().registers.captures;
    const { id, action } = req;
    const gone = (): StatusProblem =>
      new StatusProblem(404, coreText('problem.noHeldTotal', { id: JSON.stringify(id) }), { code: 'unknown_ref' });
    if (action === 'discard') {
      if (!captures.discard(id)) throw gone();
      this.o.log.info({ hold: id }, 'held capture total discarded by the operator');
      return { action: 'discarded' };
    }
    if (!captures.listPendingConfirmations().some((p) => p.id === id)) throw gone();
    const { ref } = captures.confirm(id);
    this.o.log.info({ hold: id, ref }, 'held capture total confirmed by the operator: payment started');
    return { action: 'confirmed', ref };
  }

  // ---------------------------------------------------------------- money-out holds (docs/operator.md)

  async holdDecide(req: HoldDecision): Promise<HoldDecisionAnswer> {
    const service = this.running();
    const { id, action } = req;
    const hold = service.holds.list().find((h) => h.id === id);
    if (!hold || !service.holds.decide(id, action)) {
      throw new StatusProblem(404, coreText('problem.nothingHeld', { id: JSON.stringify(id) }), {
        code: 'unknown_ref',
      });
    }
    this.o.log.info(
      { hold: id, listener: hold.listener, ref: hold.ref, kind: hold.kind },
      `held ${hold.kind} ${action === 'confirm' ? 'confirmed' : 'refused'} by the operator`,
    );
    return { action: action === 'confirm' ? 'confirmed' : 'refused' };
  }
}

function exponentOf(code: string): number | undefined {
  try {
    return currency(code).exponent;
  } catch {
    return undefined;
  }
}

/** The minor-unit values a typed amount stands for, per currency exponent (0, 2, 3), parsed exactly. */
function amountCandidates(text: string): Array<{ minor: number; exponent: number }> {
  const out: Array<{ minor: number; exponent: number }> = [];
  for (const [code, exponent] of [
    ['JPY', 0],
    ['EUR', 2],
    ['KWD', 3],
  ] as const) {
    try {
      out.push({ minor: fromDecimal(text, code).minor, exponent });
    } catch {
      // Not representable in this exponent (e.g. "12.34" has no JPY reading).
    }
  }
  return out;
}

/** What the bridge is doing about a payment that needs attention, in plain words. */
function attentionAction(r: PaymentRecord): string {
  if (r.outcome === 'in_doubt') {
    return (
      `The terminal could not yet tell whether this payment went through. The bridge keeps asking terminal ${r.terminal} by itself ` +
      'and records the answer; the register gets it when it asks for this reference again. Do not take the payment again before it is resolved.'
    );
  }
  switch (r.settlement) {
    case 'pending':
      return 'Approved on the terminal; waiting for the register to take the result. If it does not, the bridge reverses the payment.';
    case 'complete':
      return `Approved and taken by the register; the bridge is confirming it on terminal ${r.terminal}.`;
    case 'cancel':
      return `The register did not take the approval; the bridge is reversing the payment on terminal ${r.terminal}.`;
    default:
      return 'The bridge is finishing this payment.';
  }
}
