/**
 * The go-live check: whether an ePOS terminal is ready to take real payments on myPOS's Live environment, step by
 * step as the Partner Portal's path from Demo to Live goes (Integration Checklist, merchant approval, Live
 * credentials), each failure with its reason and its fix. Used by `register-bridge go-live` and the status page's
 * "Go live" view, which runs it before it switches a terminal from Demo to Live.
 *
 * Nothing carries over from Demo: the Live environment has its own integration, credentials, merchants, approvals
 * and terminals (mypos-api-gateway.md §2 item 7). No payment is tried (it would charge a card).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { isBridgeError } from '../domain/errors';
import { isPlainSecret, type SecretContext } from '../config/secrets';
import type { Environment, PaymentRecord } from '../journal/journal';
import { AuthRegistry } from '../terminal/epos/auth';
import { EPOS_BASE_URLS, eposBaseUrl, resolveEposCredentials, type EposTerminalConfig } from '../terminal/epos/config';
import { isEposError } from '../terminal/epos/errors';
import { EposGatewayClient } from '../terminal/epos/gateway-client';
import type { FetchLike } from '../terminal/epos/http';
import { SKEW_FAIL_MS } from './doctor/check-terminals';
import { countingFetch, GatewayCallCounter } from './metrics/gateway-calls';

export type GoLiveStepId =
  'environment' | 'credentials' | 'token' | 'merchant' | 'terminal' | 'clock' | 'storage' | 'demo_payments';

export interface GoLiveStep {
  readonly id: GoLiveStepId;
  readonly status: 'ok' | 'fail' | 'skip';
  /** What was checked and what was found, in words. */
  readonly text: string;
  /** What to do about a failure. */
  readonly fix?: string;
}

export interface GoLiveReport {
  readonly terminal: string;
  readonly terminalId: string;
  readonly ready: boolean;
  readonly steps: GoLiveStep[];
  readonly checkedAt: string;
}

export interface GoLiveDeps {
  readonly secrets: SecretContext;
  /** The journal's folder and the log file: both must be writable before real money moves. */
  readonly dataDir: string;
  readonly logFile: string;
  /** Payments of this terminal on an environment that are not finished (from the journal). */
  readonly openPayments: (terminal: string, environment: Environment) => PaymentRecord[];
  readonly fetch?: FetchLike;
  readonly now?: () => number;
  /** HTTP timeout per gateway request; default 15 s. */
  readonly timeoutMs?: number;
}

const LIVE_PORTAL = 'partners.mypos.com';

