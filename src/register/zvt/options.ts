/**
 * Options of a ZVT listener (they arrive in RegisterContext.options; see docs/zvt.md "Configuration").
 * Every timer has the spec's value as default (zvt.md §1.2, §4, §6) and can be shortened for tests.
 */
import { z } from 'zod';

const ms = z.number().int().positive();

export const zvtOptionsSchema = z
  .object({
    /** 6-digit password; when set, commands carrying a password must match it (zvt.md §3). */
    password: z
      .string()
      .regex(/^[0-9]{6}$/, 'password must be 6 digits')
      .optional(),
    /** ISO 4217 alpha code of the currency the terminal takes; a command without CC means this one (zvt.md §3). */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .default('EUR'),
    /** Terminal id for BMP 29 (up to 8 digits); default: the myPOS terminal id when it is numeric. */
    terminalId: z
      .string()
      .regex(/^[0-9]{1,8}$/)
      .optional(),
    /** Software version in the Status-Enquiry completion; default: the bridge's version. */
    softwareVersion: z.string().max(99).optional(),
    /** T3: how long we wait for the register's 80 00 to our messages (zvt.md §4). */
    t3Ms: ms.default(5_000),
    /** How long we wait for the answer to 04 0F when the command had no BMP 01 (goods-issue timeout, §6). */
    goodsIssueTimeoutMs: ms.default(30_000),
    /** Interval of 04 FF keep-alives while a payment runs, when the register asked for them (§4: every 30 s). */
    statusIntervalMs: ms.default(30_000),
    /** Cap for repeating 04 0F after 84 9C when the command had no BMP 02 (§6). */
    maxStatusRepeats: z.number().int().min(0).max(255).default(10),
    /** Delay before repeating 04 0F after 84 9C (§6: 2 s). */
    statusRepeatDelayMs: ms.default(2_000),
    /** TCP only: a partial APDU older than this is discarded and answered with 84 9A 00. */
    incompleteApduMs: ms.default(5_000),
    /** Receipt lines via 06 D1 when the register asked for them at Registration (config bits 02 + 80): "auto";
     *  never: "off". */
    receipts: z.enum(['auto', 'off']).default('auto'),
    /** Serial line timers (§1.2). */
    t1Ms: ms.default(200),
    t2Ms: ms.default(5_000),
    serialRepeats: z.number().int().min(0).max(10).default(2),
    /** Terminal this listener sends payments to (default: the listener's terminal). */
    terminal: z.string().min(1).optional(),
  })
  // The listener config also carries "protocol", "transport" and the like: ignored here.
  .loose();

export type ZvtOptions = z.output<typeof zvtOptionsSchema>;
export type ZvtOptionsInput = z.input<typeof zvtOptionsSchema>;

/** Validates options; throws a readable Error listing what is wrong. */
export function parseZvtOptions(input: unknown): ZvtOptions {
  const r = zvtOptionsSchema.safeParse(input ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    throw new Error(`invalid ZVT listener options: ${issues}`);
  }
  return r.data;
}
