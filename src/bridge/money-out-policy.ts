/**
 * A listener's money-out policy: which operations its registers may run, how much may go back to cards through
 * refunds and reversals (per transaction and per business day, per currency), and above which amount an operator
 * must confirm first (docs/operator.md "Money-out policy").
 *
 * It sits in front of the bridge as a BridgeApi of its own per listener (`policyApi`): the register protocols
 * call it as they call the bridge, and a refusal is a BridgeError each protocol answers in its own words
 * (`not_allowed`, `limit_exceeded`, `refused_by_operator`). The day's totals are read from the journal, so they
 * hold across restarts. Without a policy a listener runs everything, as before.
 */
import { z } from 'zod';
import { isKnownCurrency } from '../domain/currency';
import { BridgeError } from '../domain/errors';
import { formatMoney, type Money } from '../domain/money';
import type { PaymentRequest } from '../domain/payment';
import { STAGE_MESSAGES } from '../domain/vocabulary';
import { coreText, said, type CoreText } from '../i18n/say';
import { codedIssue } from '../config/issue-text';
import { opClassOf } from '../domain/settlement';
import type { PaymentRecord } from '../journal/journal';
import type { Logger } from '../log/logger';
import { businessDayWindow, type BusinessDaySettings } from '../reports/business-day';
import type { SecurityEventSink } from '../security/events';
import type { BridgeApi, CancelAnswer, PaymentHandle, PaymentObserver, RegisterIdentity } from './api';
import type { OperatorHolds } from './operator-holds';

/** What a policy can allow: the payment kinds, and the register commands that close a day or set up a register. */
export const POLICY_OPERATIONS = [
  'sale',
  'refund',
  'reversal',
  'preauth',
  'completion',
  'preauth_cancel',
  'end_of_day',
  'registration',
] as const;
export type PolicyOperation = (typeof POLICY_OPERATIONS)[number];

const minor = z
  .number({ error: 'must be an amount in minor units (cents), e.g. 5000 for 50.00' })
  .int('must be a whole number of minor units')
  .positive('must be greater than zero');

/** Limits for refunds and reversals in one currency, in minor units. */
export const moneyOutLimitSchema = z
  .object({
    /** A refund or reversal above this is refused. */
    perTransaction: minor.optional(),
    /** Refunds and reversals of one business day on this listener together; one that would pass it is refused. */
    perDay: minor.optional(),
    /** A refund or reversal above this waits for an operator's confirmation on the status page. */
    confirmAbove: minor.optional(),
  })
  .strict();

export const moneyOutPolicySchema = z
  .object({
    /** Operations the registers of this listener may run; default all. */
    allow: z.array(z.enum(POLICY_OPERATIONS, { error: `must be one of ${POLICY_OPERATIONS.join(', ')}` })).optional(),
    /** Per currency (ISO 4217 alpha code): limits for money going back to cards. */
    limits: z
      .record(z.string().refine(isKnownCurrency, codedIssue(coreText('config.currency'))), moneyOutLimitSchema)
      .optional(),
    /** Seconds a held refund or reversal waits for the operator before it is refused (default 120). */
    confirmTimeoutSeconds: z.number().int().min(10).max(900).optional(),
  })
  .strict();

export type MoneyOutPolicyConfig = z.infer<typeof moneyOutPolicySchema>;

const DEFAULT_CONFIRM_TIMEOUT_S = 120;

/** What the policy reads from the journal. */
export interface PolicyJournal {
  findByRef(register: string, ref: string, opClass: PaymentRecord['opClass']): PaymentRecord | undefined;
  get(id: string): PaymentRecord | undefined;
  createdBetween(from: string, to: string): PaymentRecord[];
}

export interface MoneyOutPolicyOptions {
  readonly listener: string;
  readonly policy: MoneyOutPolicyConfig | undefined;
  readonly journal: PolicyJournal;
  readonly holds: OperatorHolds;
  readonly businessDay?: BusinessDaySettings;
  readonly log: Logger;
  readonly security?: SecurityEventSink;
  readonly now?: () => Date;
}

const FAILED: ReadonlySet<string> = new Set(['declined', 'cancelled', 'failed']);

/** Names of the operations in the log and journal (a register shows the catalogue's words for the error code). */
const OPERATION_NAMES: Readonly<Record<PolicyOperation, string>> = {
  sale: 'Sale',
  refund: 'Refund',
  reversal: 'Reversal',
  preauth: 'Pre-authorisation',
  completion: 'Completion',
  preauth_cancel: 'Release of a pre-authorisation',
  end_of_day: 'End of day',
  registration: 'Registration',
};