/** Runs every step on `cfg` (the terminal as it would run on Live); later gateway steps are skipped after a failure. */
export async function runGoLiveCheck(cfg: EposTerminalConfig, deps: GoLiveDeps): Promise<GoLiveReport> {
  const now = deps.now ?? Date.now;
  const steps: GoLiveStep[] = [];
  const ok = (id: GoLiveStepId, text: string): void => void steps.push({ id, status: 'ok', text });
  const fail = (id: GoLiveStepId, text: string, fix: string): void =>
    void steps.push({ id, status: 'fail', text, fix });
  const skip = (id: GoLiveStepId, text: string): void => void steps.push({ id, status: 'skip', text });
  const gatewaySteps: GoLiveStepId[] = ['token', 'merchant', 'terminal', 'clock'];

  // 1. The terminal names Live explicitly.
  if (cfg.environment !== 'live') {
    fail(
      'environment',
      `Terminal "${cfg.id}" runs on the Demo environment`,
      `Switch it to Live with the Live integration's credentials from ${LIVE_PORTAL}: nothing carries over from Demo (new Partner and Merchant credentials, and the merchant approves the integration again).`,
    );
  } else {
    ok('environment', `Terminal "${cfg.id}" is set to the Live environment (${eposBaseUrl(cfg)})`);
  }

  // 2. Live credentials present, secrets from the keychain or the environment — never written in the config file.
  const plain = (['partnerSecret', 'merchantSecret'] as const).filter((f) => isPlainSecret(cfg[f]));
  let creds;
  if (plain.length > 0) {
    fail(
      'credentials',
      `${plain.join(' and ')} ${plain.length > 1 ? 'are' : 'is'} written in the config file in plain text`,
      'Enter the secrets in the Go live view (they are kept in the keychain) or name environment variables: {"env": "MYPOS_PARTNER_SECRET"}.',
    );
  } else {
    try {
      creds = resolveEposCredentials(cfg, deps.secrets);
      ok(
        'credentials',
        `Partner ID ${cfg.partnerId}, Application ID ${cfg.applicationId}, Partner Client ID ${cfg.partnerClientId} and the Merchant Client ID are present; the secrets come from the keychain or the environment`,
      );
    } catch (e) {
      fail(
        'credentials',
        isBridgeError(e) ? e.message : String(e),
        'Store the Live Partner Secret and Merchant Client Secret in the keychain (Go live view) or set the environment variables the config names.',
      );
    }
  }

  if (!creds || cfg.environment !== 'live') {
    for (const id of gatewaySteps) skip(id, 'not checked: the steps above must pass first');
  } else {
    // The gateway's clock against ours, from the Date headers of the answers (the same reading as the metrics').
    const calls = new GatewayCallCounter();
    const watched = countingFetch(calls, deps.fetch, now);
    const client = new EposGatewayClient({
      baseUrl: eposBaseUrl(cfg),
      ...creds,
      auth: new AuthRegistry(),
      retries: 0,
      timeoutMs: deps.timeoutMs ?? cfg.httpTimeoutMs ?? 15_000,
      ...(cfg.mediaType ? { mediaType: cfg.mediaType } : {}),
      fetch: watched,
    });
    await gatewayChecks(cfg, client, { ok, fail, skip });
    // 6. The clock, from the Date headers of the answers above.
    if (calls.clockSkewSeconds === undefined) skip('clock', 'not checked: the gateway sent no Date header');
    else {
      // Positive: this computer is ahead of the gateway.
      const skew = -calls.clockSkewSeconds * 1000;
      const seconds = Math.abs(calls.clockSkewSeconds);
      if (Math.abs(skew) > SKEW_FAIL_MS)
        fail(
          'clock',
          `This computer's clock is ${seconds} s ${skew > 0 ? 'ahead of' : 'behind'} the myPOS gateway`,
          'Turn on automatic time (Windows: Settings → Time & language; macOS: Date & Time; Linux: timedatectl set-ntp true), then check again.',
        );
      else ok('clock', `This computer's clock agrees with the gateway within ${Math.max(1, seconds)} s`);
    }
  }

  // 7. Journal and logs writable.
  const notWritable = [
    ['journal folder', deps.dataDir],
    ['log folder', dirname(deps.logFile)],
  ].filter(([, dir]) => !writable(dir!));
  if (notWritable.length)
    fail(
      'storage',
      `Not writable: ${notWritable.map(([what, dir]) => `${what} ${dir}`).join(', ')}`,
      'Give the user the bridge runs as write access to these folders (or move them with --data-dir / --log-dir), then check again.',
    );
  else ok('storage', 'The journal and the logs can be written');

  // 8. No Demo payment left unfinished on this terminal.
  const open = deps.openPayments(cfg.id, 'demo');
  if (open.length)
    fail(
      'demo_payments',
      `${open.length} Demo payment${open.length > 1 ? 's are' : ' is'} not finished on this terminal: ${open
        .slice(0, 5)
        .map((p) => p.ref)
        .join(', ')}${open.length > 5 ? ' …' : ''}`,
      'Let the bridge finish them on the Demo gateway first (it keeps asking; see the Journal view), or settle them in the Demo account: after the switch the Demo gateway is no longer asked.',
    );
  else ok('demo_payments', 'No Demo payment is left unfinished on this terminal');

  return {
    terminal: cfg.id,
    terminalId: cfg.terminalId,
    ready: steps.every((s) => s.status !== 'fail') && steps.some((s) => s.id === 'terminal' && s.status === 'ok'),
    steps,
    checkedAt: new Date(now()).toISOString(),
  };
}

