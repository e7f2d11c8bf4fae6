/**
 * Configuration problems as coded texts of the catalogue (`ui` → `core.config`), so that the status page writes them
 * in its language (docs/localisation.md): a zod issue by its kind and parameters (expected type, minimum, maximum,
 * allowed values, unknown fields …), and a problem the schema states itself (a duplicate id, a listener beyond
 * loopback without authentication …) by the coded text it was raised with (`codedIssue`). The English `message`
 * stays what the command line and the log print.
 */
import type { z } from 'zod';
import { coreText, type CoreCode, type CoreText } from '../i18n/core-text';
import { english } from '../i18n/say';

/** What a custom issue carries besides its English message: the coded text the page writes. */
export interface CodedIssueParams {
  readonly text: CoreText;
}

/**
 * The fields of a custom issue (`ctx.addIssue({ code: 'custom', path, ...codedIssue(text) })`) or of a refinement
 * (`.refine(check, codedIssue(text))`): the catalogue's English words as the message, the coded text as a parameter.
 */
export function codedIssue(text: CoreText): { message: string; params: CodedIssueParams } {
  return { message: english(text), params: { text } };
}

/** zod's names of types (`expected`) that the catalogue words; others are said as "the wrong type". */
const TYPES: Readonly<Record<string, CoreCode>> = {
  string: 'config.type.string',
  number: 'config.type.number',
  int: 'config.type.int',
  boolean: 'config.type.boolean',
  object: 'config.type.object',
  array: 'config.type.array',
  record: 'config.type.record',
};

/** A literal value as the config file writes it: `"tcp"`, `32`, `true`. */
const literal = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function allowed(values: readonly unknown[]): CoreText {
  return values.length === 1
    ? coreText('config.issue.value', { value: literal(values[0]) })
    : coreText('config.issue.oneOf', { values: values.map(literal).join(', ') });
}

/** The values a union of literals allows (`32 | 40 | 48`), or undefined when a branch is anything else. */
function unionValues(errors: ReadonlyArray<ReadonlyArray<z.core.$ZodIssue>>): unknown[] | undefined {
  const values: unknown[] = [];
  for (const branch of errors) {
    const only = branch.length === 1 ? branch[0] : undefined;
    if (only?.code !== 'invalid_value' || only.path.length > 0) return undefined;
    values.push(...only.values);
  }
  return values.length ? values : undefined;
}

/**
 * The coded text of one zod issue. Parse with `reportInput: true` so that a missing field (`input` undefined) is
 * told from a wrong type; the input itself is never put in the text (it may be a secret).
 */
export function zodIssueText(issue: z.core.$ZodIssue): CoreText {
  switch (issue.code) {
    case 'invalid_type': {
      if ('input' in issue && issue.input === undefined) return coreText('config.issue.required');
      const type = TYPES[issue.expected];
      return type ? coreText('config.issue.type', { expected: [coreText(type)] }) : coreText('config.issue.wrongType');
    }
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'string')
        return n === 1 ? coreText('config.issue.notEmpty') : coreText('config.issue.minChars', { count: n });
      if (issue.origin === 'array' || issue.origin === 'set') return coreText('config.issue.minItems', { count: n });
      return issue.inclusive === false
        ? coreText('config.issue.above', { minimum: String(issue.minimum) })
        : coreText('config.issue.atLeast', { minimum: String(issue.minimum) });
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      if (issue.origin === 'string') return coreText('config.issue.maxChars', { count: n });
      if (issue.origin === 'array' || issue.origin === 'set') return coreText('config.issue.maxItems', { count: n });
      return issue.inclusive === false
        ? coreText('config.issue.below', { maximum: String(issue.maximum) })
        : coreText('config.issue.atMost', { maximum: String(issue.maximum) });
    }
    case 'invalid_value':
      return allowed(issue.values);
    case 'invalid_format':
      if (issue.format === 'regex' && 'pattern' in issue && typeof issue.pattern === 'string')
        return coreText('config.issue.pattern', { pattern: issue.pattern });
      if (issue.format === 'url') return coreText('config.issue.url');
      return coreText('config.issue.format', { format: issue.format });
    case 'not_multiple_of':
      return coreText('config.issue.multipleOf', { divisor: String(issue.divisor) });
    case 'unrecognized_keys':
      return coreText('config.issue.unknownField', {
        count: issue.keys.length,
        keys: issue.keys.map((k) => JSON.stringify(k)).join(', '),
      });
    case 'invalid_union': {
      // A discriminated union whose "type" (or "driver") is none of its options.
      if ('options' in issue && Array.isArray(issue.options) && issue.options.length > 0)
        return allowed(issue.options as unknown[]);
      const values = unionValues(issue.errors);
      return values ? allowed(values) : coreText('config.issue.union');
    }
    case 'invalid_key': {
      // A key the schema checks with a coded refinement (a currency code) says what is wrong with it.
      const inner = issue.issues[0];
      return (inner?.code === 'custom' ? ownText(inner) : undefined) ?? coreText('config.issue.invalidKey');
    }
    case 'invalid_element':
      return coreText('config.issue.invalidEntry');
    case 'custom':
      return ownText(issue) ?? coreText('config.issue.invalid');
  }
}

/** The coded text a custom issue was raised with (`codedIssue`), if any. */
function ownText(issue: z.core.$ZodIssueCustom): CoreText | undefined {
  return (issue.params as Partial<CodedIssueParams> | undefined)?.text;
}

/** A problem with one field: its path, the English message and the coded text. */
export interface CodedFieldIssue {
  readonly field: string;
  readonly message: string;
  readonly messageCode: CoreText;
}

/** The issues of `value` against `schema`, each with its field path (after `prefix`), English message and code. */
export function schemaIssues(
  schema: z.ZodType,
  value: unknown,
  prefix: ReadonlyArray<PropertyKey> = [],
): CodedFieldIssue[] {
  const r = schema.safeParse(value, { reportInput: true });
  return r.success
    ? []
    : r.error.issues.map((i) => ({
        field: fieldPath([...prefix, ...i.path]),
        message: i.message,
        messageCode: zodIssueText(i),
      }));
}

/** A zod issue's field path as the settings screen names it: `listeners[0].transport.port`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}
