/**
 * The setup wizard's actions: ping an IPP terminal on the network, list local devices, try myPOS ePOS
 * credentials step by step (token, session), list the merchant's terminals, and run a small test payment —
 * through the running bridge on a configured terminal, or through a temporary bridge on the ePOS terminal being
 * set up (its journal is in memory: the terminal is not configured yet, so nothing of it belongs in the journal).
 */
import { randomBytes } from 'node:crypto';
import type { Bridge } from '../bridge/bridge';
import { Bridge as BridgeClass } from '../bridge/bridge';
import type { RegisterIdentity } from '../bridge/api';
import { money } from '../domain/money';
import type { PaymentResult } from '../domain/payment';
import { Journal } from '../journal/journal';
import type { Logger } from '../log/logger';
import { IppDriver } from '../terminal/ipp/driver';
import { AuthRegistry } from '../terminal/epos/auth';
import { EPOS_BASE_URLS, type EposTerminalConfig } from '../terminal/epos/config';
import { isEposError } from '../terminal/epos/errors';
import { EposGatewayClient } from '../terminal/epos/gateway-client';
import { createEposDriver } from '../terminal/epos/index';
import { listDevices, type DiscoveryDeps } from '../transport/discovery';
import { VERSION } from '../version';
import type {
  DeviceInfo,
  DeviceList,
  EposCheckAnswer,
  EposCredentialsInput,
  EposTerminalsAnswer,
  EposTestPaymentRequest,
  IppPingAnswer,
  IppPingRequest,
  TestPaymentAnswer,
  TestPaymentRequest,
} from './contract';
import { StatusProblem } from './problem';
import { coreText, said } from '../i18n/say';

export interface WizardOptions {
  readonly log: Logger;
  /** Gateway base URLs per environment (tests and the ePOS demo point them at the fake gateway). */
  readonly eposBaseUrls?: Partial<Record<'demo' | 'live', string>>;
  /** HTTP timeout for the wizard's gateway requests; default 15 s. */
  readonly eposTimeoutMs?: number;
  /** Polling interval of the ePOS test payment; default the driver's (1 s). */
  readonly eposPollIntervalMs?: number;
  /** TCP connect timeout of the IPP ping; default 5 s. */
  readonly ippConnectTimeoutMs?: number;
  /** Lists local devices; default: the transport layer's discovery (serial, HID, USB). */
  readonly listDevices?: () => Promise<DeviceList>;
}

/** Who the status page is when it sends a test payment through the bridge. */
export const SETUP_IDENTITY: RegisterIdentity = { listener: 'status', register: 'status-page' };

const HOST_RE = /^(?:[A-Za-z0-9.-]{1,253}|\[?[0-9A-Fa-f:.]{2,45}\]?)$/;

export class Wizard {
  constructor(private readonly o: WizardOptions) {}

  // ---------------------------------------------------------------- IPP on the network

