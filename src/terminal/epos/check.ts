/**
 * `register-bridge epos check`: tries the configured credentials step by step (token, session, terminals) and
 * says in plain words what works and what is missing. It never creates a payment (that would charge a card).
 */
import { isBridgeError } from '../../domain/errors';
import type { SecretContext } from '../../config/secrets';
import { AuthRegistry } from './auth';
import type { Clock } from './clock';
import {
  EPOS_BASE_URLS,
  eposBaseUrl,
  eposConfigWarnings,
  resolveEposCredentials,
  type EposTerminalConfig,
} from './config';
import { FORBIDDEN_CAUSES, isEposError } from './errors';
import { EposGatewayClient } from './gateway-client';
import type { FetchLike } from './http';
import type { TerminalSummary } from './wire';

export interface EposCheckDeps {
  readonly secrets?: SecretContext;
  readonly clock?: Clock;
  readonly fetch?: FetchLike;
  /** HTTP timeout per request; default 15 s. */
  readonly timeoutMs?: number;
}

/** One step of the check as said: its status, its sentence, and the indented hints that follow it. */
export interface EposCheckStep {
  readonly status: 'ok' | 'info' | 'warn' | 'fail';
  readonly text: string;
  readonly hints: string[];
}

export interface EposCheckResult {
  readonly ok: boolean;
  /** The printed report (`[ok]   …`, `[fail] …`, indented hints). */
  readonly lines: string[];
  /** The same report as steps, for callers that present it their own way (doctor). */
  readonly steps: EposCheckStep[];
}

const MODELS: Record<string, string> = { N96: 'myPOS Ultra' };

