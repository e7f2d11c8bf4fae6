/**
 * A simulated myPOS terminal in Cash-register mode, serving IPP (../shared/specs/mypos-ipp.md) on any byte stream
 * or on a loopback TCP port. It is the terminal behind `register-bridge serve --demo`, and the fake that the
 * integration tests, the crash harness and the benchmarks drive. Behaviour for integrators: docs/simulator.md.
 *
 * What it models, by spec section:
 *  §2  framing (terminal side in ipp-frames.ts, codec shared with the client)
 *  §3  standard properties: PROTOCOL/METHOD/SID echoed, STAGE, STATUS, TIMEOUT; VERSION checked (status 38)
 *  §4  single-threaded: while a transaction runs, every request on every link is answered BUSY (status 1)
 *  §5  stages 1 → 2 (present card) → 3 (PIN, when asked for) → 5
 *  §6  status codes; §7 methods; §8 two-phase completion, GET_STATUS, REVERSAL, REFUND, pre-authorisation
 *  §9  field formats: amounts with exactly two decimals, ISO numeric currency; PAN masked only
 * Where the spec leaves a choice open ([inferred]), the choice made here is named in a comment and in the doc.
 * Beside it: its options, faults and events (ipp-sim-types.ts), ledger entries and wire amounts (ipp-entries.ts),
 * the ledger (ipp-ledger.ts), magic amounts (ipp-magic.ts), receipts (ipp-receipt.ts) and pacing (ipp-pacing.ts).
 */
import { abortiveClose } from '../../transport/abortive-close';
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ByteStream } from '../../transport/byte-stream';
import { encodeIpp, formatIppAmount, ippCurrency, type IppMessage } from '../ipp/codec';
import { currency } from '../../domain/currency';
import { type Money } from '../../domain/money';
import { GARBAGE_FRAME, isEchoable, type IppFrame } from './ipp-frames';
import { SimConnection } from './ipp-connection';
import {
  cardFields,
  DEFAULT_CARD,
  DEFAULT_IDENTITY,
  receiptFields,
  type IppSimCard,
  type IppSimIdentity,
  type Pairs,
} from './ipp-receipt';
import { BEHAVIOUR_RESULTS, IPP_SIM_BEHAVIOURS, magicFor, type IppSimBehaviour } from './ipp-magic';
import { IppLedger, type IppLedgerEntry, type IppLedgerKind, type IppLedgerState } from './ipp-ledger';
import { loadIppState, saveIppState } from './ipp-state-file';
import {
  actionEntry,
  answerPairs,
  formatWireAmount,
  freshPreauthCode,
  outcomeEntry,
  parseWireAmount,
  txStatusFields,
} from './ipp-entries';
import { checkCount, defaultDelay, isAbort, SimulatorClosed } from './ipp-pacing';
import {
  DEFAULT_IPP_VERSIONS,
  IPP_STATUS,
  type IppSimFaults,
  type IppSimulatorEvents,
  type IppSimulatorOptions,
} from './ipp-sim-types';

export { IPP_SIM_BEHAVIOURS, type IppSimBehaviour } from './ipp-magic';
export type { IppLedgerEntry, IppLedgerKind, IppLedgerState } from './ipp-ledger';
export type { IppSimCard, IppSimIdentity } from './ipp-receipt';
export { GARBAGE_FRAME } from './ipp-frames';
export * from './ipp-sim-types';

/** Methods refused with STATUS=20 while an approved transaction is open (§8.1). COMPLETE_TX/CANCEL_TX resolve it. */
const BLOCKED_WHILE_OPEN = new Set(['PURCHASE', 'REFUND', 'REVERSAL', 'COMPLETE_PREAUTH', 'CANCEL_PREAUTH']);

/** Ledger kinds that are customer transactions (the others act on one of these). */
const CUSTOMER_KINDS: ReadonlySet<IppLedgerKind> = new Set(['sale', 'preauth', 'refund', 'preauth_completion']);

interface Request {
  readonly conn: SimConnection;
  readonly msg: IppMessage;
  readonly method: string;
  readonly sid: string;
}

export class IppSimulator extends EventEmitter<IppSimulatorEvents> {
  readonly currency: string;
  readonly identity: IppSimIdentity;
  readonly card: IppSimCard;
  private readonly opts: {
    stageDelayMs: number;
    slowStageMs: number;
    timeoutSeconds: number;
    silentTimeoutMs: number;
    partialTimeoutMs: number;
    acceptedVersions: ReadonlyArray<readonly [number, number]>;
    pinThresholdMinor: number;
    password: string | undefined;
    preauthNeedsCompletion: boolean;
    amountDecimals: number;
  };
  private readonly delayFn: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly now: () => Date;
  private readonly stateFile: string | undefined;
  private readonly book: IppLedger;
  private readonly lifetime = new AbortController();
  private readonly connections = new Set<SimConnection>();
  private server: Server | undefined;
  private nextConnectionId = 1;
  private running: { sid: string; method: string; conn: SimConnection } | undefined;
  private heldRelease: ((outcome: IppSimBehaviour | undefined) => void) | undefined;
  private readonly faultState: IppSimFaults = {
    dropAfterApproval: false,
    silentAfterStage2: false,
    offline: false,
    busyNext: 0,
    garbageNext: 0,
    hold: false,
  };