  async ippPing(req: IppPingRequest): Promise<IppPingAnswer> {
    const host = typeof req?.host === 'string' ? req.host.trim() : '';
    if (!HOST_RE.test(host))
      throw new StatusProblem(400, coreText('problem.ippHost'), {
        code: 'bad_request',
        issues: [{ field: 'host', message: 'must be an IP address or host name' }],
      });
    const port = req?.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new StatusProblem(400, coreText('problem.ippPort'), {
        code: 'bad_request',
        issues: [{ field: 'port', message: 'must be 1–65535' }],
      });
    }
    const driver = new IppDriver({
      id: 'setup',
      host: host.replace(/^\[|\]$/g, ''),
      port,
      connectTimeoutMs: this.o.ippConnectTimeoutMs ?? 5000,
      logger: this.o.log,
    });
    try {
      const h = await driver.health();
      return {
        online: h.online,
        message: h.message,
        ...(h.messageCode ? { messageCode: h.messageCode } : {}),
        ...(h.terminalId ? { terminalId: h.terminalId } : {}),
        ...(h.model ? { model: h.model } : {}),
        ...(h.softwareVersion ? { softwareVersion: h.softwareVersion } : {}),
        ...(h.currency ? { currency: h.currency } : {}),
      };
    } finally {
      await driver.close().catch(() => undefined);
    }
  }

  // ---------------------------------------------------------------- local devices

  async devices(): Promise<DeviceList> {
    if (this.o.listDevices) return this.o.listDevices();
    return listLocalDevices();
  }

  // ---------------------------------------------------------------- myPOS ePOS (API Gateway)

  private baseUrl(env: 'demo' | 'live'): string {
    return (this.o.eposBaseUrls?.[env] ?? EPOS_BASE_URLS[env]).replace(/\/+$/, '');
  }

  private client(c: EposCredentialsInput): EposGatewayClient {
    return new EposGatewayClient({
      baseUrl: this.baseUrl(c.environment),
      partnerId: c.partnerId.trim(),
      applicationId: c.applicationId.trim(),
      partnerClientId: c.partnerClientId.trim(),
      partnerSecret: c.partnerSecret,
      merchantClientId: c.merchantClientId.trim(),
      merchantSecret: c.merchantSecret,
      // A fresh cache: the wizard must really ask the gateway, not reuse a token of the running bridge.
      auth: new AuthRegistry(),
      retries: 0,
      timeoutMs: this.o.eposTimeoutMs ?? 15_000,
      log: this.o.log,
    });
  }

  async eposCheck(c: EposCredentialsInput): Promise<EposCheckAnswer> {
    checkCredentials(c);
    const client = this.client(c);
    const portal = [coreText(c.environment === 'demo' ? 'wizard.demoPortal' : 'wizard.livePortal')];
    let token: string;
    try {
      token = await client.token();
    } catch (e) {
      const unreachable = isEposError(e) && (e.code === 'network' || e.code === 'timeout');
      const why = unreachable
        ? coreText('wizard.gatewayUnreachable', { url: client.baseUrl })
        : coreText('wizard.partnerRefused', { words: gatewayWords(e), portal });
      return { ok: false, token: { ok: false, ...said('message', why) } };
    }
    const tokenStep = { ok: true, ...said('message', coreText('wizard.tokenOk')) };
    try {
      await client.session(token);
    } catch (e) {
      const why = coreText('wizard.merchantRefused', { words: gatewayWords(e), portal });
      return { ok: false, token: tokenStep, session: { ok: false, ...said('message', why) } };
    }
    return {
      ok: true,
      token: tokenStep,
      session: { ok: true, ...said('message', coreText('wizard.sessionOk')) },
    };
  }

  async eposTerminals(c: EposCredentialsInput): Promise<EposTerminalsAnswer> {
    checkCredentials(c);
    const client = this.client(c);
    const terminals: EposTerminalsAnswer['terminals'] = [];
    try {
      for (let page = 1; page <= 20; page++) {
        const p = await client.listTerminals(page, 100);
        for (const t of p.terminals) {
          terminals.push({
            terminalId: t.terminalId,
            ...(t.model ? { model: t.model } : {}),
            ...(t.serialNumber ? { serialNumber: t.serialNumber } : {}),
          });
        }
        if (page >= p.pagination.totalPages || p.terminals.length === 0) break;
      }
    } catch (e) {
      throw new StatusProblem(502, coreText('problem.listTerminalsFailed', { words: gatewayWords(e) }), {
        code: isEposError(e) ? e.code : 'terminal_error',
      });
    }
    return { terminals };
  }

  async eposTestPayment(req: EposTestPaymentRequest): Promise<TestPaymentAnswer> {
    checkCredentials(req);
    const terminalId = typeof req.terminalId === 'string' ? req.terminalId.trim() : '';
    if (!terminalId)
      throw new StatusProblem(400, coreText('problem.pickTerminal'), {
        code: 'bad_request',
        issues: [{ field: 'terminalId', message: 'must not be empty' }],
      });
    const cfg: EposTerminalConfig = {
      id: 'setup-epos',
      driver: 'epos',
      environment: req.environment,
      gatewayUrl: this.baseUrl(req.environment),
      terminalId,
      partnerId: req.partnerId.trim(),
      applicationId: req.applicationId.trim(),
      partnerClientId: req.partnerClientId.trim(),
      partnerSecret: req.partnerSecret,
      merchantClientId: req.merchantClientId.trim(),
      merchantSecret: req.merchantSecret,
      ...(this.o.eposPollIntervalMs !== undefined ? { pollIntervalMs: this.o.eposPollIntervalMs } : {}),
      ...(this.o.eposTimeoutMs !== undefined ? { httpTimeoutMs: this.o.eposTimeoutMs } : {}),
    };
    let currencyCode = req.currency;
    if (!currencyCode) {
      try {
        currencyCode = (await this.client(req).getTerminal(terminalId)).deviceCurrency;
      } catch {
        // The payment itself reports what is wrong; the currency then defaults below.
      }
    }
    const amount = money(req.amountMinor ?? 100, currencyCode ?? 'EUR');
    const driver = createEposDriver(cfg, {
      secrets: {},
      log: this.o.log,
      auth: new AuthRegistry(),
      appVersion: VERSION,
    });
    const journal = Journal.open(':memory:');
    const bridge = new BridgeClass({
      journal,
      terminals: [{ driver, currency: amount.currency }],
      log: this.o.log,
      version: VERSION,
      healthIntervalMs: 0,
    });
    try {
      await bridge.start();
      return await paymentThrough(bridge, undefined, amount);
    } finally {
      await bridge.close().catch(() => undefined);
      journal.close();
    }
  }

  /** A small sale through the running bridge on a configured terminal (recorded in the journal like any other). */
  async testPayment(
    bridge: Bridge,
    req: TestPaymentRequest,
    currencyOf: (terminal: string) => string | undefined,
  ): Promise<TestPaymentAnswer> {
    const terminals = bridge.terminals();
    const terminal = req?.terminal ? terminals.find((t) => t.id === req.terminal) : terminals[0];
    if (!terminal)
      throw new StatusProblem(404, coreText('problem.noTerminal', { terminal: req?.terminal ?? '' }), {
        code: 'unknown_terminal',
      });
    const currencyCode = req?.currency ?? currencyOf(terminal.id) ?? 'EUR';
    return paymentThrough(bridge, terminal.id, money(req?.amountMinor ?? 100, currencyCode));
  }
}

