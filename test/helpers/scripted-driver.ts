import type {
  DriverContext,
  LookupQuery,
  SettleResult,
  TerminalCommand,
  TerminalDriver,
  TerminalHealth,
  TerminalOutcome,
} from '../../src/terminal/driver';

/**
 * A terminal driver whose answers a test scripts: each `execute` takes the next scripted step. Used to test the
 * bridge's orchestration (queueing, settlement, recovery) at the port, independent of any wire protocol.
 */
export type Step = (cmd: TerminalCommand, ctx: DriverContext, sid: string) => Promise<TerminalOutcome>;

export class ScriptedDriver implements TerminalDriver {
  readonly info;
  readonly executed: TerminalCommand[] = [];
  readonly settled: Array<{ driverRef: string; decision: 'complete' | 'cancel' }> = [];
  readonly lookups: LookupQuery[] = [];
  private steps: Step[] = [];
  private seq = 0;
  lookupAnswer: (q: LookupQuery) => TerminalOutcome | undefined = () => undefined;
  settleAnswer: (driverRef: string, decision: 'complete' | 'cancel') => SettleResult = () => ({
    ok: true,
    message: 'ok',
  });

  constructor(id = 't1', currency = 'EUR') {
    this.info = { id, driver: 'scripted', link: 'scripted', currency };
  }

  script(...steps: Step[]): void {
    this.steps.push(...steps);
  }

  async execute(cmd: TerminalCommand, ctx: DriverContext): Promise<TerminalOutcome> {
    this.executed.push(cmd);
    const sid = `sid-${++this.seq}`;
    const step = this.steps.shift();
    if (!step) throw new Error(`no scripted step for ${cmd.kind} ${cmd.reference}`);
    return step(cmd, ctx, sid);
  }

  async settle(driverRef: string, decision: 'complete' | 'cancel'): Promise<SettleResult> {
    this.settled.push({ driverRef, decision });
    return this.settleAnswer(driverRef, decision);
  }

  async lookup(q: LookupQuery): Promise<TerminalOutcome | undefined> {
    this.lookups.push(q);
    return this.lookupAnswer(q);
  }

  async health(): Promise<TerminalHealth> {
    return { online: true, checkedAt: new Date().toISOString(), message: 'scripted' };
  }

  async close(): Promise<void> {}
}

/** Approves after announcing the SID; two-phase like IPP when `open`. */
export function approve(open = true, fields: Record<string, string> = { authCode: 'A1B2C3' }): Step {
  return async (_cmd, ctx, sid) => {
    await ctx.beforeSend(sid);
    ctx.stage('present_card');
    return { outcome: 'approved', fields, driverRef: sid, needsSettlement: open, message: 'Approved' };
  };
}

export function decline(): Step {
  return async (_cmd, ctx, sid) => {
    await ctx.beforeSend(sid);
    return { outcome: 'declined', fields: { hostCode: '51' }, driverRef: sid, message: 'Declined: insufficient funds' };
  };
}

export function lost(): Step {
  return async (_cmd, ctx, sid) => {
    await ctx.beforeSend(sid);
    return { outcome: 'in_doubt', fields: {}, driverRef: sid, message: 'Link lost' };
  };
}

export function refused(code: 'terminal_busy' | 'not_completed_last_tx' | 'terminal_offline'): Step {
  return async () => ({
    outcome: 'failed',
    fields: {},
    refused: { code, status: code, retryable: true },
    message: code,
  });
}

/** Waits until `release()` is called (or the signal aborts) before answering with `then`. */
export function held(then: Step): { step: Step; release: () => void; reached: Promise<void> } {
  let release!: () => void;
  let reached!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const reachedP = new Promise<void>((r) => (reached = r));
  return {
    release,
    reached: reachedP,
    step: async (cmd, ctx, sid) => {
      await ctx.beforeSend(sid);
      reached();
      await Promise.race([gate, new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r()))]);
      return then(cmd, { ...ctx, beforeSend: async () => undefined }, sid);
    },
  };
}
