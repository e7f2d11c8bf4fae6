/**
 * The `options` of each register listener checked field by field, as the settings page shows them: the text
 * protocol's, Concert's, Caisse-AP's and the capture modes' own schemas (the config schema keeps `options` open), plus what only compiling
 * shows — a total pattern that is no regular expression or lacks its "amount" group, a slip without a printer.
 * The same rules stop the service at start (parseTextOptions, parsePoleOptions, parsePrinterOptions); here every
 * problem is named with its field path ("listeners[1].options.pattern") instead of the first one only.
 */
import type { z } from 'zod';
import { BridgeError } from '../domain/errors';
import { schemaIssues as codedSchemaIssues } from '../config/issue-text';
import { coreText, type CoreText } from '../i18n/core-text';
import { english } from '../i18n/say';
import { captureOptionsSchema } from './capture/options';
import { compileFilter, compileTotalPattern, DEFAULT_PATTERN_FLAGS } from './capture/total';
import { textOptionsSchema } from './text/options';
import { ecr17OptionsSchema } from './ecr17/options';
import { concertOptionsSchema } from './concert/options';
import { caisseApOptionsSchema } from './caisse-ap/options';

export interface OptionIssue {
  readonly field: string;
  readonly message: string;
  /** The message as a coded text (the settings page writes it in its language). */
  readonly messageCode: CoreText;
}

function schemaIssues(schema: z.ZodType, value: unknown, prefix: string): OptionIssue[] {
  return codedSchemaIssues(schema, value ?? {}).map((i) => ({
    ...i,
    field: i.field ? `${prefix}.${i.field}` : prefix,
  }));
}

/** A problem the page writes from its code, with the same text in English. */
const issue = (field: string, text: CoreText): OptionIssue => ({ field, message: english(text), messageCode: text });

/** Why `compile` throws, without the "what" the message starts with (the field says it). */
function compileIssue(field: string, compile: () => unknown): OptionIssue[] {
  try {
    compile();
    return [];
  } catch (e) {
    const text = e instanceof BridgeError || e instanceof Error ? e.message : String(e);
    // "pattern is not a valid regular expression: Invalid regular expression: /…/giu: Unterminated character class"
    // → "is not a valid regular expression: Unterminated character class" (the field shows the pattern itself).
    const message = text
      .replace(/^(pattern|ignore|require|receiptEnd\.pattern) /, '')
      .replace(/Invalid regular expression: \/.*\/[a-z]*: /s, '');
    const coded = e instanceof BridgeError ? (e.details?.text as CoreText | undefined) : undefined;
    return [{ field, message, messageCode: coded ?? coreText('config.issue.invalid') }];
  }
}

function captureIssues(mode: 'pole-display' | 'printer', options: unknown, prefix: string): OptionIssue[] {
  const shape = schemaIssues(captureOptionsSchema(mode), options, prefix);
  if (shape.length) return shape;
  const o = (options ?? {}) as Record<string, unknown> & { receiptEnd?: { pattern?: string } };
  const flags = typeof o.patternFlags === 'string' ? o.patternFlags : DEFAULT_PATTERN_FLAGS;
  const out = [
    ...compileIssue(`${prefix}.pattern`, () => compileTotalPattern(o.pattern as string | undefined, flags)),
    ...compileIssue(`${prefix}.ignore`, () => compileFilter(o.ignore as string | undefined, 'ignore', flags)),
    ...compileIssue(`${prefix}.require`, () => compileFilter(o.require as string | undefined, 'require', flags)),
  ];
  if (mode === 'printer')
    out.push(
      ...compileIssue(`${prefix}.receiptEnd.pattern`, () =>
        compileFilter(o.receiptEnd?.pattern, 'receiptEnd.pattern', flags),
      ),
    );
  if (o.slip === true && o.slipPrinter === undefined) {
    if (mode === 'pole-display') out.push(issue(`${prefix}.slipPrinter`, coreText('config.slipNeedsPrinter')));
    else if (o.forward === undefined) out.push(issue(`${prefix}.slipPrinter`, coreText('config.slipNeedsForward')));
  }
  return out;
}

/** Problems of every listener's options, field by field; [] when each is fine (or the config has no listeners). */
export function listenerOptionIssues(config: unknown): OptionIssue[] {
  const listeners = config && typeof config === 'object' ? (config as { listeners?: unknown }).listeners : undefined;
  if (!Array.isArray(listeners)) return [];
  const out: OptionIssue[] = [];
  listeners.forEach((l: unknown, i) => {
    if (!l || typeof l !== 'object') return;
    const { protocol, options } = l as { protocol?: unknown; options?: unknown };
    // Options that are no object are named by the config schema already.
    if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) return;
    const prefix = `listeners[${i}].options`;
    if (protocol === 'text') out.push(...schemaIssues(textOptionsSchema, options, prefix));
    else if (protocol === 'ecr17') out.push(...schemaIssues(ecr17OptionsSchema, options, prefix));
    else if (protocol === 'pole-display' || protocol === 'printer')
      out.push(...captureIssues(protocol, options, prefix));
    else if (protocol === 'concert') out.push(...schemaIssues(concertOptionsSchema, options, prefix));
    else if (protocol === 'caisse-ap') out.push(...schemaIssues(caisseApOptionsSchema, options, prefix));
  });
  return out;
}
