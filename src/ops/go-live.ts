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
import { coreText, said, type CoreMessage, type CoreText } from '../i18n/say';

export type GoLiveStepId =
  'environment' | 'credentials' | 'token' | 'merchant' | 'terminal' | 'clock' | 'storage' | 'demo_payments';

export interface GoLiveStep {
  readonly id: GoLiveStepId;
  readonly status: 'ok' | 'fail' | 'skip';
  /** What was checked and what was found, in English words (the command line prints them). */
  readonly text: string;
  /** The same as codes of the catalogue, which the status page writes in its own language. */
  readonly textCode?: CoreMessage;
  /** What to do about a failure. */
  readonly fix?: string;
  readonly fixCode?: CoreMessage;
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
  // A text the bridge only passes on (an error's own words) stays as it is; every other one is coded.
  const step = (id: GoLiveStepId, status: GoLiveStep['status'], text: CoreText | string, fix?: CoreText): void =>
    void steps.push({
      id,
      status,
      ...(typeof text === 'string' ? { text } : said('text', text)),
      ...(fix ? said('fix', fix) : {}),
    });
  const ok = (id: GoLiveStepId, text: CoreText): void => step(id, 'ok', text);
  const fail = (id: GoLiveStepId, text: CoreText | string, fix: CoreText): void => step(id, 'fail', text, fix);
  const skip = (id: GoLiveStepId, text: CoreText): void => step(id, 'skip', text);
  const gatewaySteps: GoLiveStepId[] = ['token', 'merchant', 'terminal', 'clock'];

  // 1. The terminal names Live explicitly.
  if (cfg.environment !== 'live') {
    fail(
      'environment',
      coreText('golive.demo', { terminal: cfg.id }),
      coreText('golive.demoFix', { portal: LIVE_PORTAL }),
    );
  } else {
    ok('environment', coreText('golive.live', { terminal: cfg.id, url: eposBaseUrl(cfg) }));
  }

  // 2. Live credentials present, secrets from the keychain or the environment — never written in the config file.
  const plain = (['partnerSecret', 'merchantSecret'] as const).filter((f) => isPlainSecret(cfg[f]));
  let creds;
  if (plain.length > 0) {
    fail(
      'credentials',
      plain.length > 1
        ? coreText('golive.plainBoth', { first: plain[0]!, second: plain[1]! })
        : coreText('golive.plainOne', { field: plain[0]! }),
      coreText('golive.plainFix'),
    );
  } else {
    try {
      creds = resolveEposCredentials(cfg, deps.secrets);
      ok(
        'credentials',
        coreText('golive.credentialsPresent', {
          partnerId: cfg.partnerId,
          applicationId: cfg.applicationId,
          partnerClientId: cfg.partnerClientId,
        }),
      );
    } catch (e) {
      fail('credentials', isBridgeError(e) ? e.message : String(e), coreText('golive.credentialsFix'));
    }
  }

  if (!creds || cfg.environment !== 'live') {
    for (const id of gatewaySteps) skip(id, coreText('golive.notChecked'));
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
    if (calls.clockSkewSeconds === undefined) skip('clock', coreText('golive.noDateHeader'));
    else {
      // Positive: this computer is ahead of the gateway.
      const skew = -calls.clockSkewSeconds * 1000;
      const seconds = Math.abs(calls.clockSkewSeconds);
      if (Math.abs(skew) > SKEW_FAIL_MS)
        fail(
          'clock',
          coreText(skew > 0 ? 'golive.clockAhead' : 'golive.clockBehind', { seconds }),
          coreText('golive.clockFix'),
        );
      else ok('clock', coreText('golive.clockOk', { seconds: Math.max(1, seconds) }));
    }
  }

  // 7. Journal and logs writable.
  const notWritable = [
    coreText('golive.journalFolder', { dir: deps.dataDir }),
    coreText('golive.logFolder', { dir: dirname(deps.logFile) }),
  ].filter((folder) => !writable(String(folder.params!.dir)));
  if (notWritable.length)
    fail('storage', coreText('golive.notWritable', { list: notWritable }), coreText('golive.storageFix'));
  else ok('storage', coreText('golive.storageOk'));

  // 8. No Demo payment left unfinished on this terminal.
  const open = deps.openPayments(cfg.id, 'demo');
  if (open.length)
    fail(
      'demo_payments',
      coreText('golive.demoOpen', {
        count: open.length,
        refs: `${open
          .slice(0, 5)
          .map((p) => p.ref)
          .join(', ')}${open.length > 5 ? ' …' : ''}`,
      }),
      coreText('golive.demoOpenFix'),
    );
  else ok('demo_payments', coreText('golive.demoNone'));

  return {
    terminal: cfg.id,
    terminalId: cfg.terminalId,
    ready: steps.every((s) => s.status !== 'fail') && steps.some((s) => s.id === 'terminal' && s.status === 'ok'),
    steps,
    checkedAt: new Date(now()).toISOString(),
  };
}

interface Say {
  ok(id: GoLiveStepId, text: CoreText): void;
  fail(id: GoLiveStepId, text: CoreText, fix: CoreText): void;
  skip(id: GoLiveStepId, text: CoreText): void;
}

/** Steps 3–5 on the Live gateway: token (partner credentials), session (merchant approval), the terminal listed. */
async function gatewayChecks(cfg: EposTerminalConfig, client: EposGatewayClient, say: Say): Promise<void> {
  const rest = (from: GoLiveStepId[]): void => from.forEach((id) => say.skip(id, coreText('golive.notChecked')));
  let token: string;
  try {
    token = await client.token();
    say.ok('token', coreText('golive.tokenOk', { id: cfg.partnerClientId }));
  } catch (e) {
    if (isEposError(e) && (e.code === 'network' || e.code === 'timeout')) {
      say.fail(
        'token',
        coreText('golive.unreachable', { url: eposBaseUrl(cfg), error: e.message }),
        coreText('golive.unreachableFix'),
      );
    } else {
      say.fail(
        'token',
        coreText('golive.tokenRefused', { refusal: refusal(e) }),
        coreText('golive.tokenRefusedFix', { portal: LIVE_PORTAL }),
      );
    }
    return rest(['merchant', 'terminal']);
  }
  try {
    await client.session(token);
    say.ok('merchant', coreText('golive.merchantOk', { id: cfg.merchantClientId }));
  } catch (e) {
    say.fail(
      'merchant',
      coreText('golive.merchantFailed', { refusal: refusal(e) }),
      coreText('golive.merchantFix', { portal: LIVE_PORTAL }),
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
    if (ids.includes(cfg.terminalId)) say.ok('terminal', coreText('golive.terminalOk', { tid: cfg.terminalId }));
    else
      say.fail(
        'terminal',
        ids.length
          ? coreText('golive.terminalMissing', { tid: cfg.terminalId, listed: ids.join(', ') })
          : coreText('golive.terminalMissingNone', { tid: cfg.terminalId }),
        coreText('golive.terminalFix', { url: EPOS_BASE_URLS.live }),
      );
  } catch (e) {
    say.fail('terminal', coreText('golive.listFailed', { refusal: refusal(e) }), coreText('golive.listFix'));
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