/** An operation's name as a coded text, for a parameter of a security event's detail. */
function opText(operation: PolicyOperation): CoreText[] {
  return [coreText(`security.operation.${operation}`)];
}

export class MoneyOutPolicy {
  private readonly allowed: ReadonlySet<PolicyOperation>;
  private readonly now: () => Date;

  constructor(private readonly o: MoneyOutPolicyOptions) {
    this.allowed = new Set(o.policy?.allow ?? POLICY_OPERATIONS);
    this.now = o.now ?? (() => new Date());
  }

  /** Throws `not_allowed` when the listener's policy does not allow the operation. */
  permit(who: RegisterIdentity | undefined, operation: PolicyOperation): void {
    if (this.allowed.has(operation)) return;
    this.refuse(
      who,
      'not_allowed',
      `${OPERATION_NAMES[operation]} is not allowed on listener ${this.o.listener}`,
      { operation },
      (register) =>
        coreText('security.policyNotAllowed', { register, operation: opText(operation), listener: this.o.listener }),
    );
  }

  /**
   * Checks a payment request against the policy before it reaches the bridge. Resolves when it may go ahead (at
   * once, or after an operator confirmed it); throws the refusal otherwise.
   */
  async admit(who: RegisterIdentity, request: PaymentRequest, observer?: PaymentObserver): Promise<void> {
    this.permit(who, request.kind);
    if (request.kind !== 'refund' && request.kind !== 'reversal') return;
    const kind = request.kind;
    // A resend of a known ref attaches to what the journal has: nothing new goes out.
    if (this.o.journal.findByRef(who.register, request.ref, opClassOf(kind))) return;
    const amount = this.moneyOut(who, request);
    if (!amount) return;
    const limits = this.o.policy?.limits?.[amount.currency];
    if (!limits) return;
    const show = (minorUnits: number): string => formatMoney({ minor: minorUnits, currency: amount.currency });
    const operation = OPERATION_NAMES[kind];
    const perTransaction = limits.perTransaction;
    if (perTransaction !== undefined && amount.minor > perTransaction) {
      this.refuse(
        who,
        'limit_exceeded',
        `${operation} of ${formatMoney(amount)} is above this listener's limit of ${show(perTransaction)} per transaction`,
        {
          currency: amount.currency,
          limit: perTransaction,
        },
        (register) =>
          coreText('security.policyAboveLimit', {
            register,
            operation: opText(kind),
            amount: formatMoney(amount),
            limit: show(perTransaction),
          }),
      );
    }
    const perDay = limits.perDay;
    if (perDay !== undefined) {
      const today = this.dayTotal(amount.currency);
      if (today + amount.minor > perDay) {
        this.refuse(
          who,
          'limit_exceeded',
          `${operation} of ${formatMoney(amount)} would pass this listener's limit of ${show(perDay)} per business day (${show(today)} so far)`,
          {
            currency: amount.currency,
            dayLimit: perDay,
            dayTotal: today,
          },
          (register) =>
            coreText('security.policyDayLimit', {
              register,
              operation: opText(kind),
              amount: formatMoney(amount),
              limit: show(perDay),
              total: show(today),
            }),
        );
      }
    }
    if (limits.confirmAbove !== undefined && amount.minor > limits.confirmAbove) {
      await this.confirm(who, kind, request.ref, amount, show(limits.confirmAbove), observer);
    }
  }

  /** A register cancels a request still held: it is withdrawn. */
  withdraw(who: RegisterIdentity, ref: string): boolean {
    return this.o.holds.withdraw(who.register, ref);
  }

  /** The money a refund or reversal sends back to a card; undefined when it sends none the policy limits. */
  private moneyOut(who: RegisterIdentity, request: PaymentRequest): Money | undefined {
    if (request.kind === 'refund') return request.amount;
    const original = this.o.journal.findByRef(who.register, request.ref, 'payment');
    // Unknown refs are refused by the bridge; reversing a refund takes money in, not out.
    if (!original || original.kind === 'refund') return undefined;
    return original.amount;
  }

  /** Refunds and reversals of the running business day on this listener, from the journal, plus held ones. */
  private dayTotal(currency: string): number {
    const day = businessDayWindow(undefined, this.o.businessDay, this.now());
    let total = 0;
    for (const r of this.o.journal.createdBetween(day.from, day.to)) {
      if (
        !this.ownRegister(r.register) ||
        r.amount.currency !== currency ||
        (r.outcome !== null && FAILED.has(r.outcome))
      )
        continue;
      if (r.kind === 'refund') total += r.amount.minor;
      else if (r.kind === 'reversal') {
        const original = r.originalId ? this.o.journal.get(r.originalId) : undefined;
        if (original?.kind !== 'refund') total += r.amount.minor;
      }
    }
    for (const h of this.o.holds.list())
      if (h.listener === this.o.listener && h.amount.currency === currency) total += h.amount.minor;
    return total;
  }

