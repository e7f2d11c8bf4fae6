/**
 * The configuration file is a codec too (src/config/schema.ts): random JSON and mutations of valid configs must
 * come out as a Config or as BridgeError config_invalid naming the field — and so must building each listener's
 * protocol from a config that passed (what `serve` does next), never another exception.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BridgeError } from '../../src/domain/errors';
import { configIssues, parseConfig } from '../../src/config/load';
import { protocolFor } from '../../src/register/registry';
import { target, type FuzzTarget } from './target';

const SEEDS: unknown[] = [
  {
    listeners: [
      {
        id: 'pos',
        protocol: 'native',
        transport: { type: 'tcp', host: '127.0.0.1', port: 7450 },
        terminal: 'lane1',
        requireAck: 30,
      },
    ],
    terminals: [
      {
        id: 'lane1',
        driver: 'ipp',
        transport: { type: 'tcp', host: '192.168.1.50', port: 7900 },
        currency: 'EUR',
        password: { env: 'IPP_PASSWORD' },
      },
    ],
    status: { host: '127.0.0.1', port: 7460 },
    log: { level: 'info' },
    journal: { retentionDays: 400 },
  },
  {
    dataDir: '/var/lib/register-bridge',
    listeners: [
      {
        protocol: 'zvt',
        transport: { type: 'serial', path: '/dev/ttyS0', baudRate: 9600, parity: 'none' },
        password: '123456',
        options: { receipts: 'off' },
      },
      { protocol: 'zvt', transport: { type: 'tcp', host: '127.0.0.1', port: 20007 } },
      {
        protocol: 'text',
        transport: { type: 'tcp', host: '127.0.0.1', port: 7451 },
        options: { separator: ';', decimal: ',', thousands: '.', currency: 'EUR' },
      },
    ],
    terminals: [{ id: 'demo', driver: 'simulator', currency: 'EUR', stageDelayMs: 300 }],
    status: { enabled: false },
    merchant: { name: 'Corner Shop', address: ['Main St 1'], override: false },
    receipts: { width: 40, footer: ['Thank you'], codePage: 'cp1252' },
    businessDay: { cutoffHour: 4, timeZone: 'Europe/Sofia' },
  },
  {
    listeners: [
      {
        id: 'till',
        protocol: 'native',
        transport: { type: 'tcp', host: '0.0.0.0', port: 7450 },
        token: { keychain: 'register-bridge-token' },
      },
      {
        id: 'hid',
        protocol: 'zvt',
        transport: { type: 'hid', vendorId: 0x10c4, productId: 0xea80, framing: 'cp2110', baudRate: 9600 },
      },
      { id: 'pole', protocol: 'pole-display', transport: { type: 'serial', path: 'COM3' }, options: { columns: 20 } },
      { id: 'printer', protocol: 'printer', transport: { type: 'tcp', host: '127.0.0.1', port: 9100 } },
    ],
    terminals: [
      {
        id: 'cloud',
        driver: 'epos',
        environment: 'demo',
        terminalId: '80123457',
        currency: 'EUR',
        partnerId: 'mps-p-0000001',
        applicationId: 'mps-app-0000001',
        partnerClientId: 'client_demo0001',
        partnerSecret: { env: 'EPOS_PARTNER_SECRET' },
        merchantClientId: 'cli_demo0001',
        merchantSecret: { env: 'EPOS_MERCHANT_SECRET' },
        pollIntervalMs: 1000,
      },
    ],
    status: { host: '0.0.0.0', port: 7460, token: { env: 'STATUS_TOKEN' } },
  },
];

/** Every path to a value inside `v` (objects and arrays), the root included. */
function paths(
  v: unknown,
  at: Array<string | number> = [],
  out: Array<Array<string | number>> = [],
): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

type Edit = { kind: 'replace' | 'delete' | 'add' | 'duplicate'; at: number; value: unknown; key: string };

