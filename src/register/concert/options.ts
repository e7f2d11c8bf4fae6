/**
 * Options of a Concert listener (docs/concert.md "Options"). The sheet leaves several points open or inferred
 * (concert.md §1, §3, §4, §6, §12); each is an option here whose default is the most common value, and the timers
 * are the sheet's values.
 */
import { z } from 'zod';
import { BridgeError } from '../../domain/errors';
import { coreText } from '../../i18n/core-text';
import { english } from '../../i18n/say';

/** Concert has no TCP variant; its IP successor is Caisse-AP (the config schema names the field with this). */
export const CONCERT_TCP_TEXT = coreText('config.concertTcp');
export const CONCERT_TCP_MESSAGE = english(CONCERT_TCP_TEXT);

const ms = z.number().int().positive();
const repeats = z.number().int().min(0).max(10);

export const concertOptionsSchema = z
  .object({
    /** Line settings: detected per frame (§1), or fixed. The port is opened 8N1; 7E1 parity is done in software. */
    line: z.enum(['auto', '7E1', '8N1']).default('auto'),
    /** 7E1: send control characters with a parity bit like data (§1 inferred); false: as plain 7-bit bytes. */
    controlParity: z.boolean().default(true),
    /** Private data of the answer: the request's field ("echo", §6.1 default) or the bridge's receipt number. */
    answerPrivate: z.enum(['echo', 'receipt-number']).default('echo'),
    /** Status of the immediate A011 answer, sent before the card is read (§5: `0`; §12 question 1). */
    immediateStatus: z.enum(['0', '9']).default('0'),
    /** What the bridge does with an ENQ while a transaction runs (§3: silence; §12 question 5). */
    busyEnq: z.enum(['silent', 'nak', 'eot']).default('silent'),
    /** Transaction type 2 (§4 inferred): void of the register's last transaction, or refused with status 9. */
    type2: z.enum(['void', 'refuse']).default('void'),
    /** Payment modes paid by card on myPOS (§4); any other mode (cheque, Moneo, finance companies) gets status 9. */
    cardModes: z
      .array(z.string().regex(/^[\x20-\x7e]$/, 'a payment mode is one character'))
      .min(1)
      .default(['1', '0', '2', '6', '9', 'U']),
    /** No ACK to ENQ while the myPOS terminal is unreachable (§8 "status"): the register reports "terminal not ready". */
    silentWhenOffline: z.boolean().default(true),
    /** Pause between the register's last byte and the bridge's ENQ of the answer (§5: the answer within 1 s). */
    turnaroundMs: z.number().int().min(0).max(1_000).default(200),
    /** Bridge as sender (§3): wait for ACK after ENQ, and how often ENQ is repeated. */
    enqAckTimeoutMs: ms.default(2_000),
    enqRepeats: repeats.default(3),
    /** Bridge as sender (§3): wait for ACK after the answer frame, and how often the frame is repeated. */
    frameAckTimeoutMs: ms.default(2_000),
    frameRepeats: repeats.default(3),
    /** Register as sender (§3): the largest gap between two bytes of a frame before it is NAKed. */
    interByteTimeoutMs: ms.default(3_000),
    /** Register as sender: the wait for the frame after our ACK to ENQ, and for EOT after our ACK to the frame. */
    frameWaitMs: ms.default(3_000),
    eotWaitMs: ms.default(3_000),
    /** NAKed frames in one session before the bridge goes back to idle (§3: three). */
    maxFrameFailures: z.number().int().min(1).max(10).default(3),
    /** A010: cancel on myPOS when no outcome within this time (§8: finish within 110 s; registers wait 120 s). */
    answerDeadlineMs: ms.default(110_000),
    /** The listener config's companions (set by the service or the settings page): ignored here. */
    allowRemote: z.boolean().optional(),
    token: z.unknown().optional(),
    password: z.unknown().optional(),
  })
  .strict();

export type ConcertOptions = z.output<typeof concertOptionsSchema>;
export type ConcertOptionsInput = z.input<typeof concertOptionsSchema>;

/** Validates options; a mistake is a `config_invalid` BridgeError naming the field. */
export function parseConcertOptions(input: unknown): ConcertOptions {
  const r = concertOptionsSchema.safeParse(input ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `options.${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    throw new BridgeError('config_invalid', `Concert listener ${issues}`);
  }
  return r.data;
}
