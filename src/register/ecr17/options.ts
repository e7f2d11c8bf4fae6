/**
 * Options of an ECR17 listener (its `options` in the config; docs/ecr17.md "Options"). Parsed once by the protocol
 * factory. Where ecr17.md marks something inferred or open (§13), it is an option here and the default is the most
 * common value: the clients' timers (§3), the `std` LRC unless the register shows another (§2), receipt lines before
 * the result (§7), no reversal of unacknowledged results (§9).
 */
import { z } from 'zod';
import { LRC_MODES } from './lrc';

const ms = z.number().int().positive();

export const ecr17OptionsSchema = z
  .object({
    /** The terminal ID the register is configured with (8 digits). When set, messages for another TID are NAKed
     *  (`00000000` is always accepted, §1). */
    terminalId: z
      .string()
      .regex(/^[0-9]{8}$/, 'must be 8 digits')
      .optional(),
    /** Check the terminal ID of each message against `terminalId` (§1: on by default). */
    checkTerminalId: z.boolean().default(true),
    /** LRC coverage: "auto" learns it from the register's frames (§2); or fixed. */
    lrcMode: z.enum(['auto', ...LRC_MODES]).default('auto'),
    /** How long we wait for the register's ACK of each frame we send (§3: the clients wait 2 s). */
    ackTimeoutMs: ms.default(2_000),
    /** Resends of a frame after NAK or silence (§3: up to three). */
    retries: z.number().int().min(0).max(10).default(3),
    /** A frame started (STX) but not finished within this time is dropped and NAKed. */
    frameTimeoutMs: ms.default(2_000),
    /** After a `P` announcing additional data, how long we wait for its `U` before going on without it. */
    additionalDataTimeoutMs: ms.default(5_000),
    /** Progress frames (SOH … EOT) while the card is processed (§7 step 3). */
    progress: z.boolean().default(true),
    /** Repeat the last progress text at this interval while myPOS works. */
    progressIntervalMs: ms.default(10_000),
    /** Receipt lines (`S`) to a register that switched ECR printing on (`E1`): "auto", or "off" to never send them. */
    receipts: z.enum(['auto', 'off']).default('auto'),
    /** Order of the receipt lines and the result (§13.5): before (the clients' normal path) or after the `E`. */
    receiptOrder: z.enum(['before-result', 'after-result']).default('before-result'),
    /** Reverse an approved payment whose result the register never acknowledged (§9.4). Off: the payment stands and
     *  the register recovers it with "send last result" (`G`). */
    reverseUnacknowledged: z.boolean().default(false),
    /** TCP: close the connection after the final acknowledgement of a payment or reversal, as a Nexi terminal does
     *  (§1). Off: keep it open for the next command. */
    closeAfterPayment: z.boolean().default(true),
    /** Warn the operator when a register neither asks for an unacknowledged result nor sends anything else in this
     *  time (§9.3). */
    unconfirmedAlertMs: ms.default(600_000),
    /** Acquirer ID in results (11 characters, §5.2). */
    acquirerId: z
      .string()
      .regex(/^[\x20-\x7e]{0,11}$/, 'up to 11 printable characters')
      .default(''),
    /** Software release in the status answer (8 characters); default "MPBRG" and the bridge's version digits. */
    softwareRelease: z
      .string()
      .regex(/^[\x20-\x7e]{8}$/, 'exactly 8 printable characters')
      .optional(),
    /** Character for the hidden digits of the PAN in results (§13.3). */
    panMask: z.enum(['*', 'X', '0']).default('*'),
    /** The terminal's currency: ECR17 has no currency field, amounts are cents of this one (§6). */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .default('EUR'),
    /** Close session (`C`) also closes the bridge's business day (end of day, docs/receipts.md), as ZVT's End-of-Day. */
    closeBusinessDay: z.boolean().default(true),
    /** Terminal this listener sends payments to (default: the listener's terminal). */
    terminal: z.string().min(1).optional(),
  })
  // The listener's `options` also carry allowRemote and the like: ignored here.
  .loose();

export type Ecr17Options = z.output<typeof ecr17OptionsSchema>;
export type Ecr17OptionsInput = z.input<typeof ecr17OptionsSchema>;

/** Validates options; throws a readable Error listing what is wrong. */
export function parseEcr17Options(input: unknown): Ecr17Options {
  const r = ecr17OptionsSchema.safeParse(input ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    throw new Error(`invalid ECR17 listener options: ${issues}`);
  }
  return r.data;
}
