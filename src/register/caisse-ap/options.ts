/**
 * Options of a Caisse-AP listener (its `options` in the config file; docs/caisse-ap.md "Options"). Each one settles a
 * point the sheet (../shared/specs/caisse-ap.md) marks as inferred or open; the default is the sheet's choice, the
 * most common behaviour of the registers in the wild.
 */
import { z } from 'zod';
import { coreText } from '../../i18n/core-text';
import { codedIssue } from '../../config/issue-text';

const ms = z.number().int().positive();

export const caisseApOptionsSchema = z
  .object({
    /** §1: a request is whole when its fields are whole, CZ and CD are in, and nothing more arrived for this long. */
    quietMs: ms.max(10_000).default(300),
    /** §1: a request still incomplete this long after its first byte is answered AE=01 AF=09. */
    incompleteMs: ms.max(60_000).default(5_000),
    /** §1: a request longer than this is answered AE=01 AF=09. */
    maxRequestBytes: z.number().int().min(64).max(65_536).default(4_096),
    /** §6.3, §11: the status of the immediate answer (BA=1): "11" (akretion simulator) or "10" (PayXpert). */
    immediateStatus: z.enum(['11', '10']).default('11'),
    /** §6.3: in immediate mode, also write the final answer on the connection if the register keeps it open. */
    pushFinalAnswer: z.boolean().default(false),
    /** §6.1: AF=01 ("authorised") on an approved answer, as the sheet's example (b) and PayXpert; false as akretion. */
    authorisedCode: z.boolean().default(true),
    /** §6.1: the CC code of Visa, Mastercard and Maestro cards: "cb" (001 contact / 00B contactless) or "other" (000). */
    schemeApplication: z.enum(['cb', 'other']).default('cb'),
    /** §3 AA: the character that stands for each hidden PAN digit: "#" (akretion, example (b)) or "*" (PayXpert). */
    panMask: z.enum(['#', '*']).default('#'),
    /** §3 AL: send AL=1 (partial PAN) with AA. The sheet's examples do not. */
    panType: z.boolean().default(false),
    /** §9.1 step 5, §14.5: half-close the connection after the answer (a read-until-close register stops waiting). */
    closeAfterAnswer: z.boolean().default(true),
    /** §9.1: the bridge asks myPOS to abort a payment still running this long after the request. */
    abortAfterMs: ms.max(600_000).default(150_000),
    /** §9.1: the answer is written at the latest this long after the request (AE=01 AF=08 if nothing is known). */
    answerDeadlineMs: ms.max(600_000).default(170_000),
    /** §10: cancel a running payment at once when the register hangs up before its answer (else it is reversed
     *  after approval, at answer time). */
    cancelWhenRegisterLeaves: z.boolean().default(false),
    /** Listening beyond loopback (checked by the config schema). */
    allowRemote: z.boolean().optional(),
    /** Carried with every listener's options by the service; Caisse-AP has no authentication of its own. */
    token: z.unknown().optional(),
    password: z.unknown().optional(),
  })
  .strict()
  .refine((o) => o.abortAfterMs < o.answerDeadlineMs, {
    path: ['abortAfterMs'],
    ...codedIssue(coreText('config.abortShorter')),
  });

export type CaisseApOptions = z.output<typeof caisseApOptionsSchema>;
export type CaisseApOptionsInput = z.input<typeof caisseApOptionsSchema>;

/** Validates options; throws a readable Error listing what is wrong. */
export function parseCaisseApOptions(input: unknown): CaisseApOptions {
  const r = caisseApOptionsSchema.safeParse(input ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    throw new Error(`invalid Caisse-AP listener options: ${issues}`);
  }
  return r.data;
}
