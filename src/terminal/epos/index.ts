/**
 * Building an ePOS driver from its configuration entry.
 */
import type { SecretContext } from '../../config/secrets';
import type { Logger } from '../../log/logger';
import type { AuthRegistry } from './auth';
import type { Clock } from './clock';
import { eposBaseUrl, resolveEposCredentials, type EposTerminalConfig } from './config';
import { EposDriver } from './driver';
import { EposGatewayClient } from './gateway-client';
import type { FetchLike } from './http';
import { VERSION } from '../../version';

export { EposDriver } from './driver';
export { EposGatewayClient } from './gateway-client';
export { EposError } from './errors';
export { eposTerminalSchema, eposConfigWarnings, type EposTerminalConfig } from './config';
export { runEposCheck } from './check';

export interface EposDeps {
  readonly secrets: SecretContext;
  readonly log?: Logger;
  readonly clock?: Clock;
  /** Token/session caches; default the process-wide one (one token per integration). */
  readonly auth?: AuthRegistry;
  readonly fetch?: FetchLike;
  /** Sent as `app_version` (§6.1); default the bridge's version. */
  readonly appVersion?: string;
}

/** The driver for one `driver: "epos"` terminal; throws BridgeError config_invalid when a secret cannot be read. */
export function createEposDriver(cfg: EposTerminalConfig, deps: EposDeps): EposDriver {
  const baseUrl = eposBaseUrl(cfg);
  const client = new EposGatewayClient({
    baseUrl,
    ...resolveEposCredentials(cfg, deps.secrets),
    ...(cfg.httpTimeoutMs !== undefined ? { timeoutMs: cfg.httpTimeoutMs } : {}),
    ...(cfg.mediaType ? { mediaType: cfg.mediaType } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.auth ? { auth: deps.auth } : {}),
    ...(deps.log ? { log: deps.log } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  return new EposDriver({
    id: cfg.id,
    terminalId: cfg.terminalId,
    environment: cfg.environment,
    client,
    link: `myPOS API Gateway (${cfg.environment}${cfg.gatewayUrl ? ` via ${baseUrl}` : ''}), terminal ${cfg.terminalId}`,
    ...(cfg.currency ? { currency: cfg.currency } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.log ? { log: deps.log } : {}),
    ...(cfg.pollIntervalMs !== undefined ? { pollIntervalMs: cfg.pollIntervalMs } : {}),
    ...(cfg.paymentDeadlineSeconds !== undefined ? { deadlineMs: cfg.paymentDeadlineSeconds * 1000 } : {}),
    ...(cfg.cancelGraceSeconds !== undefined ? { cancelGraceMs: cfg.cancelGraceSeconds * 1000 } : {}),
    ...(cfg.minAmountMinor !== undefined ? { minAmountMinor: cfg.minAmountMinor } : {}),
    ...(cfg.tipMode ? { tipMode: cfg.tipMode } : {}),
    ...(cfg.refundReference !== undefined ? { refundReference: cfg.refundReference } : {}),
    ...(cfg.reverseLateApproval !== undefined ? { reverseLateApproval: cfg.reverseLateApproval } : {}),
    appVersion: deps.appVersion ?? VERSION,
  });
}
