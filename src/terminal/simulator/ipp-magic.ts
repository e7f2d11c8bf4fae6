/**
 * Magic amounts of the simulated myPOS terminal: the last two digits of an amount in minor units choose what the
 * "cardholder", the "card" and the "acquirer host" do. Documented for integrators in docs/simulator.md.
 * Status and APPROVAL values follow ../shared/specs/mypos-ipp.md §6 and §9.
 */

/** What happens to a card transaction after the terminal accepted it (stage 1) and showed "present card" (stage 2). */
export const IPP_SIM_BEHAVIOURS = [
  'approve',
  'insufficient_funds',
  'wrong_pin',
  'user_cancel',
  'no_card',
  'host_unreachable',
  'silent',
] as const;
export type IppSimBehaviour = (typeof IPP_SIM_BEHAVIOURS)[number];

export interface MagicAmount {
  /** Last two digits of the amount in minor units. */
  readonly suffix: string;
  readonly behaviour: IppSimBehaviour;
  /** Stages are spaced by `slowStageMs` instead of `stageDelayMs`. */
  readonly slow?: boolean;
  readonly description: string;
}

/** The table, top to bottom as in docs/simulator.md. Every other amount approves. */
export const MAGIC_AMOUNTS: readonly MagicAmount[] = [
  {
    suffix: '51',
    behaviour: 'insufficient_funds',
    description: 'declined by the host: insufficient funds (STATUS=14, APPROVAL=51)',
  },
  {
    suffix: '55',
    behaviour: 'wrong_pin',
    description: 'wrong PIN three times (stage 3 with STATUS=9, then STATUS=10)',
  },
  { suffix: '13', behaviour: 'user_cancel', description: 'cardholder presses cancel on the terminal (STATUS=13)' },
  { suffix: '05', behaviour: 'no_card', description: 'no card presented before the terminal gives up (STATUS=5)' },
  { suffix: '91', behaviour: 'host_unreachable', description: 'acquirer host unreachable (STATUS=15, APPROVAL=91)' },
  {
    suffix: '77',
    behaviour: 'approve',
    slow: true,
    description: 'approves, but every stage takes `slowStageMs` (default 1500 ms)',
  },
  {
    suffix: '99',
    behaviour: 'silent',
    description: 'the terminal never answers after stage 2; the connection stays open',
  },
];

/** The magic entry for an amount, if any. */
export function magicFor(minor: number): MagicAmount | undefined {
  const suffix = String(minor % 100).padStart(2, '0');
  return MAGIC_AMOUNTS.find((m) => m.suffix === suffix);
}

/** Per behaviour: the final STATUS (§6), APPROVAL (§9) and decline text the terminal reports at stage 5. */
export const BEHAVIOUR_RESULTS: Readonly<
  Record<
    Exclude<IppSimBehaviour, 'silent'>,
    {
      readonly status: number;
      readonly approval?: string;
      readonly declinedReason?: string;
    }
  >
> = {
  approve: { status: 0, approval: '00' },
  insufficient_funds: { status: 14, approval: '51', declinedReason: 'INSUFFICIENT FUNDS' },
  wrong_pin: { status: 10, approval: '55', declinedReason: 'PIN TRIES EXCEEDED' },
  user_cancel: { status: 13, declinedReason: 'CANCELLED BY USER' },
  no_card: { status: 5, declinedReason: 'NO CARD PRESENTED' },
  host_unreachable: { status: 15, approval: '91', declinedReason: 'HOST UNREACHABLE' },
};
