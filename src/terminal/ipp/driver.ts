/**
 * IppDriver — the bridge's TerminalDriver for a myPOS terminal in Cash-Register mode over IPP
 * (../shared/specs/mypos-ipp.md). Design note:
 *
 * - Link (§1): the driver talks to an IppLink. TCP connects per request and closes after the exchange (§4 steps 1
 *   and 5); a stream link (serial) keeps one port open. The driver does not know which.
 * - One request in flight (§4, §12.1): every terminal operation runs under a mutex.
 * - Request (§2, §3, §13): PROTOCOL, VERSION, METHOD, SID, then the method's fields (requests.ts). A fresh SID per
 *   request, handed to `ctx.beforeSend` and awaited before the first byte of a financial request (§3 "persist it
 *   before sending"). Status 38 at STAGE=1 → one retry with the other VERSION ("200" ↔ "202"), which is then kept.
 * - Exchange (§4, §5, exchange.ts): ≤ firstAnswerMs for STAGE=1; later waits = last TIMEOUT + grace, or the default.
 * - Outcome (§6, §12, results.ts):
 *   STAGE=1 STATUS≠0 → failed + `refused` (nothing happened): 1 terminal_busy (retryable), 20 not_completed_last_tx,
 *     25/26 and others terminal_error. STAGE=4 or status 31/32 → failed, Slave mode (§11).
 *   STAGE=5 → approved / declined / cancelled / failed; an approved PURCHASE (also pre-auth) or REFUND is open
 *     (`needsSettlement`, §8.1) until `settle` sends COMPLETE_TX or CANCEL_TX with SID_ORIGINAL.
 *   Status 100 → approved, then one GET_STATUS for the extra information (§6), merged when it names our payment.
 *   Connect failure before anything was written → failed, refused terminal_offline (retryable).
 *   Request written but no STAGE=1, or answer lost after STAGE=1 STATUS=0 → in_doubt with driverRef = SID; the
 *     request is never sent again (§4, §12.7); the bridge recovers with `lookup`.
 * - Register cancel (ctx.signal): IPP has no client abort (§4, §14.6). Before the request is written → cancelled,
 *   terminal untouched. Afterwards the driver keeps waiting for STAGE=5: an approved PURCHASE/REFUND is reversed at
 *   once with CANCEL_TX (→ cancelled, cancelTookEffect); if that fails the result stays approved and open
 *   (cancelTookEffect false); a payment that ends not approved is reported as it ended, cancelTookEffect true.
 * - REVERSAL voids the terminal's LAST transaction only (§8.4): when the driver knows which SID that is and the
 *   command names another one, it refuses with not_reversible instead of voiding the wrong payment.
 * - lookup (§8.3): GET_STATUS, naming the payment by SID_ORIGINAL unless `statusSelector` is "none" (unconfirmed,
 *   §14.3). Rule: a STAGE=5 answer whose SID_ORIGINAL echoes our SID, or (when no SID_ORIGINAL is echoed) whose
 *   REFERENCE_NUMBER equals our sanitised reference and whose AMOUNT, if any, equals ours, is our payment: its
 *   STATUS decides as at STAGE=5, except that STATUS 0/100 with an APPROVAL other than "00" counts as declined.
 *   A TX_STATUS that reads as cancelled/reversed turns an approval into cancelled; one that reads as completed
 *   clears needsSettlement (TX_STATUS values are not public: read as words, [inferred]).
 *   STATUS 17 TRANSACTION NOT FOUND → failed, nothing was charged. Anything else (no answer, another transaction,
 *   a refusal) → undefined: still in doubt.
 * - Card data: `raw` never holds PAN, expiry, cardholder name or track data; PAN_MASKED is kept masked (results.ts).
 *   Logs carry METHOD, SID, STAGE and STATUS only.
 */
