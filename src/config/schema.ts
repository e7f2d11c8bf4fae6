/**
 * The configuration file: one JSON document, validated here. Every field has a default where a safe one exists.
 * The same schema validates the settings screen of the status UI.
 */
import { z } from 'zod';
import { isKnownCurrency } from '../domain/currency';
import { isTimeZone } from '../domain/time-zone';
import { eposTerminalSchema } from '../terminal/epos/config';
import { secretRefSchema, envSecretSchema, keychainSecretSchema } from './secrets';
import { weakKeyText } from '../security/keys';
import { peerEntryText } from '../security/peers';
import { moneyOutPolicySchema } from '../bridge/money-out-policy';
import { checkLocale } from '../i18n/locale';
import { ESC_POS_CODE_PAGES } from '../receipts/types';
import { CONCERT_TCP_TEXT } from '../register/concert/options';
import { coreText } from '../i18n/core-text';
import { codedIssue } from './issue-text';

const port = z
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(0, 'must be 0–65535')
  .max(65535, 'must be 0–65535');
const id = z
  .string()
  .min(1, 'must not be empty')
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, "_", "." and "-"');
const currencyCode = z.string().refine(isKnownCurrency, codedIssue(coreText('config.currency')));

/** A BCP 47 language tag with a catalogue (docs/localisation.md), e.g. "de-DE", "bg-BG". */
export const localeSchema = z.string().superRefine((tag, ctx) => {
  const r = checkLocale(tag);
  if (!r.ok) ctx.addIssue({ code: 'custom', ...codedIssue(r.text) });
});

/** A secret: an environment variable reference, an OS keychain reference, or (discouraged) the plain value. */
export const secretRef = secretRefSchema;
export type { SecretRef } from './secrets';

export const tcpTransport = z
  .object({ type: z.literal('tcp'), host: z.string().min(1).default('127.0.0.1'), port })
  .strict();

const lineSettings = {
  baudRate: z.number().int().positive().optional(),
  dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]).optional(),
  parity: z.enum(['none', 'even', 'odd', 'mark', 'space']).optional(),
  stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)]).optional(),
};

export const serialTransport = z
  .object({
    type: z.literal('serial'),
    /** A port name, or "auto": the port of a myPOS terminal found by its USB id (terminals only). */
    path: z.string().min(1, 'must name a serial port such as COM3 or /dev/ttyUSB0 (or "auto")'),
    ...lineSettings,
    /** Set the DTR / RTS lines after opening (best effort; some devices refuse). Default: as the OS opened them. */
    dtr: z.boolean().optional(),
    rts: z.boolean().optional(),
  })
  .strict();

/** A USB vendor or product id: 0–65535 (in JSON as a number; `register-bridge devices` shows it as 4 hex digits). */
function usbId(which: 'vendor' | 'product') {
  const message = `must be the cable's USB ${which} id, a number 0–65535 (register-bridge devices lists it as 4 hex digits)`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(0, { error: message })
    .max(0xffff, { error: message });
}

export const hidTransport = z
  .object({
    type: z.literal('hid'),
    vendorId: usbId('vendor'),
    productId: usbId('product'),
    serialNumber: z.string().optional(),
    /** How the cable frames UART bytes in reports; default by known cable (CP2110), else "length-prefixed". */
    framing: z.enum(['cp2110', 'length-prefixed']).optional(),
    /** Length byte + payload bytes per report (default 64). */
    reportSize: z.number().int().min(2).max(1024).optional(),
    /** A fixed report id before the length byte; absent: the report id is the length (CP2110). */
    reportId: z.number().int().min(0).max(255).optional(),
    /** The register's serial line, set on cables the host configures (CP2110). */
    ...lineSettings,
  })
  .strict();

export const listenerTransport = z.discriminatedUnion('type', [tcpTransport, serialTransport, hidTransport]);

/** A register key: a reference, or (discouraged) a plain value that must be strong enough (docs/security.md). */
const keyRef = z.union([
  z
    .string()
    .min(1, 'must not be empty')
    .superRefine((v, ctx) => {
      const weak = weakKeyText(v);
      if (weak) ctx.addIssue({ code: 'custom', ...codedIssue(weak) });
    }),
  envSecretSchema,
  keychainSecretSchema,
]);

/** Native: a register allowed on the listener, and the key that proves it is that register. */
export const registerKeySchema = z
  .object({
    name: z
      .string()
      .min(1, 'must not be empty')
      .max(64)
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
    key: keyRef,
  })
  .strict();