  constructor(options: IppSimulatorOptions = {}) {
    super();
    this.currency = currency(options.currency ?? 'EUR').code;
    this.identity = { ...DEFAULT_IDENTITY, ...options.identity };
    this.card = { ...DEFAULT_CARD, ...options.card };
    if (!/^[0-9]{6}\*+[0-9]{4}$/.test(this.card.panMasked)) {
      throw new Error('the simulated card must be given as a masked PAN such as 541333******1234');
    }
    const timeoutSeconds = options.timeoutSeconds ?? 60;
    this.opts = {
      stageDelayMs: options.stageDelayMs ?? (options.fast ? 0 : 300),
      slowStageMs: options.slowStageMs ?? 1500,
      timeoutSeconds,
      silentTimeoutMs: options.silentTimeoutMs ?? timeoutSeconds * 1000,
      partialTimeoutMs: options.partialTimeoutMs ?? 2000,
      acceptedVersions: options.acceptedVersions ?? DEFAULT_IPP_VERSIONS,
      pinThresholdMinor: options.pinThresholdMinor ?? 5000,
      password: options.password,
      preauthNeedsCompletion: options.preauthNeedsCompletion ?? true,
      amountDecimals: options.amountDecimals ?? 2,
    };
    this.delayFn = options.delay ?? defaultDelay;
    this.now = options.now ?? (() => new Date());
    this.stateFile = options.stateFile;
    this.book = new IppLedger((entry) => {
      if (this.stateFile) saveIppState(this.stateFile, this.book.snapshot());
      this.emit('ledger', entry);
    });
    if (this.stateFile) {
      const saved = loadIppState(this.stateFile);
      if (saved) this.book.restore(saved);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Links

  /** Serves IPP on a byte stream (a serial port, a socket, a test pipe). Returns a function that detaches it. */
  attach(stream: ByteStream, options: { closable?: boolean } = {}): () => void {
    return this.attachConnection(stream, options.closable ?? false).detach;
  }

  private attachConnection(stream: ByteStream, closable: boolean): { conn: SimConnection; detach: () => void } {
    const conn = new SimConnection(this.nextConnectionId++, stream, closable);
    this.connections.add(conn);
    const onData = (chunk: Buffer): void => this.onData(conn, chunk);
    const onClose = (): void => {
      conn.markClosed();
      this.connections.delete(conn);
      stream.off('data', onData);
      stream.off('close', onClose);
      this.emit('connection', { connectionId: conn.id, open: false });
    };
    stream.on('data', onData);
    stream.on('close', onClose);
    // A link error (reset by peer) is followed by 'close'; it must never crash the terminal.
    stream.on('error', () => {});
    this.emit('connection', { connectionId: conn.id, open: true });
    return { conn, detach: onClose };
  }

  /** Listens on TCP (loopback by default; port 0 = ephemeral). Resolves with the bound port. */
  async listen(options: { host?: string; port?: number } = {}): Promise<number> {
    if (this.server) throw new Error('the simulator is already listening');
    // Half-open allowed: a client may send its request and shut down its writing side (nc does) and still read
    // every stage; the simulator closes its side once the answers under way are sent.
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      if (this.faultState.offline || this.lifetime.signal.aborted) {
        socket.on('error', () => {});
        abortiveClose(socket);
        return;
      }
      socket.setNoDelay(true);
      // net.Socket is a ByteStream at run time; its typed `off` overload does not match the port's signature.
      const { conn } = this.attachConnection(socket as unknown as ByteStream, true);
      socket.on('end', () => {
        conn.markInputEnded();
        if (this.running?.conn !== conn) conn.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => process.emitWarning(`IPP simulator listener: ${e.message}`));
    return (server.address() as AddressInfo).port;
  }

  get port(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : undefined;
  }

  async close(): Promise<void> {
    this.lifetime.abort();
    this.heldRelease?.(undefined);
    for (const conn of this.connections) conn.destroy();
    this.connections.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Ledger and state

  ledger(): IppLedgerEntry[] {
    return this.book.all();
  }

  /** How many times money was really taken for a reference (approved, not cancelled/reversed; refunds apart). */
  netCharges(reference: string): number {
    return this.book.netCharges(reference);
  }

  netRefunds(reference: string): number {
    return this.book.netRefunds(reference);
  }

  activeHolds(reference: string): number {
    return this.book.activeHolds(reference);
  }

  /** The approved transaction waiting for COMPLETE_TX / CANCEL_TX (§8.1), if any. */
  openTransaction(): IppLedgerEntry | undefined {
    return this.book.open();
  }

  /** True while a transaction runs (between STAGE=1 STATUS=0 and STAGE=5). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Fault switches

  faults(): IppSimFaults {
    return { ...this.faultState };
  }

  setFaults(patch: Partial<IppSimFaults>): IppSimFaults {
    if (patch.busyNext !== undefined) this.faultState.busyNext = checkCount(patch.busyNext, 'busyNext');
    if (patch.garbageNext !== undefined) this.faultState.garbageNext = checkCount(patch.garbageNext, 'garbageNext');
    if (patch.dropAfterApproval !== undefined) this.faultState.dropAfterApproval = Boolean(patch.dropAfterApproval);
    if (patch.silentAfterStage2 !== undefined) this.faultState.silentAfterStage2 = Boolean(patch.silentAfterStage2);
    if (patch.hold === true) this.faultState.hold = true;
    if (patch.hold === false) this.release();
    if (patch.offline !== undefined) {
      this.faultState.offline = Boolean(patch.offline);
      if (this.faultState.offline) for (const conn of this.connections) if (conn.closable) conn.destroy();
    }
    return this.faults();
  }

  busyNext(n = 1): void {
    this.setFaults({ busyNext: n });
  }

  garbageNext(n = 1): void {
    this.setFaults({ garbageNext: n });
  }

  dropAfterApproval(on = true): void {
    this.setFaults({ dropAfterApproval: on });
  }

  silentAfterStage2(on = true): void {
    this.setFaults({ silentAfterStage2: on });
  }

  offline(on = true): void {
    this.setFaults({ offline: on });
  }

  /** Card transactions pause at stage 2 (emitting 'held') until `release()`. */
  hold(): void {
    this.faultState.hold = true;
  }

  /**
   * Clears the hold and lets a paused transaction go on. `outcome` overrides what the amount would have done
   * (e.g. 'user_cancel' for "the cardholder pressed cancel"). Returns whether a transaction was waiting.
   */
  release(outcome?: IppSimBehaviour): boolean {
    if (outcome !== undefined && !IPP_SIM_BEHAVIOURS.includes(outcome)) throw new Error(`unknown outcome ${outcome}`);
    this.faultState.hold = false;
    const waiting = this.heldRelease;
    this.heldRelease = undefined;
    waiting?.(outcome);
    return waiting !== undefined;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Request intake (§2, §3, §4)

  private onData(conn: SimConnection, chunk: Buffer): void {
    if (conn.closed) return;
    if (this.faultState.offline) {
      if (conn.closable) conn.destroy();
      return;
    }
    if (conn.partialTimer) {
      clearTimeout(conn.partialTimer);
      conn.partialTimer = undefined;
    }
    for (const frame of conn.frames.push(chunk)) this.onFrameSafely(conn, frame);
    if (conn.frames.pending > 0 && !conn.closed) {
      conn.partialTimer = setTimeout(() => {
        conn.partialTimer = undefined;
        conn.frames.reset();
        this.onFrameSafely(conn, { ok: false, error: 'partial message discarded after silence' });
      }, this.opts.partialTimeoutMs);
      conn.partialTimer.unref();
    }
  }

  /** A defect in handling one request must not take the terminal (or its host process) down: STATUS=14, go on. */
  private onFrameSafely(conn: SimConnection, frame: IppFrame): void {
    try {
      this.onFrame(conn, frame);
    } catch (e) {
      process.emitWarning(`IPP simulator: ${e instanceof Error ? e.message : String(e)}`);
      const method = frame.ok ? frame.message.get('METHOD') : frame.method;
      const sid = frame.ok ? frame.message.get('SID') : frame.sid;
      try {
        this.send(
          conn,
          method && isEchoable(method) ? method : undefined,
          sid && isEchoable(sid) ? sid : undefined,
          1,
          IPP_STATUS.INTERNAL_ERROR,
        );
      } catch {
        /* nothing more to say */
      }
    }
  }

  private onFrame(conn: SimConnection, frame: IppFrame): void {
    if (!frame.ok) {
      this.emit('request', { connectionId: conn.id, method: frame.method, sid: frame.sid, error: frame.error });
      if (this.takeGarbage(conn) || this.takeBusy(conn, frame.method, frame.sid)) return;
      this.send(conn, frame.method, frame.sid, 1, IPP_STATUS.SYNTAX_ERROR);
      return;
    }
    const msg = frame.message;
    const rawMethod = msg.get('METHOD');
    const rawSid = msg.get('SID');
    const method = rawMethod !== undefined && isEchoable(rawMethod) ? rawMethod : undefined;
    const sid = rawSid !== undefined && isEchoable(rawSid) ? rawSid : undefined;
    const fields = msg.toRecord();
    delete fields.PASSWORD;
    this.emit('request', { connectionId: conn.id, method, sid, fields });

    if (this.takeGarbage(conn) || this.takeBusy(conn, method, sid)) return;
    // §3: PROTOCOL (checked by the decoder), VERSION, METHOD and SID are mandatory.
    if (method === undefined || sid === undefined || msg.get('VERSION') === undefined) {
      this.send(conn, method, sid, 1, IPP_STATUS.SYNTAX_ERROR);
      return;
    }
    // §4: single-threaded. Whatever arrives while a transaction runs is answered BUSY.
    if (this.running) {
      this.send(conn, method, sid, 1, IPP_STATUS.BUSY);
      return;
    }
    if (!this.versionAccepted(msg.get('VERSION')!)) {
      this.send(conn, method, sid, 1, IPP_STATUS.UNSUPPORTED_PROTOCOL_VERSION);
      return;
    }
    // Own properties only: METHOD=toString or METHOD=__proto__ is an unknown method, not an object's member.
    const handler = Object.hasOwn(this.handlers, method) ? this.handlers[method] : undefined;
    if (!handler) {
      this.send(conn, method, sid, 1, IPP_STATUS.UNSUPPORTED_METHOD);
      return;
    }
    const open = this.book.open();
    if (open && BLOCKED_WHILE_OPEN.has(method)) {
      this.send(conn, method, sid, 1, IPP_STATUS.NOT_COMPLETED_LAST_TX);
      return;
    }
    handler({ conn, msg, method, sid });
  }

  private takeGarbage(conn: SimConnection): boolean {
    if (this.faultState.garbageNext <= 0) return false;
    this.faultState.garbageNext--;
    conn.write(GARBAGE_FRAME);
    return true;
  }

  private takeBusy(conn: SimConnection, method: string | undefined, sid: string | undefined): boolean {
    if (this.faultState.busyNext <= 0) return false;
    this.faultState.busyNext--;
    this.send(conn, method, sid, 1, IPP_STATUS.BUSY);
    return true;
  }

  private versionAccepted(text: string): boolean {
    if (!/^[0-9]{1,6}$/.test(text)) return false;
    const v = Number(text);
    return this.opts.acceptedVersions.some(([lo, hi]) => v >= lo && v <= hi);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Answers

  /** Sends one answer: PROTOCOL, METHOD, SID, STAGE, STATUS, [TIMEOUT], then the fields (§3, §9). */
  private send(
    conn: SimConnection,
    method: string | undefined,
    sid: string | undefined,
    stage: number,
    status: number,
    fields: Pairs = [],
    timeout?: number,
  ): void {
    conn.write(encodeIpp(answerPairs(method, sid, stage, status, fields, timeout)));
    this.emit('stage', { connectionId: conn.id, method, sid, stage, status, fields: Object.fromEntries(fields) });
  }

  private reply(req: Request, stage: number, status: number, fields: Pairs = [], withTimeout = false): void {
    this.send(req.conn, req.method, req.sid, stage, status, fields, withTimeout ? this.opts.timeoutSeconds : undefined);
  }

  private refuse(req: Request, status: number): void {
    this.reply(req, 1, status);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Methods (§7)

  private readonly handlers: Readonly<Record<string, (req: Request) => void>> = {
    PING: (req) => {
      this.reply(req, 1, IPP_STATUS.OK, [], true);
      this.reply(req, 5, IPP_STATUS.OK);
    },
    GET_STATUS: (req) => this.getStatus(req),
    PURCHASE: (req) => this.cardTransaction(req),
    REFUND: (req) => this.cardTransaction(req),
    COMPLETE_TX: (req) => this.completeTx(req),
    CANCEL_TX: (req) => this.cancelTx(req),
    REVERSAL: (req) => this.reversal(req),
    COMPLETE_PREAUTH: (req) => this.completePreauth(req),
    CANCEL_PREAUTH: (req) => this.cancelPreauth(req),
  };

  /** Runs a transaction: the terminal is busy from its STAGE=1 STATUS=0 until it ends. */
  private run(req: Request, body: () => Promise<void>): void {
    const token = { sid: req.sid, method: req.method, conn: req.conn };
    this.running = token;
    this.reply(req, 1, IPP_STATUS.OK, [], true);
    body()
      .catch((e: unknown) => {
        // A defect here must not take the terminal (or the process hosting it) down; it is reported and the
        // terminal goes back to its home screen.
        if (!(e instanceof SimulatorClosed) && !isAbort(e)) process.emitWarning(`IPP simulator: ${String(e)}`);
      })
      .finally(() => {
        if (this.running === token) this.running = undefined;
        if (req.conn.inputEnded) req.conn.end();
      });
  }

  /**
   * The transaction is over from the terminal's side (§4: it ends when STAGE=5 is sent): the terminal takes new
   * requests from here on. Called just before the final ledger change, so that whoever reacts to the 'ledger' or
   * 'stage' event finds the terminal free.
   */
  private ending(): void {
    this.running = undefined;
  }

  private async pause(ms: number): Promise<void> {
    if (this.lifetime.signal.aborted) throw new SimulatorClosed();
    try {
      await this.delayFn(ms, this.lifetime.signal);
    } catch (e) {
      if (this.lifetime.signal.aborted) throw new SimulatorClosed();
      throw e;
    }
    if (this.lifetime.signal.aborted) throw new SimulatorClosed();
  }

  /** PURCHASE (sale or, with PREAUTH_TX=1, pre-authorisation) and REFUND: stages 1 → 2 → [3] → 5. */
  private cardTransaction(req: Request): void {
    const { msg } = req;
    const isRefund = req.method === 'REFUND';
    if (isRefund && !this.passwordOk(msg)) return this.refuse(req, IPP_STATUS.WRONG_PASSWORD);
    const preauthFlag = isRefund ? undefined : msg.get('PREAUTH_TX');
    if (preauthFlag !== undefined && preauthFlag !== '0' && preauthFlag !== '1') {
      return this.refuse(req, IPP_STATUS.UNSUPPORTED_PARAM);
    }
    const kind: IppLedgerKind = isRefund ? 'refund' : preauthFlag === '1' ? 'preauth' : 'sale';
    const amount = this.parseAmount(msg.get('AMOUNT'));
    if (!amount || amount.minor === 0) return this.refuse(req, IPP_STATUS.INVALID_AMOUNT);
    // Choice ([inferred]): a CURRENCY other than the terminal's is "a property not accepted" → STATUS 3.
    if (msg.get('CURRENCY') !== ippCurrency(this.currency)) return this.refuse(req, IPP_STATUS.UNSUPPORTED_PARAM);
    const tipText = msg.get('TIP_AMOUNT');
    const tip = tipText === undefined ? undefined : this.parseAmount(tipText);
    if (tipText !== undefined && !tip) return this.refuse(req, IPP_STATUS.INVALID_AMOUNT);
    const refType = msg.get('REFERENCE_NUMBER_TYPE');
    if (refType !== undefined && !/^[0-4]$/.test(refType)) return this.refuse(req, IPP_STATUS.UNSUPPORTED_PARAM);
    const echo: Pairs = [];
    for (const name of ['REFERENCE_NUMBER_TYPE', 'REFERENCE_NUMBER', 'OPERATOR_CODE']) {
      const v = msg.get(name);
      if (v === undefined) continue;
      if (!/^[\x20-\x7e]*$/.test(v)) return this.refuse(req, IPP_STATUS.UNSUPPORTED_PARAM);
      echo.push([name, v]);
    }
    const reference = msg.get('REFERENCE_NUMBER') ?? msg.get('REFERENCE');
    if (reference !== undefined && !/^[\x20-\x7e]*$/.test(reference))
      return this.refuse(req, IPP_STATUS.UNSUPPORTED_PARAM);

    this.run(req, async () => {
      const magic = magicFor(amount.minor);
      let behaviour: IppSimBehaviour = this.faultState.silentAfterStage2 ? 'silent' : (magic?.behaviour ?? 'approve');
      const pace = magic?.slow ? this.opts.slowStageMs : this.opts.stageDelayMs;

      const amountFields: Pairs = [
        ['AMOUNT', formatIppAmount(amount, this.opts.amountDecimals)],
        ['CURRENCY', ippCurrency(this.currency)],
      ];
      if (tip) amountFields.push(['TIP_AMOUNT', formatIppAmount(tip, this.opts.amountDecimals)]);

      await this.pause(pace);
      this.reply(req, 2, IPP_STATUS.OK, [], true); // present card
      if (this.faultState.hold) {
        const override = await this.waitForRelease(req);
        if (override) behaviour = override;
      }
      if (behaviour === 'silent') {
        // Never answers; when the link closes (or the card timeout passes) the terminal gives up: nothing charged.
        await this.silence(req);
        this.ending();
        const fields: Pairs = [...amountFields, ['DECLINED_REASON1', 'NO CARD PRESENTED'], ...echo];
        this.record(req, kind, amount, tip, reference, 'aborted', IPP_STATUS.NO_CARD_FOUND, fields);
        return;
      }
      await this.pause(pace);
      if (behaviour === 'no_card' || behaviour === 'user_cancel') {
        const r = BEHAVIOUR_RESULTS[behaviour];
        const fields: Pairs = [...amountFields, ['DECLINED_REASON1', r.declinedReason!], ...echo];
        this.finish(req, kind, amount, tip, reference, 'aborted', r.status, fields);
        return;
      }

      const pin = behaviour === 'wrong_pin' || amount.minor >= this.opts.pinThresholdMinor;
      if (pin) {
        this.reply(req, 3, IPP_STATUS.OK, [], true); // enter PIN
        await this.pause(pace);
        if (behaviour === 'wrong_pin') {
          // Informational stage-3 statuses while the cardholder retries (§5 rule), then the final refusal.
          for (const triesLeft of [2, 1]) {
            this.reply(req, 3, IPP_STATUS.INVALID_PIN, [['TRIES_LEFT', String(triesLeft)]], true);
            await this.pause(pace);
          }
        }
      }

      const stan = this.book.nextStan();
      const at = this.now();
      const card = cardFields(this.identity, this.card, stan, at, pin);
      const r = BEHAVIOUR_RESULTS[behaviour];
      if (behaviour !== 'approve') {
        const fields: Pairs = [
          ...amountFields,
          ['APPROVAL', r.approval ?? '05'],
          ...card.filter(([n]) => n !== 'AUTH_CODE'),
          ['DECLINED_REASON1', r.declinedReason!],
          ...echo,
        ];
        const state: IppLedgerState = behaviour === 'host_unreachable' ? 'failed' : 'declined';
        this.finish(req, kind, amount, tip, reference, state, r.status, fields);
        return;
      }
      let preauthCode: string | undefined;
      if (kind === 'preauth') preauthCode = freshPreauthCode(this.book);
      const fields: Pairs = [...amountFields, ['APPROVAL', '00'], ...card, ...echo];
      if (preauthCode) fields.push(['PREAUTH_CODE', preauthCode]);
      const twoPhase = kind !== 'preauth' || this.opts.preauthNeedsCompletion;
      this.finish(
        req,
        kind,
        amount,
        tip,
        reference,
        twoPhase ? 'open' : 'completed',
        IPP_STATUS.OK,
        fields,
        preauthCode,
      );
    });
  }

  /** COMPLETE_TX: confirm the open transaction (§8.1). Repeating it for an already completed one is harmless. */
  private completeTx(req: Request): void {
    const target = this.followUpTarget(req);
    if (!target || !CUSTOMER_KINDS.has(target.kind)) return this.refuse(req, IPP_STATUS.TRANSACTION_NOT_FOUND);
    if (target.state !== 'open') {
      // Choice: idempotent for a confirmed transaction (the .NET SDK re-sends COMPLETE_TX, §8.1); 17 otherwise.
      if (target.state === 'completed' || target.state === 'captured') return this.quick(req, []);
      return this.refuse(req, IPP_STATUS.TRANSACTION_NOT_FOUND);
    }
    this.run(req, async () => {
      await this.pause(this.opts.stageDelayMs); // receipt printing
      this.ending();
      const at = this.iso();
      this.book.update(target.sid, { state: 'completed', updatedAt: at });
      this.action(req, 'complete_tx', target, at);
      this.reply(req, 5, IPP_STATUS.OK);
    });
  }

  /** CANCEL_TX: reverse the open (approved, not completed) transaction (§7, §8.1). */
  private cancelTx(req: Request): void {
    const target = this.followUpTarget(req);
    if (!target || !CUSTOMER_KINDS.has(target.kind)) return this.refuse(req, IPP_STATUS.TRANSACTION_NOT_FOUND);
    if (target.state !== 'open') {
      if (target.state === 'cancelled') return this.quick(req, []); // repeated cancel: already reversed
      return this.refuse(req, IPP_STATUS.REVERSAL_NOT_FOUND); // nothing open to reverse
    }
    this.run(req, async () => {
      await this.pause(this.opts.stageDelayMs); // host reversal
      this.ending();
      const at = this.iso();
      this.book.update(target.sid, { state: 'cancelled', updatedAt: at });
      this.action(req, 'cancel_tx', target, at);
      this.reply(req, 5, IPP_STATUS.OK);
    });
  }

  /** REVERSAL: void the last customer transaction only; status 18 when there is none to void (§8.4). */
  private reversal(req: Request): void {
    if (!this.passwordOk(req.msg)) return this.refuse(req, IPP_STATUS.WRONG_PASSWORD);
    const last = this.book.last((e) => CUSTOMER_KINDS.has(e.kind));
    const named = req.msg.get('SID_ORIGINAL');
    if (!last || last.state !== 'completed' || (named !== undefined && named !== last.sid)) {
      return this.refuse(req, IPP_STATUS.REVERSAL_NOT_FOUND);
    }
    this.run(req, async () => {
      await this.pause(this.opts.stageDelayMs);
      this.ending();
      const at = this.iso();
      this.book.update(last.sid, { state: 'reversed', updatedAt: at });
      const stan = this.book.nextStan();
      const fields: Pairs = [
        ['AMOUNT', this.wireAmount(last.amountMinor)],
        ['CURRENCY', ippCurrency(last.currency)],
        ['APPROVAL', '00'],
        ...receiptFields(this.identity, stan, this.now()),
      ];
      if (last.reference !== undefined) fields.push(['REFERENCE_NUMBER', last.reference]);
      this.action(req, 'reversal', last, at, fields);
      this.reply(req, 5, IPP_STATUS.OK, fields);
    });
  }

  /** COMPLETE_PREAUTH: capture (part of) a confirmed pre-authorisation (§8.4). No card needed. */
  private completePreauth(req: Request): void {
    const preauth = this.preauthFor(req);
    if (!preauth) return;
    const amount = this.parseAmount(req.msg.get('COMPLETION_AMOUNT'));
    // Choice: the completion may not exceed the authorised amount (over-completion rules vary by acquirer).
    if (!amount || amount.minor === 0 || amount.minor > preauth.amountMinor)
      return this.refuse(req, IPP_STATUS.INVALID_AMOUNT);
    const cur = req.msg.get('CURRENCY');
    if (cur !== undefined && cur !== ippCurrency(preauth.currency))
      return this.refuse(req, IPP_STATUS.UNSUPPORTED_PARAM);
    const reference = req.msg.get('REFERENCE_NUMBER') ?? preauth.reference;
    if (reference !== undefined && !/^[\x20-\x7e]*$/.test(reference))
      return this.refuse(req, IPP_STATUS.UNSUPPORTED_PARAM);
    this.run(req, async () => {
      await this.pause(this.opts.stageDelayMs); // host capture
      this.ending();
      const at = this.iso();
      this.book.update(preauth.sid, { state: 'captured', updatedAt: at });
      const stan = this.book.nextStan();
      const fields: Pairs = [
        ['AMOUNT', formatIppAmount(amount, this.opts.amountDecimals)],
        ['CURRENCY', ippCurrency(preauth.currency)],
        ['APPROVAL', '00'],
        ...cardFields(this.identity, this.card, stan, this.now(), false),
        ['PREAUTH_CODE', preauth.preauthCode!],
      ];
      if (reference !== undefined) fields.push(['REFERENCE_NUMBER', reference]);
      this.book.add({
        sid: req.sid,
        method: req.method,
        kind: 'preauth_completion',
        reference,
        amountMinor: amount.minor,
        currency: preauth.currency,
        state: 'completed',
        status: IPP_STATUS.OK,
        preauthCode: preauth.preauthCode,
        originalSid: preauth.sid,
        fields: Object.fromEntries(fields),
        at,
        updatedAt: at,
      });
      if (this.dropIfAsked(req)) return;
      this.reply(req, 5, IPP_STATUS.OK, fields);
    });
  }

  /** CANCEL_PREAUTH: release a confirmed pre-authorisation that was not completed (§8.4). */
  private cancelPreauth(req: Request): void {
    const preauth = this.preauthFor(req);
    if (!preauth) return;
    this.run(req, async () => {
      await this.pause(this.opts.stageDelayMs);
      this.ending();
      const at = this.iso();
      this.book.update(preauth.sid, { state: 'released', updatedAt: at });
      const fields: Pairs = [
        ['AMOUNT', this.wireAmount(preauth.amountMinor)],
        ['CURRENCY', ippCurrency(preauth.currency)],
        ['APPROVAL', '00'],
        ['PREAUTH_CODE', preauth.preauthCode!],
      ];
      this.action(req, 'preauth_cancel', preauth, at, fields);
      this.reply(req, 5, IPP_STATUS.OK, fields);
    });
  }

  /**
   * GET_STATUS (§8.3). Without SID_ORIGINAL: the terminal's identity and its last transaction. With SID_ORIGINAL:
   * that transaction's stage-5 answer again (its STATUS and fields), or STATUS=17 when the terminal never ran it.
   * Choices ([inferred]): the transaction's current state goes in TX_STATUS as a word (OPEN, COMPLETED, …) and the
   * last transaction's SID in SID_ORIGINAL.
   */
  private getStatus(req: Request): void {
    const named = req.msg.get('SID_ORIGINAL');
    if (named !== undefined) {
      const entry = this.book.find(named);
      if (!entry) return this.refuse(req, IPP_STATUS.TRANSACTION_NOT_FOUND);
      this.reply(req, 1, IPP_STATUS.OK, [], true);
      this.reply(req, 5, entry.status, txStatusFields(entry));
      return;
    }
    const id = this.identity;
    const fields: Pairs = [
      ['TERMINAL_ID', id.terminalId],
      ['TERMINAL_NAME', id.terminalName],
      ['SN', id.serialNumber],
      ['SOFTWARE_VERSION', id.softwareVersion],
      ['CURRENCY_NAME', this.currency],
      ['PRINTER', id.printer ? '1' : '0'],
      ['MERCHANT_ID', id.merchantId],
      ['MERCHANT_NAME', id.merchantName],
    ];
    const last = this.book.last((e) => e.kind !== 'complete_tx' && e.kind !== 'cancel_tx');
    if (last) {
      const seen = new Set(fields.map(([n]) => n));
      for (const pair of txStatusFields(last)) if (!seen.has(pair[0])) fields.push(pair);
    }
    this.reply(req, 1, IPP_STATUS.OK, [], true);
    this.reply(req, 5, IPP_STATUS.OK, fields);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  /** Stage 1 then stage 5 at once, for a follow-up that changes nothing. */
  private quick(req: Request, fields: Pairs): void {
    this.reply(req, 1, IPP_STATUS.OK, [], true);
    this.reply(req, 5, IPP_STATUS.OK, fields);
  }

  /**
   * The transaction a COMPLETE_TX / CANCEL_TX is about: SID_ORIGINAL (§8.1). Without it ([inferred], §14 item 4),
   * the request's own SID if the terminal knows it, else the open transaction.
   */
  private followUpTarget(req: Request): IppLedgerEntry | undefined {
    const named = req.msg.get('SID_ORIGINAL');
    if (named !== undefined) return this.book.find(named);
    return this.book.find(req.sid) ?? this.book.open();
  }

  /** The confirmed pre-authorisation a COMPLETE_PREAUTH / CANCEL_PREAUTH names, or undefined after refusing. */
  private preauthFor(req: Request): IppLedgerEntry | undefined {
    const code = req.msg.get('PREAUTH_CODE');
    const preauth = code !== undefined && /^[0-9]{6}$/.test(code) ? this.book.findByPreauthCode(code) : undefined;
    if (!preauth) {
      this.refuse(req, IPP_STATUS.WRONG_PREAUTH_CODE);
      return undefined;
    }
    if (preauth.state !== 'completed') {
      this.refuse(req, IPP_STATUS.PREAUTH_IS_COMPLETED); // already completed, cancelled or reversed
      return undefined;
    }
    return preauth;
  }

  private passwordOk(msg: IppMessage): boolean {
    return this.opts.password === undefined || msg.get('PASSWORD') === this.opts.password;
  }

  /** An amount exactly as §9 writes it, in this terminal's currency and decimals, else undefined. */
  private parseAmount(text: string | undefined): Money | undefined {
    return parseWireAmount(text, this.currency, this.opts.amountDecimals);
  }

  private wireAmount(minor: number): string {
    return formatWireAmount(minor, this.currency, this.opts.amountDecimals);
  }

  private record(
    req: Request,
    kind: IppLedgerKind,
    amount: Money,
    tip: Money | undefined,
    reference: string | undefined,
    state: IppLedgerState,
    status: number,
    fields: Pairs,
    preauthCode?: string,
  ): void {
    this.book.add(
      outcomeEntry(req, { kind, amount, tip, reference, state, status, fields, preauthCode, at: this.iso() }),
    );
  }

  /** Records the outcome, then sends STAGE=5 — unless dropAfterApproval loses the answer. */
  private finish(
    req: Request,
    kind: IppLedgerKind,
    amount: Money,
    tip: Money | undefined,
    reference: string | undefined,
    state: IppLedgerState,
    status: number,
    fields: Pairs,
    preauthCode?: string,
  ): void {
    this.ending();
    this.record(req, kind, amount, tip, reference, state, status, fields, preauthCode);
    if (status === IPP_STATUS.OK && this.dropIfAsked(req)) return;
    this.reply(req, 5, status, fields);
  }

  private dropIfAsked(req: Request): boolean {
    if (!this.faultState.dropAfterApproval) return false;
    req.conn.drop();
    this.emit('dropped', { sid: req.sid, method: req.method, connectionId: req.conn.id });
    return true;
  }

  /** A follow-up that took effect, recorded with the original's reference and amount. */
  private action(req: Request, kind: IppLedgerKind, original: IppLedgerEntry, at: string, fields: Pairs = []): void {
    this.book.add(actionEntry(req, kind, original, at, fields));
  }

  private waitForRelease(req: Request): Promise<IppSimBehaviour | undefined> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(new SimulatorClosed());
      if (this.lifetime.signal.aborted) return onAbort();
      this.lifetime.signal.addEventListener('abort', onAbort, { once: true });
      this.heldRelease = (outcome) => {
        this.lifetime.signal.removeEventListener('abort', onAbort);
        if (this.lifetime.signal.aborted) reject(new SimulatorClosed());
        else resolve(outcome);
      };
      this.emit('held', { sid: req.sid, method: req.method });
    });
  }

  /**
   * Says nothing until the client closes the link (or half-closes it: it will send nothing more, and the link is
   * then closed) or the terminal's own card timeout passes.
   */
  private async silence(req: Request): Promise<void> {
    const timeout = new AbortController();
    const onAbort = (): void => timeout.abort();
    this.lifetime.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race([
        req.conn.whenGone(),
        sleep(this.opts.silentTimeoutMs, undefined, { signal: timeout.signal, ref: false }),
      ]);
    } catch (e) {
      if (!isAbort(e)) throw e;
    } finally {
      timeout.abort();
      this.lifetime.signal.removeEventListener('abort', onAbort);
    }
    if (this.lifetime.signal.aborted) throw new SimulatorClosed();
  }

  private iso(): string {
    return this.now().toISOString();
  }
}
