/**
 * Configuration of one ePOS terminal (a myPOS Ultra/Carbon driven through the API Gateway).
 *
 * The environment is required and never defaults to live (spec §3: the base URL is configuration, never derived
 * from credentials). Secrets are references (`{"env":"VAR"}`, `{"keychain":"name"}`); a plain string works but is
 * reported as a warning. Everything the spec marks as unconfirmed has a setting here (see docs/epos.md).
 */
import { z } from 'zod';
import { isKnownCurrency } from '../../domain/currency';
import {
  isPlainSecret,
  plainSecretWarning,
  resolveSecret,
  secretRefSchema,
  type SecretContext,
} from '../../config/secrets';
import type { EposCredentials } from './gateway-client';
import { coreText } from '../../i18n/core-text';
import { codedIssue } from '../../config/issue-text';

/** Base URLs per environment (spec §3): demo [doc], live [reported]. */
export const EPOS_BASE_URLS = {
  demo: 'https://demo-api-gateway.mypos.com',
  live: 'https://api-gateway.mypos.com',
} as const;

const id = z
  .string()
  .min(1, 'must not be empty')
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, "_", "." and "-"');
const nonEmpty = z.string().trim().min(1, 'must not be empty');

export const eposTerminalSchema = z
  .object({
    id,
    driver: z.literal('epos'),
    environment: z.enum(['demo', 'live'], { error: 'must be "demo" or "live" (live is never chosen by default)' }),
    /** Overrides the environment's base URL (a proxy, or the fake gateway in demo mode). */
    gatewayUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** The terminal's TID (8 digits on known terminals, spec §2). */
    terminalId: nonEmpty,
    currency: z
      .string()
      .refine(isKnownCurrency, codedIssue(coreText('config.currency')))
      .optional(),
    partnerId: nonEmpty,
    applicationId: nonEmpty,
    partnerClientId: nonEmpty,
    partnerSecret: secretRefSchema,
    merchantClientId: nonEmpty,
    merchantSecret: secretRefSchema,
    /** Polling interval while a payment is in progress (spec §9.4: 1–2 s); default 1000. */
    pollIntervalMs: z.number().int().min(100).max(60_000).optional(),
    // ---- settings for what the spec leaves unconfirmed (§12) ----
    /** OAuth scope, only if one is configured for the integration (§4.1). */
    scope: nonEmpty.optional(),
    /** Start with plain `application/json` (default) or `application/json; x-api-version=1` (§4.3). */
    mediaType: z.enum(['plain', 'versioned']).optional(),
    /** HTTP timeout per request in ms; default 15000 (§5). */
    httpTimeoutMs: z.number().int().min(500).max(120_000).optional(),
    /** How long a payment may stay InProgress before the bridge cancels it, in s; default 180 (§9.5). */
    paymentDeadlineSeconds: z.number().int().min(30).max(1800).optional(),
    /** How long to keep polling after a cancel request, in s; default 60 (§9.5). */
    cancelGraceSeconds: z.number().int().min(5).max(600).optional(),
    /** Smallest amount sent, in minor units; default 1 (one integrator saw 1 cent refused and uses 100, §9). */
    minAmountMinor: z.number().int().min(1).optional(),
    /** Whether `amount.value` carries the tip (`included`) or not (`separate`, default) — unknown (§5). */
    tipMode: z.enum(['separate', 'included']).optional(),
    /** Send `reference_number` with refunds too (not in the reported refund body, §6.6); default false. */
    refundReference: z.boolean().optional(),
    /** Reverse a payment that still ends Success after the register cancelled it (§9.6); default true. */
    reverseLateApproval: z.boolean().optional(),
  })
  .strict();

export type EposTerminalConfig = z.infer<typeof eposTerminalSchema>;

export function eposBaseUrl(cfg: Pick<EposTerminalConfig, 'environment' | 'gatewayUrl'>): string {
  return (cfg.gatewayUrl ?? EPOS_BASE_URLS[cfg.environment]).replace(/\/+$/, '');
}

/** Warnings that do not stop the bridge: plain-text secrets, unusual identifier formats, environment hints. */
export function eposConfigWarnings(cfg: EposTerminalConfig, where = `terminal "${cfg.id}"`): string[] {
  const w: string[] = [];
  if (isPlainSecret(cfg.partnerSecret)) w.push(plainSecretWarning(`${where} partnerSecret`));
  if (isPlainSecret(cfg.merchantSecret)) w.push(plainSecretWarning(`${where} merchantSecret`));
  const formats: Array<[string, string, string]> = [
    ['partnerId', cfg.partnerId, 'mps-p-'],
    ['applicationId', cfg.applicationId, 'mps-app-'],
    ['partnerClientId', cfg.partnerClientId, 'client_'],
    ['merchantClientId', cfg.merchantClientId, 'cli_'],
  ];
  for (const [field, value, prefix] of formats) {
    if (!value.startsWith(prefix))
      w.push(
        `${where} ${field} usually starts with "${prefix}" (spec §2); check that the right value is in this field`,
      );
  }
  if (!/^[0-9]{8}$/.test(cfg.terminalId))
    w.push(`${where} terminalId "${cfg.terminalId}" is not 8 digits like known myPOS TIDs`);
  if (cfg.gatewayUrl) {
    const host = new URL(cfg.gatewayUrl).hostname;
    if (cfg.environment === 'live' && host.includes('demo'))
      w.push(`${where} is set to environment "live" but gatewayUrl points at a demo host (${host})`);
    if (cfg.environment === 'demo' && host === new URL(EPOS_BASE_URLS.live).hostname)
      w.push(`${where} is set to environment "demo" but gatewayUrl is the live gateway`);
  }
  return w;
}

/** The credentials with their secrets read from the environment or keychain (throws BridgeError config_invalid). */
export function resolveEposCredentials(cfg: EposTerminalConfig, secrets: SecretContext): EposCredentials {
  return {
    partnerId: cfg.partnerId,
    applicationId: cfg.applicationId,
    partnerClientId: cfg.partnerClientId,
    partnerSecret: resolveSecret(cfg.partnerSecret, secrets, `terminals.${cfg.id}.partnerSecret`),
    merchantClientId: cfg.merchantClientId,
    merchantSecret: resolveSecret(cfg.merchantSecret, secrets, `terminals.${cfg.id}.merchantSecret`),
    ...(cfg.scope ? { scope: cfg.scope } : {}),
  };
}
