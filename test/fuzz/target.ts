/**
 * A fuzz target: random or mutated input for one codec or framer and the property every input must keep. The same
 * targets run 100,000 cases each in `npm run fuzz` (test/fuzz/main.ts, with a heap check) and 2,000 cases each in
 * the test suite (test/unit/fuzz-*.test.ts). Checks use node:assert so they run under plain Node as well as vitest.
 */
import fc from 'fast-check';

export interface FuzzTarget<T = unknown> {
  /** "area: what", e.g. "native: NDJSON line framer". */
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /** Throws (an AssertionError) when the property does not hold for `input`. */
  readonly check: (input: T) => void | Promise<void>;
  /** The check returns a promise. */
  readonly async?: boolean;
}

export function target<T>(t: FuzzTarget<T>): FuzzTarget<unknown> {
  return t as unknown as FuzzTarget<unknown>;
}

export interface FuzzRunOptions {
  readonly numRuns: number;
  readonly seed?: number;
}

/** Runs one target; throws fast-check's report (with the shrunk counterexample and the seed) on a failure. */
export async function runTarget(t: FuzzTarget<unknown>, o: FuzzRunOptions): Promise<void> {
  const params = { numRuns: o.numRuns, ...(o.seed !== undefined ? { seed: o.seed } : {}), endOnFailure: false };
  // The first failure as the check raised it: fast-check's own report can fail to print a counterexample (a
  // deeply nested document overflows its stringify), and the cause must not be lost with it.
  let first: Error | undefined;
  const keep = (e: unknown): never => {
    first ??= e instanceof Error ? e : new Error(String(e));
    throw e;
  };
  try {
    if (t.async)
      await fc.assert(
        fc.asyncProperty(t.arbitrary, async (input) => void (await Promise.resolve(t.check(input)).catch(keep))),
        params,
      );
    else
      fc.assert(
        fc.property(t.arbitrary, (input) => {
          try {
            t.check(input);
          } catch (e) {
            keep(e);
          }
        }),
        params,
      );
  } catch (e) {
    if (first && !(e instanceof Error && e.message.includes('Counterexample'))) {
      // The cause is the property's failure; fast-check's own error (it could not print the case) is quoted.
      throw new Error(
        `${first.message} (fast-check could not print the counterexample: ${(e as Error).message}; seed ${o.seed ?? 'random'})`,
        // eslint-disable-next-line preserve-caught-error
        { cause: first },
      );
    }
    throw e;
  }
}

// ---- shared arbitraries -------------------------------------------------------------------------------------------

/** Split points for a byte array: the same bytes delivered in arbitrary segments, as TCP or a serial port would. */
export const cuts = fc.array(fc.nat({ max: 4096 }), { maxLength: 8 });

export function segments(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...at, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

/** A byte-level mutation of a valid message: replace, insert, delete, truncate, duplicate or splice noise. */
export function mutate(seed: Uint8Array, edits: ReadonlyArray<readonly [number, number, number]>): Buffer {
  const bytes = [...seed];
  for (const [kind, at, value] of edits) {
    const i = bytes.length === 0 ? 0 : at % (bytes.length + 1);
    switch (kind % 6) {
      case 0:
        if (bytes.length) bytes[i % bytes.length] = value;
        break;
      case 1:
        bytes.splice(i, 0, value);
        break;
      case 2:
        bytes.splice(i, 1);
        break;
      case 3:
        bytes.length = i;
        break;
      case 4:
        bytes.splice(i, 0, ...bytes.slice(i, i + 1 + (value % 8)));
        break;
      default:
        bytes.splice(i, 0, ...Array.from({ length: 1 + (value % 4) }, (_, k) => (value * (k + 7)) & 0xff));
    }
  }
  return Buffer.from(bytes);
}

export const edits = fc.array(fc.tuple(fc.nat({ max: 5 }), fc.nat(), fc.integer({ min: 0, max: 255 })), {
  minLength: 1,
  maxLength: 4,
});

/** Bytes that are mostly text with the framing characters of line protocols mixed in. */
export const lineBytes = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
      { weight: 2, arbitrary: fc.constantFrom(0x0a, 0x0d) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
    ),
    { maxLength: 300 },
  )
  .map((a) => Uint8Array.from(a));