interface Say {
  ok(id: GoLiveStepId, text: string): void;
  fail(id: GoLiveStepId, text: string, fix: string): void;
  skip(id: GoLiveStepId, text: string): void;
}

/** Steps 3–5 on the Live gateway: token (partner credentials), session (merchant approval), the terminal listed. */
async function gatewayChecks(cfg: EposTerminalConfig, client: EposGatewayClient, say: Say): Promise<void> {
  const rest = (from: GoLiveStepId[]): void =>
    from.forEach((id) => say.skip(id, 'not checked: the steps above must pass first'));
  let token: string;
  try {
    token = await client.token();
    say.ok('token', `The Live gateway issued a token for Partner Client ID ${cfg.partnerClientId}`);
  } catch (e) {
    if (isEposError(e) && (e.code === 'network' || e.code === 'timeout')) {
      say.fail(
        'token',
        `The Live gateway at ${eposBaseUrl(cfg)} cannot be reached: ${e.message}`,
        'Check the internet connection, a proxy or firewall, and the gatewayUrl setting.',
      );
    } else {
      say.fail(
        'token',
        `The Live gateway refused the partner credentials${refusal(e)}`,
        `Use the Live integration's Partner Client ID and Secret (Summary tab in ${LIVE_PORTAL}). Demo credentials do not work on Live; the Live integration must have passed the Integration Checklist.`,
      );
    }
    return rest(['merchant', 'terminal']);
  }
  try {
    await client.session(token);
    say.ok(
      'merchant',
      `The merchant approved the integration (a Live session was created for Merchant Client ID ${cfg.merchantClientId})`,
    );
  } catch (e) {
    say.fail(
      'merchant',
      `No Live session for the merchant${refusal(e)}`,
      `The merchant must approve the Live integration in their myPOS account; then generate the Merchant Client ID and Secret in the Merchants tab of ${LIVE_PORTAL} and enter them here.`,
    );
    return rest(['terminal']);
  }
  try {
    const ids: string[] = [];
    for (let page = 1; page <= 20; page++) {
      const p = await client.listTerminals(page, 100);
      ids.push(...p.terminals.map((t) => t.terminalId));
      if (page >= p.pagination.totalPages || p.terminals.length === 0) break;
    }
    if (ids.includes(cfg.terminalId))
      say.ok('terminal', `Terminal ${cfg.terminalId} is among the merchant's Live terminals`);
    else
      say.fail(
        'terminal',
        `Terminal ${cfg.terminalId} is not among the merchant's Live terminals${ids.length ? ` (${ids.join(', ')})` : ' (none is listed)'}`,
        `Enter the TID of the merchant's real terminal (Demo TIDs do not exist on Live), and make sure it is an Ultra or Carbon activated on this merchant's account (${EPOS_BASE_URLS.live}).`,
      );
  } catch (e) {
    say.fail(
      'terminal',
      `Listing the merchant's Live terminals failed${refusal(e)}`,
      'Check the Partner ID (mps-p-…) and Application ID (mps-app-…) of the Live integration.',
    );
  }
}

function refusal(e: unknown): string {
  if (isEposError(e) && e.status >= 400) return ` (${e.status}${e.detail ? `: ${e.detail.replace(/\.+$/, '')}` : ''})`;
  return `: ${e instanceof Error ? e.message : String(e)}`;
}

function writable(dir: string): boolean {
  let d = dir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  try {
    accessSync(d, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The report as the command prints it. */
export function formatGoLive(r: GoLiveReport): string {
  const mark = { ok: 'ok  ', fail: 'FAIL', skip: '--  ' } as const;
  const out = [`Terminal "${r.terminal}" (TID ${r.terminalId}) — go-live check`];
  for (const s of r.steps) {
    out.push(`  ${mark[s.status]}  ${s.text}`);
    if (s.fix) out.push(`        → ${s.fix}`);
  }
  out.push(r.ready ? 'Ready for Live payments.' : 'Not ready for Live: fix what is marked FAIL and check again.');
  return out.join('\n') + '\n';
}
