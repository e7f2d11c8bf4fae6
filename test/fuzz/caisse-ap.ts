/**
 * Caisse-AP over IP (caisse-ap.md): the tag-length-value codec (§2) and a whole session (§1 receive rule, §4
 * refusals, §6 answers). Random, mutated and truncated requests in any segmentation: nothing throws out of the session,
 * every answer is one write of one whole message (CZ first, one AE, printable ASCII, at most 1024 bytes), and a valid
 * request gets exactly one answer that echoes it.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeMessage, encodeFields, scanMessages, type Field } from '../../src/register/caisse-ap/codec';
import { echoBlock } from '../../src/register/caisse-ap/messages';
import { caisseApProtocol } from '../../src/register/caisse-ap/session';
import { contextFor, InstantBridgeApi, ManualTimers, MemoryStream, settle } from './doubles';
import { cuts, edits, mutate, segments, target, type FuzzTarget } from './target';

/** Requests of the sheet's worked examples (§12), the seeds for mutation. */
const SEEDS = [
  'CZ0040300CJ012012345678901CA00201CE003978BA0010CD0010CB0041250',
  'CZ0040300CJ012012345678901CA00201CE003978BA0010CD0011CB0041250',
  'CZ0040320CJ012012345678901CA00201CB0041250CD0012CE003978',
  'CZ0040300CJ012012345678901CA00201CE003978BA0011CD0010CB0041250',
  'CZ0040300CJ012012345678901CA00201CE003978CD001BCB00200',
  'CZ0040300CJ012012345678901CA00201CE003978BA0010CD0010CB00511245',
  'CZ0040300CJ012012345678901CA00201CE003978CD001I',
  'CZ0040300CJ012012345678901CA00201CE003978CD001T',
].map((s) => Buffer.from(s, 'latin1'));

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 30,
});
const field: fc.Arbitrary<Field> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('CJ', 'CA', 'CB', 'CD', 'CE', 'BA', 'BF', 'CC', 'CF', 'CH', 'CK', 'ZZ'),
      fc.stringMatching(/^[A-Z]{2}$/),
    ),
    printable,
  )
  .map(([tag, value]) => ({ tag, value }));
const message = fc
  .tuple(
    printable,
    fc.array(
      field.filter((f) => f.tag !== 'CZ'),
      { maxLength: 10 },
    ),
  )
  .map(([v, rest]): Field[] => [{ tag: 'CZ', value: v }, ...rest]);

const codec = target({
  name: 'caisse-ap: tag-length-value codec (decode(encode(x)) = x; random and mutated bytes)',
  arbitrary: fc.record({
    m: message,
    noise: fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.constantFrom(...SEEDS), edits).map(([s, e]) => mutate(s, e)),
    ),
  }),
  check: ({ m, noise }) => {
    assert.deepEqual(decodeMessage(encodeFields(m)), m);
    const r = scanMessages(noise);
    if (r.problem) assert.ok(r.problem.at >= 0 && r.problem.at < noise.length, 'the problem is inside the bytes');
    const wire = Buffer.from(noise);
    for (const msg of [...r.messages, r.tail.fields]) {
      if (msg.length === 0) continue;
      assert.equal(msg[0]!.tag, 'CZ', 'every message starts with CZ');
      // What was read encodes back to exactly the bytes it came from (line breaks between fields aside).
      if (!wire.includes(0x0d) && !wire.includes(0x0a))
        assert.ok(wire.includes(encodeFields(msg)), 'fields read are bytes received');
    }
  },
});

/** One whole answer per write: CZ first, one AE, printable ASCII, at most 1024 bytes (§9.1 step 4). */
function checkAnswer(chunk: Buffer): Field[] {
  assert.ok(chunk.length <= 1024, 'an answer fits one 1024-byte read');
  assert.match(chunk.toString('latin1'), /^[\x20-\x7e]+$/, 'answers are printable ASCII');
  const fields = decodeMessage(chunk);
  assert.equal(fields[0]!.tag, 'CZ');
  assert.equal(fields.filter((f) => f.tag === 'AE').length, 1, 'one AE');
  return fields;
}

const OPTIONS = { quietMs: 300, incompleteMs: 5000 };

const session = target({
  name: 'caisse-ap: session answers each request once, in one write, and never throws',
  async: true,
  arbitrary: fc.record({
    input: fc.oneof(
      fc.constantFrom(...SEEDS).map((s) => ({ valid: true, bytes: s })),
      message.map((m) => ({ valid: false, bytes: encodeFields(m) })),
      fc.tuple(fc.constantFrom(...SEEDS), edits).map(([s, e]) => ({ valid: false, bytes: mutate(s, e) })),
      fc.uint8Array({ maxLength: 200 }).map((b) => ({ valid: false, bytes: Buffer.from(b) })),
    ),
    cuts,
    closeAfterAnswer: fc.boolean(),
  }),
  check: async ({ input, cuts: points, closeAfterAnswer }) => {
    const timers = new ManualTimers();
    const stream = new MemoryStream();
    caisseApProtocol({ ...OPTIONS, closeAfterAnswer }, { timers }).serve(stream, contextFor(new InstantBridgeApi()));
    for (const p of segments(input.bytes, points)) {
      stream.feed(p);
      await settle(1);
    }
    timers.advance(OPTIONS.quietMs);
    await settle(4);
    timers.advance(OPTIONS.incompleteMs);
    await settle(4);
    const answers = stream.written.map(checkAnswer);
    const meaningful = input.bytes.some((b) => b !== 0x0d && b !== 0x0a);
    if (meaningful) assert.ok(answers.length >= 1, 'bytes from the register are answered');
    if (input.valid) {
      assert.equal(answers.length, 1, 'a valid request gets exactly one answer');
      const echo = echoBlock(decodeMessage(input.bytes));
      assert.deepEqual(answers[0]!.slice(0, echo.length), echo, 'the answer starts with the echo block');
      if (closeAfterAnswer) assert.equal(stream.ended, true, 'the bridge half-closes after the answer');
    }
  },
});

export const caisseApTargets: FuzzTarget[] = [codec, session];