export const listenerSchema = z
  .object({
    id: id.optional(),
    protocol: z.enum(['native', 'zvt', 'text', 'pole-display', 'printer', 'concert', 'caisse-ap', 'ecr17']),
    transport: listenerTransport,
    terminal: id.optional(),
    /** Native: the listener's key, sent in `hello` (required beyond loopback unless `registers` give per-register keys). */
    token: keyRef.optional(),
    /** Native: per-register keys; a register's `hello` names itself and sends its own key. */
    registers: z.array(registerKeySchema).min(1, 'needs at least one register').optional(),
    /** Addresses (or subnets) that may connect; without it a listener without authentication takes loopback only. */
    peers: z
      .array(
        z.string().superRefine((v, ctx) => {
          const problem = peerEntryText(v);
          if (problem) ctx.addIssue({ code: 'custom', ...codedIssue(problem) });
        }),
      )
      .optional(),
    /** What registers on this listener may do with money (docs/operator.md "Money-out policy"). */
    policy: moneyOutPolicySchema.optional(),
    /** Native: seconds within which the register must `ack` an approved result, else it is reversed. Off by default. */
    requireAck: z.number().int().min(1).max(600).optional(),
    /** Language of this register's receipts and messages (BCP 47); default `merchant.locale`, for ZVT German. */
    locale: localeSchema.optional(),
    /** ZVT: the register's password (6 digits, or a reference to it); when set, Registration must carry it first. */
    password: z
      .union([z.string().regex(/^[0-9]{6}$/, 'must be 6 digits'), envSecretSchema, keychainSecretSchema])
      .optional(),
    /** Protocol-specific extras. */
    options: z.record(z.string(), z.unknown()).optional(),
    /** TCP: connections served at once, and when a connection that never completed a first message, or one without
     *  any traffic, is closed (0: never). Defaults in docs/operator.md. */
    limits: z
      .object({
        maxConnections: z.number().int().min(1).max(1000).optional(),
        firstFrameTimeoutMs: z.number().int().min(0).max(86_400_000).optional(),
        idleTimeoutMs: z.number().int().min(0).max(86_400_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const ippTerminal = z
  .object({
    id,
    driver: z.literal('ipp'),
    transport: z.discriminatedUnion('type', [
      tcpTransport.extend({ port: port.min(1, 'must be 1–65535') }),
      serialTransport,
    ]),
    currency: currencyCode.optional(),
    version: z
      .string()
      .regex(/^[0-9]{3}$/)
      .optional(),
    password: secretRef.optional(),
    referenceNumberType: z.enum(['0', '1', '2', '3', '4']).optional(),
    amountDecimals: z.number().int().min(0).max(3).optional(),
    statusSelector: z.enum(['sid_original', 'none']).optional(),
    lang: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
  })
  .strict();

const simulatorTerminal = z
  .object({
    id,
    driver: z.literal('simulator'),
    currency: currencyCode.default('EUR'),
    /** Pause between the simulated terminal's stages, in ms (human-visible pace by default). */
    stageDelayMs: z.number().int().min(0).max(60_000).optional(),
    /** Also serve the simulated terminal's IPP on this loopback port (0 = any free port). */
    port: port.optional(),
  })
  .strict();

/** Receipt header data when the terminal does not report it (IPP MERCHANT_NAME, MERCHANT_AL1/2), or always with `override`. */
export const merchantSchema = z
  .object({
    name: z.string().max(96).optional(),
    address: z.array(z.string().max(96)).max(3, 'at most 3 address lines').optional(),
    merchantId: z.string().max(32).optional(),
    /** The shop's language (BCP 47) for receipts and register-facing messages; default English. */
    locale: localeSchema.optional(),
    /** Print these instead of what the terminal reports. */
    override: z.boolean().default(false),
  })
  .strict();

/** Receipts (docs/receipts.md): default width, footer, and the ESC/POS printer's code page. */
export const receiptsSchema = z
  .object({
    width: z
      .union([z.literal(32), z.literal(40), z.literal(48)], { error: 'must be 32, 40 or 48 columns' })
      .default(40),
    footer: z.array(z.string().max(96)).max(4, 'at most 4 footer lines').default([]),
    /** Default: by the receipt's language (ascii for English, cp858 Western Europe, cp852 Polish/Romanian, cp866 Bulgarian, cp737 Greek). */
    codePage: z.enum(ESC_POS_CODE_PAGES).optional(),
    /** The printer's ESC t number for the code page, when it is not Epson's. */
    codePageNumber: z.number().int().min(0).max(255).optional(),
    cut: z.boolean().default(true),
  })
  .strict();

/** The business day that end of day closes: from the cut-off hour (local time) to the next day's. */
export const businessDaySchema = z
  .object({
    cutoffHour: z.number().int('must be a whole hour').min(0, 'must be 0–23').max(23, 'must be 0–23').default(0),
    /** IANA time zone such as "Europe/Sofia"; default the system's. */
    timeZone: z
      .string()
      .refine(isTimeZone, codedIssue(coreText('config.timeZone')))
      .optional(),
  })
  .strict();

export const reportsSchema = z
  .object({
    /** Reconcile with the host right after each end of day. */
    reconcileAfterEndOfDay: z.boolean().default(true),
    /** Terminals without a host transactions list (IPP): ask the terminal about each payment ("all") or not ("none"). */
    terminalLookups: z.enum(['all', 'none']).default('all'),
    /** Write CSV/JSON of end-of-day and reconciliation reports to `<dataDir>/reports`. */
    export: z.boolean().default(true),
  })
  .strict();

/** The ePOS terminal entry (myPOS API Gateway); defined with the driver. */
const eposTerminal = eposTerminalSchema;

export const terminalSchema = z.discriminatedUnion('driver', [ippTerminal, simulatorTerminal, eposTerminal]);

export const configSchema = z
  .object({
    dataDir: z.string().min(1).optional(),
    listeners: z.array(listenerSchema).min(1, 'needs at least one listener'),
    terminals: z.array(terminalSchema).min(1, 'needs at least one terminal'),
    status: z
      .object({
        enabled: z.boolean().default(true),
        host: z.string().default('127.0.0.1'),
        port: port.default(7460),
        token: secretRef.optional(),
      })
      .strict()
      .default({ enabled: true, host: '127.0.0.1', port: 7460 }),
    log: z
      .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
    journal: z
      .object({
        retentionDays: z.number().int().min(30).max(3650).default(400),
        // true: commits the bridge acts on are made durable by a shared flush of the log, awaited before it acts;
        // false: each takes its own fsync (synchronous=FULL per commit). Same guarantee; see docs/journal.md.
        groupCommit: z.boolean().default(true),
      })
      .strict()
      .default({ retentionDays: 400, groupCommit: true }),
    merchant: merchantSchema.optional(),
    receipts: receiptsSchema.prefault({}),
    businessDay: businessDaySchema.prefault({}),
    reports: reportsSchema.prefault({}),
    /** Set by a person in the config file, never through the settings page (docs/security.md). */
    developer: z
      .object({
        /** Allow an ePOS gatewayUrl that is not https on a myPOS host (a local fake gateway, a proxy). */
        anyGatewayUrl: z.boolean().default(false),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const terminalIds = new Set<string>();
    cfg.terminals.forEach((t, i) => {
      if (terminalIds.has(t.id))
        ctx.addIssue({
          code: 'custom',
          path: ['terminals', i, 'id'],
          ...codedIssue(coreText('config.duplicateTerminal', { id: t.id })),
        });
      terminalIds.add(t.id);
    });
    const listenerIds = new Set<string>();
    const endpoints = new Set<string>();
    cfg.listeners.forEach((l, i) => {
      const lid = l.id ?? `${l.protocol}-${i + 1}`;
      if (listenerIds.has(lid))
        ctx.addIssue({
          code: 'custom',
          path: ['listeners', i, 'id'],
          ...codedIssue(coreText('config.duplicateListener', { id: lid })),
        });
      listenerIds.add(lid);
      if (l.terminal && !terminalIds.has(l.terminal)) {
        ctx.addIssue({
          code: 'custom',
          path: ['listeners', i, 'terminal'],
          ...codedIssue(coreText('config.unknownTerminal', { id: l.terminal, known: [...terminalIds].join(', ') })),
        });
      }
      if (l.transport.type === 'tcp' && l.protocol === 'concert') {
        ctx.addIssue({
          code: 'custom',
          path: ['listeners', i, 'transport', 'type'],
          ...codedIssue(CONCERT_TCP_TEXT),
        });
      }
      if (l.transport.type === 'tcp') {
        const key = `${l.transport.host}:${l.transport.port}`;
        if (l.transport.port !== 0 && endpoints.has(key))
          ctx.addIssue({
            code: 'custom',
            path: ['listeners', i, 'transport', 'port'],
            ...codedIssue(coreText('config.portUsed', { port: l.transport.port })),
          });
        endpoints.add(key);
        if (!isLoopback(l.transport.host)) {
          // Beyond loopback a listener must know who talks to it: keys (native), a password or an address list.
          if (l.protocol === 'native' && l.token === undefined && l.registers === undefined) {
            ctx.addIssue({
              code: 'custom',
              path: ['listeners', i, 'token'],
              ...codedIssue(coreText('config.nativeNeedsKey', { host: l.transport.host })),
            });
          } else if (l.protocol === 'zvt' && l.password === undefined && l.peers === undefined) {
            ctx.addIssue({
              code: 'custom',
              path: ['listeners', i, 'peers'],
              ...codedIssue(coreText('config.zvtNeedsPassword', { host: l.transport.host })),
            });
          } else if (l.protocol !== 'native' && l.protocol !== 'zvt' && l.peers === undefined) {
            ctx.addIssue({
              code: 'custom',
              path: ['listeners', i, 'peers'],
              ...codedIssue(coreText('config.needsPeers', { protocol: l.protocol, host: l.transport.host })),
            });
          }
        }
      }
      if (l.transport.type === 'serial') {
        if (l.transport.path === 'auto') {
          ctx.addIssue({
            code: 'custom',
            path: ['listeners', i, 'transport', 'path'],
            ...codedIssue(coreText('config.autoForListener')),
          });
        }
        const key = `serial:${l.transport.path}`;
        if (endpoints.has(key))
          ctx.addIssue({
            code: 'custom',
            path: ['listeners', i, 'transport', 'path'],
            ...codedIssue(coreText('config.serialUsed', { path: l.transport.path })),
          });
        endpoints.add(key);
      }
      if (l.registers !== undefined && l.protocol !== 'native') {
        ctx.addIssue({
          code: 'custom',
          path: ['listeners', i, 'registers'],
          ...codedIssue(coreText('config.registersNativeOnly')),
        });
      }
      if (l.token !== undefined && l.protocol !== 'native') {
        ctx.addIssue({
          code: 'custom',
          path: ['listeners', i, 'token'],
          ...codedIssue(coreText('config.tokenNativeOnly')),
        });
      }
      if (l.password !== undefined && l.protocol !== 'zvt') {
        ctx.addIssue({
          code: 'custom',
          path: ['listeners', i, 'password'],
          ...codedIssue(coreText('config.passwordZvtOnly')),
        });
      }
      if (l.registers) {
        const names = new Set<string>();
        l.registers.forEach((r, j) => {
          if (names.has(r.name))
            ctx.addIssue({
              code: 'custom',
              path: ['listeners', i, 'registers', j, 'name'],
              ...codedIssue(coreText('config.duplicateRegister', { name: r.name })),
            });
          names.add(r.name);
        });
      }
      if (l.protocol === 'caisse-ap' && l.transport.type !== 'tcp') {
        ctx.addIssue({
          code: 'custom',
          path: ['listeners', i, 'transport', 'type'],
          ...codedIssue(coreText('config.caisseApTcp')),
        });
      }
      if (l.requireAck !== undefined && l.protocol !== 'native') {
        ctx.addIssue({
          code: 'custom',
          path: ['listeners', i, 'requireAck'],
          ...codedIssue(coreText('config.requireAckNativeOnly')),
        });
      }
    });
    cfg.terminals.forEach((t, i) => {
      if (
        t.driver === 'ipp' &&
        t.transport.type === 'serial' &&
        t.transport.path !== 'auto' &&
        endpoints.has(`serial:${t.transport.path}`)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['terminals', i, 'transport', 'path'],
          ...codedIssue(coreText('config.serialAlsoListener', { path: t.transport.path })),
        });
      }
    });
    if (!isLoopback(cfg.status.host) && cfg.status.enabled && cfg.status.token === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['status', 'token'],
        ...codedIssue(coreText('config.statusNeedsToken', { host: cfg.status.host })),
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type ListenerConfig = z.infer<typeof listenerSchema>;
export type TerminalConfig = z.infer<typeof terminalSchema>;
export type IppTerminalConfig = z.infer<typeof ippTerminal>;
export type SimulatorTerminalConfig = z.infer<typeof simulatorTerminal>;
export type EposTerminalConfig = z.infer<typeof eposTerminal>;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The id a listener is known by: its `id`, or protocol-N by position. */
export function listenerId(l: ListenerConfig, index: number): string {
  return l.id ?? `${l.protocol}-${index + 1}`;
}