import { BridgeError } from '../../domain/errors';
import { sameMoney } from '../../domain/money';
import type { ResultFields } from '../../domain/payment';
import type { Stage, TransactionKind } from '../../domain/vocabulary';
import { STAGE_MESSAGES } from '../../domain/vocabulary';
import type {
  DriverContext,
  LookupQuery,
  SettleResult,
  TerminalCommand,
  TerminalDriver,
  TerminalHealth,
  TerminalInfo,
  TerminalOutcome,
} from '../driver';
import { currencyFromIpp, encodeIpp } from './codec';
import { runExchange, type ExchangeEnd } from './exchange';
import { Mutex } from './mutex';
import { otherVersion, resolveIppOptions, type IppDriverOptions, type ResolvedIppOptions } from './options';
import {
  commandRequest,
  pingRequest,
  sanitiseReference,
  settleRequest,
  statusRequest,
  withHeader,
  type IppRequest,
  type RequestSettings,
} from './requests';
import { finalVerdict, resultFields, sanitiseRaw, stageOneRefusal, type Verdict } from './results';
import { isKnownCurrency } from '../../domain/currency';
import { plainStatus, SLAVE_MODE_MESSAGE, STAGE, STATUS } from './statuses';
import { coreText, said, type CoreText } from '../../i18n/say';

export type { IppDriverOptions } from './options';

/** Kinds whose approval leaves the transaction open on the terminal until COMPLETE_TX / CANCEL_TX (§8.1). */
const TWO_PHASE_KINDS: ReadonlySet<TransactionKind> = new Set(['sale', 'preauth', 'refund']);

/** The probe's wait for a TCP connection (a terminal on the LAN connects in milliseconds). */
const PROBE_CONNECT_TIMEOUT_MS = 1500;
/** How often the bridge probes an idle IPP terminal. */
export const IPP_PROBE_INTERVAL_MS = 2000;

interface TransactHooks {
  /** Awaited with the SID before the request is written (financial requests). */
  beforeWrite?(sid: string): Promise<void>;
  /** Checked after connecting and after beforeWrite: when aborted, nothing is written. */
  signal?: AbortSignal;
  stage?(stage: Stage, message?: string): void;
  /** The liveness probe: a short connect timeout, and an unreachable terminal is not logged each time. */
  probe?: boolean;
}

type HealthInfo = { -readonly [K in 'terminalId' | 'model' | 'softwareVersion' | 'currency']?: TerminalHealth[K] };

