/**
 * The whole bridge from a config: journal, terminals, bridge (with recovery first), register listeners and the
 * status server. Used by `register-bridge serve`, the desktop shell and the integration tests alike.
 */
import { resolve } from 'node:path';
import { Bridge } from './bridge/bridge';
import type { DayReports } from './reports/day-reports';
import type { Config } from './config/schema';
import { listenerId } from './config/schema';
import { defaultDataDir } from './config/paths';
import { Journal } from './journal/journal';
import type { Logger } from './log/logger';
import { protocolFor, registerLocale } from './register/registry';
import { createTerminal, type CreatedTerminal } from './terminal/factory';
import { openListener } from './transport/listeners';
import { VERSION } from './version';
import type { SecretContext } from './config/secrets';
import type { LogRing } from './status/log-ring';
import { ListenerConnections } from './status/connections';
import { receiptDefaults, reportSettings } from './reports/settings';
import { SecurityLog } from './security/security-log';
import type { RegisterProtocol } from './register/protocol';
import { RegisterState } from './register/register-state';
import type { GuardSettings } from './transport/foreign-protocol-guard';
import type { ListenerConfig } from './config/schema';
import type { SecurityEventSink } from './security/events';
import { listenerSecurity, peerGate } from './register/auth';
import { MoneyOutPolicy, policyApi } from './bridge/money-out-policy';
import { OperatorHolds } from './bridge/operator-holds';
import { GatewayCallCounter } from './ops/metrics/gateway-calls';

export interface ServiceOptions {
  log: Logger;
  /** Overrides config.dataDir (`--data-dir`). */
  dataDir?: string;
  /** Secret resolution (environment, keychain). */
  secrets?: SecretContext;
  /** Bridge tuning (tests make waits short). */
  bridge?: Partial<
    Pick<
      ConstructorParameters<typeof Bridge>[0],
      | 'busyBackoffMs'
      | 'busyRetries'
      | 'deliveryTimeoutMs'
      | 'recoveryMinMs'
      | 'recoveryMaxMs'
      | 'healthIntervalMs'
      | 'probeIntervalMs'
      | 'inDoubtLookups'
      | 'inDoubtLookupDelayMs'
    >
  >;
  /** Start the status server (default: as configured). */
  status?: boolean;
  /** The config file the service was started from (the status page's Settings edit it). */
  configFile?: string;
  /** Recent log lines for the status page's Logs view (when the logger writes into one). */
  logs?: LogRing;
  /** Where security events go (failed authentications, refused peers, policy refusals and holds). */
  security?: SecurityEventSink;
  /** The log file the logger writes (the status page's support bundle takes its last lines). */
  logFile?: string;
}

export interface ListenerInfo {
  readonly id: string;
  readonly protocol: string;
  readonly transport: string;
  /** "127.0.0.1:7450" for TCP; the device path otherwise. */
  readonly address: string;
  readonly port?: number;
  readonly terminal?: string;
  /** Registers connected now (status page). */
  readonly connections?: ListenerConnections;
  /** Serial port or HID cable: whether the device is open now, and why not. */
  readonly device?: () => { readonly open: boolean; readonly error?: string };
}

export interface Service {
  readonly bridge: Bridge;
  readonly journal: Journal;
  /** Receipts, business-day totals, day closes and reconciliation reports over the journal (the status page's reports). */
  readonly reports: DayReports;
  readonly listeners: ListenerInfo[];
  readonly terminals: CreatedTerminal[];
  readonly dataDir: string;
  /** Security events (refused foreign protocols, floods, connection limits …): kept apart from the log. */
  readonly security: SecurityLog;
  /** Refunds and reversals waiting for an operator's confirmation (money-out policy). */
  readonly holds: OperatorHolds;
  /** What the register listeners keep across connections: capture totals held for a decision, ZVT Registrations. */
  readonly registers: RegisterState;
  /** Calls to the myPOS API Gateway by endpoint and status (metrics). */
  readonly gatewayCalls: GatewayCallCounter;
  /** URL of the status page, when the status server runs. */
  readonly statusUrl?: string;
  /** Why the configured status page is off (it could not start); the registers are served anyway. */
  readonly statusOff?: string;
  close(): Promise<void>;
}