  private ownRegister(register: string): boolean {
    return register === this.o.listener || register.startsWith(`${this.o.listener}/`);
  }

  private async confirm(
    who: RegisterIdentity,
    kind: 'refund' | 'reversal',
    ref: string,
    amount: Money,
    above: string,
    observer?: PaymentObserver,
  ): Promise<void> {
    const { holds, log, security, listener } = this.o;
    const reason = `above ${above}`;
    const [operation, money, register] = [opText(kind), formatMoney(amount), who.register];
    const timeoutMs = (this.o.policy?.confirmTimeoutSeconds ?? DEFAULT_CONFIRM_TIMEOUT_S) * 1000;
    const joined = holds.find(who.register, ref, kind);
    const held =
      joined ?? holds.hold({ listener, register: who.register, kind, ref, amount, reason }, timeoutMs, this.now());
    if (!joined) {
      log.warn(
        { listener, register: who.register, ref, kind, amount: formatMoney(amount), hold: held.view.id },
        `${kind} held for the operator's confirmation (${reason})`,
      );
      security?.record({
        kind: 'policy_held',
        listener,
        ...said('detail', coreText('security.policyHeld', { operation, ref, amount: money, register, limit: above })),
      });
    }
    observer?.stage?.({ ref, stage: 'awaiting_manager', message: STAGE_MESSAGES.awaiting_manager });
    const decision = await held.decided;
    if (!joined) {
      log.info(
        { listener, register: who.register, ref, kind, hold: held.view.id, decision },
        `held ${kind} ${decision}`,
      );
      security?.record({
        kind: 'policy_held',
        listener,
        ...said(
          'detail',
          coreText('security.policyDecided', {
            operation,
            ref,
            amount: money,
            register,
            decision: [coreText(`security.decision.${decision}`)],
          }),
        ),
      });
    }
    if (decision === 'confirmed') return;
    const how: Record<typeof decision, string> = {
      refused: 'refused by the manager',
      expired: 'not confirmed by the manager in time',
      withdrawn: 'withdrawn by the register',
    };
    throw new BridgeError(
      'refused_by_operator',
      `${OPERATION_NAMES[kind]} of ${formatMoney(amount)} was ${how[decision]}; nothing was sent to the terminal`,
      { decision },
    );
  }

  private refuse(
    who: RegisterIdentity | undefined,
    code: 'not_allowed' | 'limit_exceeded',
    message: string,
    details: Record<string, unknown>,
    detail: (register: string) => CoreText,
  ): never {
    const register = who?.register ?? this.o.listener;
    this.o.log.warn({ listener: this.o.listener, register, code }, message);
    this.o.security?.record({ kind: 'policy_refused', listener: this.o.listener, ...said('detail', detail(register)) });
    throw new BridgeError(code, message, details);
  }
}

/**
 * The bridge as one listener's registers see it: payments pass the policy first, end of day is an operation the
 * policy allows or not, a cancel withdraws a held request. Everything else is the bridge itself.
 */
export function policyApi(api: BridgeApi, policy: MoneyOutPolicy): BridgeApi {
  const overrides: Partial<BridgeApi> = {
    async submit(who, request, observer): Promise<PaymentHandle> {
      await policy.admit(who, request, observer);
      return api.submit(who, request, observer);
    },
    async cancel(who, ref): Promise<CancelAnswer> {
      if (policy.withdraw(who, ref)) {
        return {
          tookEffect: true,
          pending: false,
          outcome: 'cancelled',
          message: 'Withdrawn while it waited for the manager; nothing was charged',
        };
      }
      return api.cancel(who, ref);
    },
    permit(who, operation): void {
      policy.permit(who, operation);
    },
    endOfDay(query) {
      policy.permit(undefined, 'end_of_day');
      return api.endOfDay(query);
    },
    closeDay(who) {
      policy.permit(who, 'end_of_day');
      return api.closeDay(who);
    },
  };
  return new Proxy(api, {
    get(target, prop, receiver) {
      if (Object.prototype.hasOwnProperty.call(overrides, prop)) return overrides[prop as keyof BridgeApi];
      void receiver;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