type Transacted =
  | { readonly kind: 'offline'; readonly error: Error }
  | { readonly kind: 'aborted'; readonly sid: string }
  | (ExchangeEnd & { readonly sid: string });

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class IppDriver implements TerminalDriver {
  readonly info: TerminalInfo;
  private readonly o: ResolvedIppOptions;
  private readonly settings: RequestSettings;
  private readonly mutex = new Mutex();
  private version: string;
  private closed = false;
  /** SID of the last transaction this driver saw approved (REVERSAL guard, §8.4); unknown after a restart. */
  private lastApprovedSid: string | undefined;
  private lastHealth: HealthInfo = {};

  constructor(options: IppDriverOptions) {
    this.o = resolveIppOptions(options);
    this.version = this.o.version;
    this.settings = {
      amountDecimals: this.o.amountDecimals,
      currency: this.o.currency,
      referenceNumberType: this.o.referenceNumberType,
      preauthFlag: this.o.preauthFlag,
      password: this.o.password,
      lang: this.o.lang,
    };
    this.info = {
      id: this.o.id,
      driver: 'ipp',
      link: `IPP ${this.o.link.description}`,
      ...(this.o.currency ? { currency: this.o.currency } : {}),
      probeIntervalMs: IPP_PROBE_INTERVAL_MS,
    };
  }

  /** The VERSION currently sent (changes once after a status-38 retry succeeded). */
  get protocolVersion(): string {
    return this.version;
  }

  // ---------------------------------------------------------------------------------------------------------
  // execute

  async execute(command: TerminalCommand, ctx: DriverContext): Promise<TerminalOutcome> {
    const request = commandRequest(command, this.settings);
    return this.mutex.run(() => this.executeLocked(command, request, ctx));
  }

  private async executeLocked(
    command: TerminalCommand,
    request: IppRequest,
    ctx: DriverContext,
  ): Promise<TerminalOutcome> {
    if (command.kind === 'reversal') this.checkReversible(command);
    if (this.closed) return offlineOutcome('the driver is closed');
    if (ctx.signal.aborted) return cancelledBeforeSend();

    const stage = stageEmitter(ctx, this.o.logger);
    const t = await this.transact(request, {
      beforeWrite: (sid) => ctx.beforeSend(sid),
      signal: ctx.signal,
      stage,
    });
    if (t.kind === 'offline') return offlineOutcome(`${this.o.link.description}: ${errorText(t.error)}`);
    if (t.kind === 'aborted') return { ...cancelledBeforeSend(), driverRef: t.sid };

    let result = this.outcomeOf(command, t);
    if (result.outcome === 'approved') {
      this.lastApprovedSid = command.kind === 'reversal' ? undefined : t.sid;
      if (t.kind === 'final' && t.message.status === STATUS.OK_WITH_INFO && !ctx.signal.aborted) {
        result = await this.withStatusInfo(command, t.sid, result);
      }
    }
    if (!ctx.signal.aborted) return result;
    return this.afterRegisterCancel(result, t.sid, stage);
  }

  /** Maps an exchange's end to the bridge's outcome (§4, §6, §11, §12). */
  private outcomeOf(command: TerminalCommand, t: ExchangeEnd & { sid: string }): TerminalOutcome {
    const currency = command.amount?.currency ?? command.original?.amount?.currency;
    const fields = resultFields(t.props, currency);
    const raw = sanitiseRaw(t.props);
    const driverRef = t.sid;
    switch (t.kind) {
      case 'refused': {
        const r = stageOneRefusal(t.message.status);
        return { outcome: 'failed', refused: r.refused, message: r.message, fields, raw, driverRef };
      }
      case 'slave':
        return {
          outcome: 'failed',
          refused: { code: 'config_invalid', status: t.message.get('STATUS') ?? '', retryable: false },
          message: SLAVE_MODE_MESSAGE,
          fields,
          raw,
          driverRef,
        };
      case 'lost':
        return {
          outcome: 'in_doubt',
          message: t.accepted
            ? `The terminal accepted the payment but its answer was lost (${t.reason}); the bridge will ask the terminal what happened`
            : `The terminal did not answer the request (${t.reason}); the bridge will ask the terminal what happened`,
          fields,
          raw,
          driverRef,
        };
      case 'final': {
        const v = finalVerdict(t.message.status, t.props);
        const needsSettlement = v.outcome === 'approved' && TWO_PHASE_KINDS.has(command.kind);
        return {
          outcome: v.outcome,
          message: v.message,
          fields,
          raw,
          driverRef,
          ...(needsSettlement ? { needsSettlement } : {}),
        };
      }
    }
  }

  /** §6 status 100: fetch the extra information with GET_STATUS; merged only when the answer names our payment. */
  private async withStatusInfo(
    command: TerminalCommand,
    sid: string,
    result: TerminalOutcome,
  ): Promise<TerminalOutcome> {
    try {
      const t = await this.transact(statusRequest(this.o.statusSelector === 'sid_original' ? sid : undefined));
      if (t.kind !== 'final' || !this.answerIsOurs(t.props, sid, command.reference, command.amount)) return result;
      const props = { ...t.props, ...(result.raw ?? {}) };
      const currency = command.amount?.currency ?? command.original?.amount?.currency;
      return { ...result, fields: { ...resultFields(props, currency), ...result.fields }, raw: sanitiseRaw(props) };
    } catch (e) {
      this.o.logger.warn({ err: errorText(e) }, 'GET_STATUS after status 100 failed');
      return result;
    }
  }

  private async afterRegisterCancel(
    result: TerminalOutcome,
    sid: string,
    stage: (s: Stage, m?: string) => void,
  ): Promise<TerminalOutcome> {
    if (result.outcome === 'in_doubt') return result;
    if (result.outcome !== 'approved') return { ...result, cancelTookEffect: true };
    if (!result.needsSettlement) {
      return { ...result, cancelTookEffect: false, message: `${result.message}; the register's cancel came too late` };
    }
    stage('cancelling');
    const s = await this.settleLocked(sid, 'cancel');
    if (s.ok) {
      return {
        outcome: 'cancelled',
        cancelTookEffect: true,
        message: 'Cancelled at the register: the approved payment was reversed on the terminal',
        fields: result.fields,
        ...(result.raw ? { raw: result.raw } : {}),
        driverRef: sid,
      };
    }
    return {
      ...result,
      needsSettlement: true,
      cancelTookEffect: false,
      message: `Approved; the register's cancel could not reverse it (${s.message})`,
    };
  }

  private checkReversible(command: TerminalCommand): void {
    const wanted = command.original?.driverRef;
    if (wanted && this.lastApprovedSid && wanted !== this.lastApprovedSid) {
      throw new BridgeError(
        'not_reversible',
        'Only the last transaction on the terminal can be reversed; refund this payment instead',
      );
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // settle (§8.1)

  settle(driverRef: string, decision: 'complete' | 'cancel'): Promise<SettleResult> {
    return this.mutex.run(() => this.settleLocked(driverRef, decision));
  }

  /**
   * COMPLETE_TX / CANCEL_TX with a fresh SID and SID_ORIGINAL = the payment's SID.
   * ok = the terminal answered STAGE=5 STATUS 0/100. STATUS 17 TRANSACTION NOT FOUND → ok false, nothingOpen true
   * (the terminal holds nothing open under that SID: already completed or cancelled, or never approved).
   */
  private async settleLocked(driverRef: string, decision: 'complete' | 'cancel'): Promise<SettleResult> {
    if (this.closed) return { ok: false, message: 'the driver is closed' };
    const method = decision === 'complete' ? 'COMPLETE_TX' : 'CANCEL_TX';
    let t: Transacted;
    try {
      t = await this.transact(settleRequest(decision, driverRef));
    } catch (e) {
      return { ok: false, message: `${method} could not be sent: ${errorText(e)}` };
    }
    switch (t.kind) {
      case 'offline':
        return { ok: false, message: `The terminal cannot be reached: ${errorText(t.error)}` };
      case 'aborted':
        return { ok: false, message: `${method} was not sent` };
      case 'lost':
        return { ok: false, message: `${method}: the terminal's answer was lost (${t.reason}); its state is unknown` };
      case 'slave':
        return { ok: false, message: SLAVE_MODE_MESSAGE };
      case 'refused':
      case 'final': {
        const status = t.message.status;
        if (t.kind === 'final' && (status === STATUS.OK || status === STATUS.OK_WITH_INFO)) {
          if (decision === 'cancel' && this.lastApprovedSid === driverRef) this.lastApprovedSid = undefined;
          return {
            ok: true,
            message: decision === 'complete' ? 'Completed on the terminal' : 'Reversed on the terminal',
          };
        }
        if (status === STATUS.TRANSACTION_NOT_FOUND) {
          return {
            ok: false,
            nothingOpen: true,
            message: `${method}: the terminal has no open transaction under this SID`,
          };
        }
        return { ok: false, message: `${method}: ${plainStatus(status)}` };
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // lookup (§8.3)

  lookup(query: LookupQuery): Promise<TerminalOutcome | undefined> {
    return this.mutex.run(() => this.lookupLocked(query));
  }

  private async lookupLocked(query: LookupQuery): Promise<TerminalOutcome | undefined> {
    if (this.closed) return undefined;
    const sidOriginal = this.o.statusSelector === 'sid_original' ? query.driverRef : undefined;
    let t: Transacted;
    try {
      t = await this.transact(statusRequest(sidOriginal));
    } catch (e) {
      this.o.logger.warn({ err: errorText(e) }, 'GET_STATUS could not be sent');
      return undefined;
    }
    if (t.kind !== 'final' && t.kind !== 'refused') return undefined;
    const status = t.message.status;
    const currency = query.amount?.currency;
    const base = {
      fields: resultFields(t.props, currency),
      raw: sanitiseRaw(t.props),
      ...(query.driverRef ? { driverRef: query.driverRef } : {}),
    };
    if (status === STATUS.TRANSACTION_NOT_FOUND) {
      return { ...base, outcome: 'failed', message: 'The terminal has no record of this payment; nothing was charged' };
    }
    if (t.kind !== 'final') return undefined;
    if (!this.answerIsOurs(t.props, query.driverRef, query.reference, query.amount)) return undefined;
    let v: Verdict = finalVerdict(status, t.props);
    const approval = t.props.APPROVAL?.trim();
    if (v.outcome === 'approved' && approval && approval !== '00') {
      v = { outcome: 'declined', message: `Declined (host code ${approval})` };
    }
    if (v.outcome === 'in_doubt') return undefined;
    const state = txState(t.props.TX_STATUS);
    if (v.outcome === 'approved' && state === 'reversed') {
      v = { outcome: 'cancelled', message: 'Approved, then reversed on the terminal; nothing was charged' };
    }
    const needsSettlement = v.outcome === 'approved' && state !== 'completed' && TWO_PHASE_KINDS.has(query.kind);
    return { ...base, outcome: v.outcome, message: v.message, ...(needsSettlement ? { needsSettlement } : {}) };
  }

  /** Does a GET_STATUS answer describe our payment? (rule in the design note above) */
  private answerIsOurs(
    props: Readonly<Record<string, string>>,
    sid: string | undefined,
    reference: string,
    amount: TerminalCommand['amount'],
  ): boolean {
    const echoed = props.SID_ORIGINAL?.trim();
    if (echoed) return sid !== undefined && echoed === sid;
    const ref = sanitiseReference(reference);
    if (!ref || props.REFERENCE_NUMBER !== ref) return false;
    if (amount) {
      const processed = resultFields(props, amount.currency).processedAmount;
      if (processed && !sameMoney(processed, amount)) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------------------
  // health (§7 PING, §8.3 GET_STATUS at start-up)

  async health(): Promise<TerminalHealth> {
    const checkedAt = new Date().toISOString();
    if (this.closed) return { online: false, checkedAt, ...said('message', coreText('health.closed')) };
    // The terminal is single-threaded (§4): while a payment runs, asking it would only get BUSY or disturb it.
    if (this.mutex.busy)
      return { online: true, checkedAt, ...said('message', coreText('health.busyPayment')), ...this.lastHealth };
    return this.mutex.run(() => this.healthLocked(checkedAt));
  }

  private async healthLocked(checkedAt: string): Promise<TerminalHealth> {
    const ping = await this.transact(pingRequest()).catch((e: unknown) => ({
      kind: 'offline' as const,
      error: new Error(errorText(e)),
    }));
    if (ping.kind === 'offline') {
      return {
        online: false,
        checkedAt,
        ...said('message', coreText('health.unreachable', { error: errorText(ping.error) })),
        ...this.lastHealth,
      };
    }
    const pingAnswered = ping.kind === 'final' || ping.kind === 'refused' || ping.kind === 'slave';
    const status = await this.transact(statusRequest()).catch(() => undefined);
    const statusAnswered =
      status !== undefined && (status.kind === 'final' || status.kind === 'refused' || status.kind === 'slave');
    const props = status && (status.kind === 'final' || status.kind === 'refused') ? status.props : {};
    const info: HealthInfo = {};
    if (props.TERMINAL_ID) info.terminalId = props.TERMINAL_ID;
    if (props.TERMINAL_NAME) info.model = props.TERMINAL_NAME;
    if (props.SOFTWARE_VERSION) info.softwareVersion = props.SOFTWARE_VERSION;
    const cur = terminalCurrency(props.CURRENCY_NAME);
    if (cur) info.currency = cur;
    this.lastHealth = { ...this.lastHealth, ...info };

    const online = pingAnswered || statusAnswered;
    const parts: CoreText[] = [];
    if (!online) parts.push(coreText('health.noAnswer'));
    else if (ping.kind === 'slave' || status?.kind === 'slave') parts.push(coreText('health.slaveMode'));
    else if (ping.kind === 'refused' && ping.message.status === STATUS.BUSY) parts.push(coreText('health.onlineBusy'));
    else parts.push(coreText('health.online'));
    const details: CoreText[] = [];
    if (info.terminalId) details.push(coreText('health.tid', { tid: info.terminalId }));
    if (props.SN) details.push(coreText('health.sn', { sn: props.SN }));
    if (info.softwareVersion) details.push(coreText('health.software', { version: info.softwareVersion }));
    if (details.length) parts.push(coreText('health.details', { list: details }));
    if (cur && this.o.currency && cur !== this.o.currency) {
      parts.push(coreText('health.currencyWarning', { reported: cur, configured: this.o.currency }));
    }
    return { online, checkedAt, ...said('message', parts), ...this.lastHealth };
  }

  /**
   * One PING (spec §5: "liveness check") while idle, with a connect timeout of 1.5 s: a terminal on the LAN connects in
   * milliseconds, so a vanished one shows within the probe interval plus that. Never while a payment runs (the
   * terminal is single-threaded, §4): then the last word stands.
   */
  async probe(): Promise<TerminalHealth> {
    const checkedAt = new Date().toISOString();
    if (this.closed) return { online: false, checkedAt, ...said('message', coreText('health.closed')) };
    if (this.mutex.busy)
      return { online: true, checkedAt, ...said('message', coreText('health.busyPayment')), ...this.lastHealth };
    return this.mutex.run(async () => {
      const ping = await this.transact(pingRequest(), { probe: true }).catch((e: unknown) => ({
        kind: 'offline' as const,
        error: new Error(errorText(e)),
      }));
      if (ping.kind === 'offline')
        return {
          online: false,
          checkedAt,
          ...said('message', coreText('health.unreachable', { error: errorText(ping.error) })),
          ...this.lastHealth,
        };
      const online = ping.kind === 'final' || ping.kind === 'refused' || ping.kind === 'slave';
      return {
        online,
        checkedAt,
        ...said('message', coreText(online ? 'health.online' : 'health.noAnswer')),
        ...this.lastHealth,
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.mutex.run(async () => {
      await this.o.link.close?.();
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // one request on the link, with the status-38 version retry (§3)

  private async transact(request: IppRequest, hooks: TransactHooks = {}): Promise<Transacted> {
    let version = this.version;
    for (let attempt = 0; ; attempt++) {
      const sid = this.o.sid();
      const frame = encodeIpp(withHeader(version, sid, request, this.o.lang));
      hooks.stage?.('connecting');
      let conn;
      try {
        conn = await this.o.link.open(hooks.probe ? { connectTimeoutMs: PROBE_CONNECT_TIMEOUT_MS } : undefined);
      } catch (e) {
        // The bridge logs when the terminal goes offline and comes back; a probe every few seconds says nothing more.
        if (!hooks.probe)
          this.o.logger.warn(
            { method: request.method, link: this.o.link.description, err: errorText(e) },
            'IPP terminal unreachable',
          );
        return { kind: 'offline', error: e instanceof Error ? e : new Error(String(e)) };
      }
      let end: ExchangeEnd;
      try {
        if (hooks.beforeWrite) await hooks.beforeWrite(sid);
        if (hooks.signal?.aborted) return { kind: 'aborted', sid };
        end = await runExchange(conn, {
          method: request.method,
          sid,
          frame,
          firstAnswerMs: this.o.firstAnswerMs,
          defaultStageTimeoutMs: this.o.defaultStageTimeoutMs,
          graceMs: this.o.graceMs,
          schedule: this.o.schedule,
          logger: this.o.logger,
          onWritten: () => hooks.stage?.('sent'),
          onAccepted: () => hooks.stage?.('accepted'),
          onProgress: (stage, status) => hooks.stage?.(progressStage(stage), progressMessage(stage, status)),
        });
      } finally {
        conn.release();
      }
      if (end.kind === 'refused' && end.message.status === STATUS.UNSUPPORTED_VERSION && attempt === 0) {
        const next = otherVersion(version);
        this.o.logger.warn({ method: request.method, version, next }, 'IPP version not supported; retrying once');
        version = next;
        continue;
      }
      if (attempt > 0 && !(end.kind === 'refused' && end.message.status === STATUS.UNSUPPORTED_VERSION)) {
        this.version = version;
      }
      return { ...end, sid };
    }
  }
}

// -----------------------------------------------------------------------------------------------------------

/** §5: stages 2/11 → present card, 3/13 → PIN entry, anything else intermediate → processing. */
function progressStage(stage: number | undefined): Stage {
  if (stage === STAGE.CARD || stage === STAGE.SUB_PRESENT_CARD) return 'present_card';
  if (stage === STAGE.PIN || stage === STAGE.SUB_PIN) return 'pin_entry';
  return 'processing';
}

/** An informational status with a stage (e.g. 9 INVALID PIN, §5) becomes the progress message. */
function progressMessage(stage: number | undefined, status: number | undefined): string | undefined {
  if (status === undefined || status === STATUS.OK) return undefined;
  return `${STAGE_MESSAGES[progressStage(stage)]}: ${plainStatus(status)}`;
}

/** Stage reporting that skips repeats and never lets an observer's error reach the driver. */
function stageEmitter(
  ctx: DriverContext,
  logger: ResolvedIppOptions['logger'],
): (stage: Stage, message?: string) => void {
  let last = '';
  return (stage, message) => {
    const key = `${stage}\u0000${message ?? ''}`;
    if (key === last) return;
    last = key;
    try {
      ctx.stage(stage, message);
    } catch (e) {
      logger.warn({ err: errorText(e) }, 'stage observer failed');
    }
  };
}

function cancelledBeforeSend(): TerminalOutcome {
  return {
    outcome: 'cancelled',
    cancelTookEffect: true,
    message: 'Cancelled before anything was sent to the terminal',
    fields: {},
  };
}

function offlineOutcome(detail: string): TerminalOutcome {
  return {
    outcome: 'failed',
    refused: { code: 'terminal_offline', status: '', retryable: true },
    message: `The terminal cannot be reached (${detail})`,
    fields: {} as ResultFields,
  };
}

/**
 * TX_STATUS of a GET_STATUS answer. Its values are not public (§9); read leniently as words [inferred]:
 * "cancelled"/"reversed"/"void"/"released" (a pre-authorisation let go) → the approval was taken back;
 * "completed"/"closed"/"confirmed"/"captured" (a pre-authorisation completed) → no longer open.
 * Anything else (including "OPEN" or a number) says nothing.
 */
function txState(value: string | undefined): 'reversed' | 'completed' | undefined {
  const v = value?.trim().toUpperCase() ?? '';
  if (/CANCEL|REVERS|VOID|RELEASE/.test(v)) return 'reversed';
  if (/COMPLET|CLOSED|CONFIRM|CAPTUR/.test(v)) return 'completed';
  return undefined;
}

/** CURRENCY_NAME as an alpha code when it is one (or a numeric code); format unconfirmed, so lenient. */
function terminalCurrency(name: string | undefined): string | undefined {
  const v = name?.trim().toUpperCase();
  if (!v) return undefined;
  if (/^[A-Z]{3}$/.test(v) && isKnownCurrency(v)) return v;
  return currencyFromIpp(v);
}
