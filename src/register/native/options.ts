/**
 * Options of a native listener (docs/register-protocol.md). A value of the wrong type is ignored, as it always was:
 * the field falls back to its default.
 */
import { z } from 'zod';

export const nativeOptionsSchema = z
  .object({
    /** The listener's key, required in `hello` before any other op when set (also `ctx.auth.key`). */
    token: z.string().optional().catch(undefined),
    /** Longest accepted line in bytes (default 64 KiB). */
    maxLineBytes: z.number().optional().catch(undefined),
  })
  // The listener config also carries other protocols' fields: ignored here.
  .loose();

export type NativeOptions = z.output<typeof nativeOptionsSchema>;

/** The options of a native listener; never throws (see above). */
export function parseNativeOptions(input: unknown): NativeOptions {
  const r = nativeOptionsSchema.safeParse(input ?? {});
  return r.success ? r.data : {};
}
