/**
 * IppDriver options. Everything has a default except where the terminal is (a link, or host + port).
 *
 * | option                 | default              | meaning (mypos-ipp.md section)                                                  |
 * |------------------------|----------------------|---------------------------------------------------------------------------------|
 * | id                     | "ipp"                | terminal id in the bridge (TerminalInfo.id)                                     |
 * | link                   | —                    | any IppLink (TCP, serial/stream); wins over host/port                           |
 * | host, port             | —                    | TCP terminal; no default port: 7900 and 60180 are reported presets (§1)         |
 * | connectTimeoutMs       | 5000                 | TCP connect timeout                                                             |
 * | version                | "200"                | VERSION sent (§3); on status 38 retried once with the other of "200"/"202",     |
 * |                        |                      | and the value that worked is kept for later requests                            |
 * | amountDecimals         | 2                    | decimals in AMOUNT/TIP_AMOUNT/COMPLETION_AMOUNT (§9; JPY unconfirmed, §14.5)    |
 * | currency               | (not checked)        | terminal currency, ISO alpha (e.g. "EUR"); a command in another currency is     |
 * |                        |                      | refused with BridgeError currency_mismatch (§9: must match CURRENCY_NAME)       |
 * | referenceNumberType    | "2"                  | REFERENCE_NUMBER_TYPE: 0 none, 1 reference, 2 invoice, 3 product, 4 reservation |
 * | preauthFlag            | "1"                  | PREAUTH_TX value on a pre-authorisation; wire form unconfirmed (§9 flags)       |
 * | password               | (none)               | PASSWORD on REFUND and REVERSAL (§8.4); never logged                             |
 * | lang                   | (none)               | LANG on every request, 2 letters (§9)                                           |
 * | statusSelector         | "sid_original"       | how GET_STATUS names an earlier payment: SID_ORIGINAL, or "none" (the terminal  |
 * |                        |                      | reports its last transaction). Unconfirmed (§8.3, §14.3)                        |
 * | firstAnswerMs          | 5000                 | wait for the STAGE=1 answer (§4)                                                |
 * | defaultStageTimeoutMs  | 120000               | later waits while no TIMEOUT was announced (§4)                                 |
 * | graceMs                | 5000                 | added to every announced TIMEOUT (§4)                                           |
 * | sid                    | crypto.randomUUID    | SID generator (§3: fresh per request, ≤ 127 characters)                         |
 * | schedule               | setTimeout           | timer used for all waits (tests can observe or shorten them)                    |
 * | logger                 | silent               | pino logger; requests are logged by METHOD/SID/STAGE/STATUS only                |
 */
import { randomUUID } from 'node:crypto';
import { BridgeError } from '../../domain/errors';
import { currency as lookupCurrency } from '../../domain/currency';
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import type { IppLink } from './link';
import { createTcpIppLink } from './tcp-link';

/** Runs `fn` after `ms`; returns a function that cancels it. */
export type Scheduler = (ms: number, fn: () => void) => () => void;

export const defaultScheduler: Scheduler = (ms, fn) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export type StatusSelector = 'sid_original' | 'none';

export interface IppDriverOptions {
  id?: string;
  link?: IppLink;
  host?: string;
  port?: number;
  connectTimeoutMs?: number;
  version?: string;
  amountDecimals?: number;
  currency?: string;
  referenceNumberType?: string;
  preauthFlag?: string;
  password?: string;
  lang?: string;
  statusSelector?: StatusSelector;
  firstAnswerMs?: number;
  defaultStageTimeoutMs?: number;
  graceMs?: number;
  sid?: () => string;
  schedule?: Scheduler;
  logger?: Logger;
}

export interface ResolvedIppOptions {
  readonly id: string;
  readonly link: IppLink;
  readonly version: string;
  readonly amountDecimals: number;
  readonly currency: string | undefined;
  readonly referenceNumberType: string;
  readonly preauthFlag: string;
  readonly password: string | undefined;
  readonly lang: string | undefined;
  readonly statusSelector: StatusSelector;
  readonly firstAnswerMs: number;
  readonly defaultStageTimeoutMs: number;
  readonly graceMs: number;
  readonly sid: () => string;
  readonly schedule: Scheduler;
  readonly logger: Logger;
}

