/**
 * Magic amounts of the fake myPOS API Gateway, the same table as the simulated IPP terminal: the last two digits
 * of `amount.value` (minor units) choose what the cardholder, card and host do. Every other amount approves.
 * The ePOS statuses and fields follow ../shared/specs/mypos-api-gateway.md §6.2 and §7.
 */

/** One change of a fake payment's status, `afterMs` after the payment was created (gateway clock). */
export interface FakeStep {
  readonly afterMs: number;
  readonly status: string;
  readonly responseCode?: string;
  readonly statusMessage?: string;
}

/** What a fake payment does; an empty `steps` list never finishes. */
export interface FakeScript {
  readonly steps: readonly FakeStep[];
  /** False when a DELETE is acknowledged but changes nothing (an unreachable terminal). Default true. */
  readonly cancellable?: boolean;
}

export interface EposMagicAmount {
  readonly suffix: string;
  readonly description: string;
  script(t: { approveDelayMs: number; slowDelayMs: number }): FakeScript;
}

const after = (afterMs: number, status: string, responseCode?: string, statusMessage?: string): FakeStep => ({
  afterMs,
  status,
  ...(responseCode ? { responseCode } : {}),
  ...(statusMessage ? { statusMessage } : {}),
});

export const EPOS_MAGIC_AMOUNTS: readonly EposMagicAmount[] = [
  {
    suffix: '51',
    description: 'declined by the host: insufficient funds (Failed, response_code 51)',
    script: (t) => ({ steps: [after(t.approveDelayMs, 'Failed', '51', 'INSUFFICIENT_FUNDS')] }),
  },
  {
    suffix: '55',
    description: 'wrong PIN (Failed, response_code 55)',
    script: (t) => ({ steps: [after(t.approveDelayMs, 'Failed', '55', 'INCORRECT_PIN')] }),
  },
  {
    suffix: '13',
    description: 'cardholder presses cancel on the terminal (Canceled)',
    script: (t) => ({ steps: [after(t.approveDelayMs, 'Canceled', undefined, 'CANCELLED_BY_USER')] }),
  },
  {
    suffix: '05',
    description: 'no card presented before the terminal gives up (Failed)',
    script: (t) => ({ steps: [after(t.approveDelayMs, 'Failed', undefined, 'NO_CARD_PRESENTED')] }),
  },
  {
    suffix: '91',
    description: 'acquirer host unreachable (Rejected, response_code 91)',
    script: (t) => ({ steps: [after(t.approveDelayMs, 'Rejected', '91', 'HOST_UNREACHABLE')] }),
  },
  {
    suffix: '77',
    description: 'approves slowly (Success after `slowDelayMs`)',
    script: (t) => ({ steps: [after(t.slowDelayMs, 'Success', '00', 'TRANSACTION_SUCCESS')] }),
  },
  {
    suffix: '99',
    description: 'never finishes: stays InProgress, a cancel is acknowledged but changes nothing',
    script: () => ({ steps: [], cancellable: false }),
  },
];

export function approveScript(delayMs: number): FakeScript {
  return { steps: [after(delayMs, 'Success', '00', 'TRANSACTION_SUCCESS')] };
}

/** The script for an amount in minor units. */
export function eposMagicScript(minor: number, t: { approveDelayMs: number; slowDelayMs: number }): FakeScript {
  const suffix = String(minor % 100).padStart(2, '0');
  const magic = EPOS_MAGIC_AMOUNTS.find((m) => m.suffix === suffix);
  return magic ? magic.script(t) : approveScript(t.approveDelayMs);
}