/** Applies JSON-level edits (replace a value, delete a key/element, add an unknown key, duplicate an element). */
function mutateConfig(seed: unknown, editList: readonly Edit[]): unknown {
  let doc = structuredClone(seed);
  for (const e of editList) {
    const all = paths(doc);
    const path = all[e.at % all.length]!;
    if (path.length === 0) {
      if (e.kind === 'replace') doc = structuredClone(e.value);
      continue;
    }
    const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], doc) as
      Record<string | number, unknown> | unknown[];
    const key = path[path.length - 1]!;
    // Values are copied in (constants are shared between cases), and keys are own properties as JSON.parse makes them
    // (a "__proto__" key included).
    const value = structuredClone(e.value);
    if (e.kind === 'replace')
      Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
    else if (e.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key as string];
    } else if (e.kind === 'add') {
      const target = (parent as Record<string | number, unknown>)[key];
      if (target && typeof target === 'object' && !Array.isArray(target))
        Object.defineProperty(target, e.key, { value, enumerable: true, writable: true, configurable: true });
    } else if (Array.isArray(parent)) parent.push(structuredClone(parent[Number(key)]));
  }
  return doc;
}

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    0,
    -1,
    65535,
    65536,
    1.5,
    '',
    'EUR',
    'XXX',
    '127.0.0.1',
    '0.0.0.0',
    'serial',
    'hid',
    'tcp',
    'native',
    'zvt',
    'text',
    'ipp',
    'epos',
    'simulator',
    '12345',
    '123456',
    null,
    true,
    [],
    {},
  ),
  fc.constantFrom(
    { env: '' },
    { env: 'X' },
    { keychain: 'k' },
    { env: 'X', keychain: 'k' },
    { type: 'tcp', port: 1 },
    { type: 'serial', path: '' },
  ),
);

const edit = fc.record({
  kind: fc.constantFrom('replace', 'replace', 'delete', 'add', 'duplicate'),
  at: fc.nat(),
  value: jsonish,
  key: fc.oneof(
    fc.constantFrom('options', 'token', 'extra', 'id', '__proto__', 'constructor'),
    fc.string({ maxLength: 8 }),
  ),
}) as fc.Arbitrary<Edit>;

const configDoc = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.constantFrom(...SEEDS), fc.array(edit, { minLength: 1, maxLength: 4 }))
      .map(([s, e]) => mutateConfig(s, e)),
  },
  { weight: 1, arbitrary: fc.constantFrom(...SEEDS) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  // JSON text mutated at the character level, when it still parses
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.string({ maxLength: 3 })).map(([s, at, insert]) => {
      const text = JSON.stringify(s);
      const i = at % text.length;
      try {
        return JSON.parse(text.slice(0, i) + insert + text.slice(i + 1)) as unknown;
      } catch {
        return text;
      }
    }),
  },
);

const config = target({
  name: 'config: parseConfig on random and mutated documents, then each listener protocol',
  arbitrary: configDoc,
  check: (doc) => {
    const issues = configIssues(doc);
    let cfg;
    try {
      cfg = parseConfig(doc);
    } catch (e) {
      assert.ok(e instanceof BridgeError, `parseConfig threw ${String(e)}`);
      assert.equal(e.code, 'config_invalid');
      assert.ok(issues.length > 0, 'configIssues agrees that the document is invalid');
      assert.ok(e.message.length > 0);
      return;
    }
    assert.equal(issues.length, 0, 'configIssues agrees that the document is valid');
    // A valid config stays valid when parsed again (defaults applied once are accepted).
    parseConfig(JSON.parse(JSON.stringify(cfg)));
    for (const l of cfg.listeners) {
      try {
        protocolFor(l);
      } catch (e) {
        assert.ok(
          e instanceof BridgeError && e.code === 'config_invalid',
          `listener ${l.protocol} options: ${String(e)} (expected BridgeError config_invalid)`,
        );
      }
    }
  },
});

export const configTargets: FuzzTarget[] = [config];