export async function runEposCheck(cfg: EposTerminalConfig, deps: EposCheckDeps = {}): Promise<EposCheckResult> {
  const lines: string[] = [];
  const steps: EposCheckStep[] = [];
  let ok = true;
  const step = (status: EposCheckStep['status'], s: string): void => {
    steps.push({ status, text: s, hints: [] });
    lines.push(`${`[${status}]`.padEnd(6)} ${s}`);
  };
  const pass = (s: string): void => step('ok', s);
  const note = (s: string): void => step('info', s);
  const fail = (s: string): void => {
    ok = false;
    step('fail', s);
  };
  const warn = (s: string): void => step('warn', s);
  const info = (s: string): void => {
    steps.at(-1)?.hints.push(s);
    lines.push(`       ${s}`);
  };

  const baseUrl = eposBaseUrl(cfg);
  note(`Terminal "${cfg.id}": environment ${cfg.environment}, gateway ${baseUrl}, TID ${cfg.terminalId}`);
  for (const w of eposConfigWarnings(cfg)) warn(w);
  const envHint =
    cfg.environment === 'demo'
      ? 'This entry uses the Demo environment: the credentials must come from the Demo Partner Portal (demo-partners.mypos.com). Live credentials do not work on the demo gateway.'
      : 'This entry uses the Live environment: the credentials must come from the Live Partner Portal (partners.mypos.com). Demo credentials are not migrated to Live; generate them again after switching the portal to Live.';

  let creds;
  try {
    creds = resolveEposCredentials(cfg, deps.secrets ?? { env: process.env });
    pass('Secrets resolved');
  } catch (e) {
    fail(isBridgeError(e) ? e.message : String(e));
    return { ok, lines, steps };
  }

  const client = new EposGatewayClient({
    baseUrl,
    ...creds,
    auth: new AuthRegistry(),
    retries: 1,
    ...(cfg.mediaType ? { mediaType: cfg.mediaType } : {}),
    timeoutMs: deps.timeoutMs ?? cfg.httpTimeoutMs ?? 15_000,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });

  // 1. Token (partner credentials).
  let token: string;
  try {
    token = await client.token();
    pass(`Partner credentials accepted (Partner Client ID ${cfg.partnerClientId})`);
  } catch (e) {
    if (isEposError(e) && (e.code === 'network' || e.code === 'timeout')) {
      fail(`Cannot reach the myPOS gateway at ${baseUrl}: ${e.message}`);
      info('Check the network connection, a proxy or firewall, and the gatewayUrl setting.');
    } else {
      fail(`Partner credentials refused${refusedBy(e)}`);
      info("Check the Partner Client ID (client_…) and Partner Secret (secret_…) from the integration's Summary tab.");
      info(envHint);
    }
    return { ok, lines, steps };
  }

  // 2. Session (merchant credentials).
  try {
    await client.session(token);
    pass(`Merchant credentials accepted (Merchant Client ID ${cfg.merchantClientId})`);
  } catch (e) {
    fail(`Merchant credentials refused${refusedBy(e)}`);
    info(
      "Use the Merchant Client ID (cli_…) and Merchant Client Secret (sec_…) generated in the Partner Portal's Merchants tab after the merchant approved the integration.",
    );
    info(envHint);
    return { ok, lines, steps };
  }

  // 3. Terminals.
  const terminals: TerminalSummary[] = [];
  try {
    for (let page = 1; page <= 20; page++) {
      const p = await client.listTerminals(page, 100);
      terminals.push(...p.terminals);
      if (page >= p.pagination.totalPages || p.terminals.length === 0) break;
    }
  } catch (e) {
    fail(`Listing the merchant's terminals failed: ${describe(e)}`);
    if (isEposError(e) && e.code === 'unauthorized')
      info('The Partner ID (mps-p-…) or Application ID (mps-app-…) may not match the partner credentials.');
    return { ok, lines, steps };
  }
  if (terminals.length === 0) {
    fail('The merchant has no terminals visible to this integration');
    info("Activate an Ultra or Carbon terminal on this merchant's account (ePOS does not drive Go 2).");
    if (cfg.environment === 'demo') info('On the Demo environment only demo terminals are listed.');
    return { ok, lines, steps };
  }
  const mine = terminals.find((t) => t.terminalId === cfg.terminalId);
  if (!mine) {
    fail(
      `Terminal ${cfg.terminalId} is not among this merchant's terminals: ${terminals.map((t) => t.terminalId + (t.model ? ` (${t.model})` : '')).join(', ')}`,
    );
    info(
      cfg.environment === 'live'
        ? `If ${cfg.terminalId} is a demo terminal, set "environment": "demo" (${EPOS_BASE_URLS.demo}).`
        : `If ${cfg.terminalId} is a real terminal, it lives on the Live environment with Live credentials.`,
    );
    return { ok, lines, steps };
  }
  pass(
    `Terminal ${cfg.terminalId} is listed${mine.model ? ` (model ${mine.model}${MODELS[mine.model] ? ` = ${MODELS[mine.model]}` : ''})` : ''}`,
  );

  // 4. Terminal details.
  try {
    const d = await client.getTerminal(cfg.terminalId);
    if (d.status && d.status !== 'Active')
      fail(`Terminal ${cfg.terminalId} has account status ${d.status}; payments need Active`);
    else
      pass(
        `Terminal ${cfg.terminalId} is Active at myPOS (an account status; whether the device is switched on cannot be seen)`,
      );
    if (d.deviceCurrency && cfg.currency && d.deviceCurrency !== cfg.currency) {
      fail(`The terminal's currency is ${d.deviceCurrency} but the configuration says ${cfg.currency}`);
    } else if (d.deviceCurrency) {
      pass(`Currency ${d.deviceCurrency}`);
    }
    if (d.forbiddenReversal) warn('Reversals are disabled for this terminal (forbidden_reversal)');
    if (d.forbiddenRefund) warn('Refunds are disabled for this terminal (forbidden_refund)');
  } catch (e) {
    fail(`Reading terminal ${cfg.terminalId} failed: ${describe(e)}`);
  }

  info(
    'No payment was tried (it would charge). If the first payment is answered with 403 Forbidden, the known causes are:',
  );
  for (const c of FORBIDDEN_CAUSES) info(`- ${c}`);
  return { ok, lines, steps };
}

/** " by the gateway (400: detail)" for a refusal, ": message" for anything else. */
function refusedBy(e: unknown): string {
  if (isEposError(e) && e.status >= 400 && e.status < 500) {
    return ` by the gateway (${e.status}${e.detail ? `: ${e.detail.replace(/\.+$/, '')}` : ''})`;
  }
  return `: ${describe(e)}`;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