async function paymentThrough(
  bridge: Bridge,
  terminal: string | undefined,
  amount: ReturnType<typeof money>,
): Promise<TestPaymentAnswer> {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const ref = `setup-test-${stamp}-${randomBytes(2).toString('hex')}`;
  const handle = await bridge.submit(SETUP_IDENTITY, { kind: 'sale', ref, amount, ...(terminal ? { terminal } : {}) });
  const result: PaymentResult = await handle.result;
  // The status page "is" the register here: it has the result, so the payment may be completed on the terminal.
  await bridge.delivery(SETUP_IDENTITY, ref, 'written', 'sale').catch(() => undefined);
  return {
    outcome: result.outcome,
    message: result.message,
    ref,
    kind: result.kind,
    amount: result.amount,
    ...(result.authCode ? { authCode: result.authCode } : {}),
    ...(result.panMasked ? { panMasked: result.panMasked } : {}),
    ...(result.terminalId ? { terminalId: result.terminalId } : {}),
  };
}

function checkCredentials(c: EposCredentialsInput): void {
  if (typeof c !== 'object' || c === null)
    throw new StatusProblem(400, coreText('problem.eposCredentialsMissing'), { code: 'bad_request' });
  const fields: Array<[keyof EposCredentialsInput, string]> = [
    ['partnerId', 'Partner ID (mps-p-…)'],
    ['applicationId', 'Application ID (mps-app-…)'],
    ['partnerClientId', 'Partner Client ID (client_…)'],
    ['partnerSecret', 'Partner Secret'],
    ['merchantClientId', 'Merchant Client ID (cli_…)'],
    ['merchantSecret', 'Merchant Secret'],
  ];
  const issues = fields
    .filter(([f]) => typeof c[f] !== 'string' || (c[f] as string).trim() === '')
    .map(([f, label]) => ({ field: f, message: `${label} is needed` }));
  if (c.environment !== 'demo' && c.environment !== 'live')
    issues.push({ field: 'environment', message: 'choose Demo or Live' });
  if (issues.length)
    throw new StatusProblem(400, issues.map((i) => i.message).join('; '), { code: 'bad_request', issues });
  if (c.environment === 'live' && c.liveConfirmed !== true) {
    throw new StatusProblem(400, coreText('problem.liveConfirm'), {
      code: 'bad_request',
      issues: [{ field: 'environment', message: 'Live needs confirmation' }],
    });
  }
}

/** The gateway's own words for a failure (its ProblemDetails detail/title), else our description. */
function gatewayWords(e: unknown): string {
  if (isEposError(e)) {
    const field = e.fieldErrors
      ? Object.entries(e.fieldErrors)
          .map(([f, m]) => `${f}: ${m.join(', ')}`)
          .join('; ')
      : '';
    return e.detail ?? (field || undefined) ?? e.title ?? e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Serial ports (USB-serial, Bluetooth), HID and USB devices through the transport layer's discovery (`deps`: its
 * backends, replaced in tests). The note says why the list is empty or incomplete — every source that could not be
 * read is in it — in English and as coded texts.
 */
export async function listLocalDevices(deps?: DiscoveryDeps): Promise<DeviceList> {
  const report = await listDevices(deps);
  const devices: DeviceInfo[] = report.devices.map((d) => ({
    kind: d.kind,
    path: d.path,
    ...(d.role === 'mypos_terminal'
      ? {
          description: `${d.description} (looks like a myPOS terminal)`,
          ...(d.descriptionCode ? { descriptionCode: [d.descriptionCode, coreText('devices.looksMyPos')] } : {}),
        }
      : { description: d.description, ...(d.descriptionCode ? { descriptionCode: d.descriptionCode } : {}) }),
  }));
  return report.note
    ? { devices, note: report.note, ...(report.noteCode ? { noteCode: report.noteCode } : {}) }
    : { devices };
}