export async function startService(config: Config, options: ServiceOptions): Promise<Service> {
  const log = options.log;
  const dataDir = resolve(options.dataDir ?? config.dataDir ?? defaultDataDir());
  const secrets: SecretContext = options.secrets ?? { env: process.env };
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch((e: unknown) => log.warn({ err: e }, 'error while stopping'));
  };
  try {
    const journal = Journal.open(dataDir, { groupCommit: config.journal.groupCommit });
    closers.push(async () => {
      // For the support engineer (and the bench): how the journal's commits reached the disk in this run.
      log.info({ commits: { ...journal.commits }, flushes: journal.flushStats() }, 'journal closed');
      journal.close();
    });
    const pruned = journal.prune(config.journal.retentionDays);
    if (pruned > 0) log.info({ pruned }, 'old journal entries removed');

    const terminals: CreatedTerminal[] = [];
    const gatewayCalls = new GatewayCallCounter();
    for (const t of config.terminals) {
      const created = await createTerminal(t, { log, secrets, gatewayCalls });
      terminals.push(created);
      closers.push(() => created.close());
    }
    const requireAck = new Map<string, number>();
    config.listeners.forEach((l, i) => {
      if (l.requireAck !== undefined) requireAck.set(listenerId(l, i), l.requireAck);
    });
    const bridge = new Bridge({
      journal,
      terminals: terminals.map((t) => ({ driver: t.driver, ...(t.currency ? { currency: t.currency } : {}) })),
      log,
      version: VERSION,
      requireAck: (listener) => requireAck.get(listener),
      reports: reportSettings(config, dataDir),
      receiptDefaults: receiptDefaults(config),
      ...options.bridge,
    });
    closers.push(() => bridge.close());
    await bridge.start();

    // Security events go to the security log next to the journal (and to the caller's sink as well, when given).
    const securityLog = SecurityLog.inDataDir(dataDir);
    closers.push(async () => securityLog.flush());
    const extraSink = options.security;
    const security: SecurityEventSink = extraSink
      ? {
          record: (e) => {
            securityLog.record(e);
            extraSink.record(e);
          },
        }
      : securityLog;
    const holds = new OperatorHolds();
    closers.push(async () => holds.close());
    const registers = new RegisterState();
    const listeners: ListenerInfo[] = [];
    for (const [i, l] of config.listeners.entries()) {
      const id = listenerId(l, i);
      const llog = log.child({ listener: id });
      const sec = listenerSecurity(l, i, { listener: id, secrets, log: llog, ...(security ? { security } : {}) });
      const protocol = protocolFor(l, {
        id,
        state: registers,
        ...(sec.password !== undefined ? { password: sec.password } : {}),
      });
      const identity = { listener: id, register: id, ...(l.terminal ? { terminal: l.terminal } : {}) };
      const api = policyApi(
        bridge,
        new MoneyOutPolicy({
          listener: id,
          policy: l.policy,
          journal,
          holds,
          businessDay: reportSettings(config, dataDir).businessDay ?? {},
          log: llog,
          ...(security ? { security } : {}),
        }),
      );
      const admit = peerGate({ listener: id, peers: sec.peers, log: llog, ...(security ? { security } : {}) });
      const locale = registerLocale(l, config.merchant?.locale);
      const connections = new ListenerConnections();
      // TCP connections count from the moment they are accepted (a register may connect and say nothing for a while).
      const opened = await openListener(
        l.transport,
        (stream, peer) => {
          if (!admit(peer)) {
            stream.destroy();
            return;
          }
          if (l.transport.type !== 'tcp') connections.add(stream, peer);
          protocol.serve(stream, {
            api,
            identity,
            peer,
            log: llog,
            auth: sec.auth,
            security,
            ...(locale ? { locale } : {}),
          });
        },
        {
          protocol: l.protocol,
          log: llog,
          listener: id,
          security,
          onAccept: (socket, peer) => connections.add(socket, peer),
          ...listenerLimits(protocol, l),
        },
      );
      closers.push(() => opened.close());
      listeners.push({
        id,
        protocol: l.protocol,
        transport: l.transport.type,
        address: opened.address,
        ...(opened.port !== undefined ? { port: opened.port } : {}),
        ...(l.terminal ? { terminal: l.terminal } : {}),
        connections,
        ...(opened.device ? { device: () => opened.device!() } : {}),
      });
      log.info({ listener: id, protocol: l.protocol, address: opened.address }, 'listening for registers');
    }

    const service: Service = {
      bridge,
      journal,
      reports: bridge.reports,
      listeners,
      terminals,
      dataDir,
      security: securityLog,
      holds,
      registers,
      gatewayCalls,
      close: closeAll,
    };
    if (config.status.enabled && options.status !== false) {
      // The status server (HTTP, WebSocket, the page's files, the set-up wizard) is loaded only when it runs. It is
      // optional: when it cannot start (its port taken) the registers are still served, with the page off.
      const { serveStatus } = await import('./status/index');
      try {
        const status = await serveStatus(service, config, {
          log,
          secrets,
          ...(options.configFile ? { configFile: options.configFile } : {}),
          ...(options.logs ? { logs: options.logs } : {}),
          ...(options.logFile ? { logFile: options.logFile } : {}),
        });
        closers.push(() => status.close());
        return { ...service, statusUrl: status.url };
      } catch (e) {
        const statusOff = e instanceof Error ? e.message : String(e);
        log.warn({ err: e }, 'status page off: it could not start; the registers are served without it');
        return { ...service, statusOff };
      }
    }
    return service;
  } catch (e) {
    await closeAll();
    throw e;
  }
}

/** The guard and connection limits of a listener: what its protocol says, overridden by the listener's `limits`. */
function listenerLimits(
  protocol: RegisterProtocol,
  l: ListenerConfig,
): { guard: GuardSettings; maxConnections?: number } {
  const first = l.limits?.firstFrameTimeoutMs ?? protocol.guard?.firstFrameTimeoutMs;
  return {
    guard: {
      lines: protocol.guard?.lines === true,
      ...(first ? { firstFrameTimeoutMs: first } : {}),
      ...(l.limits?.idleTimeoutMs ? { idleTimeoutMs: l.limits.idleTimeoutMs } : {}),
    },
    ...(l.limits?.maxConnections !== undefined ? { maxConnections: l.limits.maxConnections } : {}),
  };
}