export const IPP_DEFAULTS = {
  id: 'ipp',
  connectTimeoutMs: 5000,
  version: '200',
  amountDecimals: 2,
  referenceNumberType: '2',
  preauthFlag: '1',
  statusSelector: 'sid_original' as StatusSelector,
  firstAnswerMs: 5000,
  defaultStageTimeoutMs: 120_000,
  graceMs: 5000,
} as const;

/** The other protocol version to try after status 38 (§3): "200" ↔ "202". */
export function otherVersion(version: string): string {
  return version === '200' ? '202' : '200';
}

function invalid(message: string): never {
  throw new BridgeError('config_invalid', message);
}

const PRINTABLE = /^[\x20-\x7e]*$/;

export function resolveIppOptions(o: IppDriverOptions): ResolvedIppOptions {
  const logger = o.logger ?? silentLogger();
  let link = o.link;
  if (!link) {
    if (!o.host) invalid('IPP terminal needs a host (or a link)');
    if (!Number.isInteger(o.port) || (o.port as number) < 1 || (o.port as number) > 65535) {
      invalid('IPP terminal needs a TCP port (reported presets: 7900 ECR-POS Connect, 60180 POSLink Manager)');
    }
    link = createTcpIppLink({
      host: o.host,
      port: o.port as number,
      connectTimeoutMs: o.connectTimeoutMs ?? IPP_DEFAULTS.connectTimeoutMs,
      logger,
    });
  }
  const version = o.version ?? IPP_DEFAULTS.version;
  if (!/^[0-9]{3}$/.test(version)) invalid(`IPP version must be a whole number such as "200", got "${version}"`);
  const amountDecimals = o.amountDecimals ?? IPP_DEFAULTS.amountDecimals;
  if (!Number.isInteger(amountDecimals) || amountDecimals < 0 || amountDecimals > 4)
    invalid('amountDecimals must be 0–4');
  let currency: string | undefined;
  if (o.currency !== undefined) {
    try {
      currency = lookupCurrency(o.currency).code;
    } catch {
      invalid(`IPP terminal currency "${o.currency}" is not an ISO 4217 alpha code`);
    }
  }
  const referenceNumberType = o.referenceNumberType ?? IPP_DEFAULTS.referenceNumberType;
  if (!/^[0-4]$/.test(referenceNumberType)) invalid('referenceNumberType must be 0–4');
  const preauthFlag = o.preauthFlag ?? IPP_DEFAULTS.preauthFlag;
  if (!/^[\x21-\x7e]{1,8}$/.test(preauthFlag)) invalid('preauthFlag must be a short printable value such as "1"');
  if (o.password !== undefined && !PRINTABLE.test(o.password)) invalid('IPP password must be printable ASCII');
  if (o.lang !== undefined && !/^[A-Z]{2}$/.test(o.lang)) invalid('lang must be two upper-case letters such as "EN"');
  const statusSelector = o.statusSelector ?? IPP_DEFAULTS.statusSelector;
  if (statusSelector !== 'sid_original' && statusSelector !== 'none')
    invalid('statusSelector must be "sid_original" or "none"');
  const ms = (v: number | undefined, d: number, name: string): number => {
    const x = v ?? d;
    if (!Number.isFinite(x) || x < 0) invalid(`${name} must be a non-negative number of milliseconds`);
    return x;
  };
  return {
    id: o.id ?? IPP_DEFAULTS.id,
    link,
    version,
    amountDecimals,
    currency,
    referenceNumberType,
    preauthFlag,
    password: o.password,
    lang: o.lang,
    statusSelector,
    firstAnswerMs: ms(o.firstAnswerMs, IPP_DEFAULTS.firstAnswerMs, 'firstAnswerMs'),
    defaultStageTimeoutMs: ms(o.defaultStageTimeoutMs, IPP_DEFAULTS.defaultStageTimeoutMs, 'defaultStageTimeoutMs'),
    graceMs: ms(o.graceMs, IPP_DEFAULTS.graceMs, 'graceMs'),
    sid: o.sid ?? randomUUID,
    schedule: o.schedule ?? defaultScheduler,
    logger,
  };
}
