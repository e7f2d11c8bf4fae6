/**
 * What an attacker sends to register ports, and the product with one TCP listener of every register protocol to
 * send it to. Shared by the raw-socket attack tests, the browser attack test and the cross-protocol fuzz target.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load';
import { silentLogger, type Logger } from '../../src/log/logger';
import { startService, type Service } from '../../src/service';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';

export const LISTENER_PROTOCOLS = ['native', 'text', 'zvt', 'pole-display', 'printer'] as const;
export type ListenerProtocol = (typeof LISTENER_PROTOCOLS)[number];

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');

/** Frames that move money (or change the listener) in each protocol, as an attacker would put them in a body. */
export const MONEY_FRAMES: Record<ListenerProtocol, Buffer[]> = {
  native: [
    Buffer.from('{"op":"refund","id":"r1","ref":"WEB-REFUND","amount":4242,"currency":"EUR"}\n'),
    Buffer.from('{"op":"sale","id":"s1","ref":"WEB-SALE","amount":4242,"currency":"EUR"}\n'),
  ],
  text: [Buffer.from('REFUND;WEB-REFUND;42.42;EUR\r\n'), Buffer.from('SALE;WEB-SALE;42.42;EUR\r\n')],
  zvt: [
    // Reversal of receipt 0001 (password 000000), End-of-Day, Registration (config byte 0x08), Authorization 25.00.
    hex('06 30 06 00 00 00 87 00 01'),
    hex('06 50 03 00 00 00'),
    hex('06 00 06 00 00 00 08 09 78'),
    hex('06 01 07 04 00 00 00 00 25 00'),
  ],
  'pole-display': [Buffer.from('\x0c\x1b\x51\x41TOTAL       42.42\r')],
  printer: [Buffer.from('\x1b@TOTAL EUR 42.42\n\x1dV\x00')],
};

/** A valid money frame of each protocol behind `padding` bytes that re-synchronise nothing on their own. */
export function framesFor(protocol: ListenerProtocol, padding = 0): Buffer {
  return Buffer.concat([Buffer.alloc(padding, 0x20), ...MONEY_FRAMES[protocol]]);
}

/** Foreign prefaces: what a browser, a TLS client, a WebSocket or an HTTP/2 client sends first. */
export function prefaces(port: number, body: Buffer): Record<string, Buffer> {
  const host = `127.0.0.1:${port}`;
  const post = (headers: string): Buffer => Buffer.concat([Buffer.from(`POST /pay HTTP/1.1\r\nHost: ${host}\r\n${headers}Content-Length: ${body.length}\r\n\r\n`), body]);
  return {
    'HTTP POST (fetch no-cors)': post('Origin: http://attacker.example\r\nContent-Type: text/plain;charset=UTF-8\r\nSec-Fetch-Mode: no-cors\r\n'),
    'HTTP form post': post('Origin: null\r\nContent-Type: application/x-www-form-urlencoded\r\n'),
    'HTTP GET': Buffer.concat([Buffer.from(`GET /?x=1 HTTP/1.1\r\nHost: ${host}\r\n\r\n`), body]),
    'HTTP OPTIONS': Buffer.concat([Buffer.from(`OPTIONS * HTTP/1.1\r\nHost: ${host}\r\n\r\n`), body]),
    'HTTP header line first': Buffer.concat([Buffer.from(`Host: ${host}\r\n\r\n`), body]),
    'WebSocket upgrade': Buffer.concat([
      Buffer.from(`GET /socket HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`),
      body,
    ]),
    'HTTP/2 preface': Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), hex('000000 04 00 00000000'), body]),
    'TLS ClientHello': Buffer.concat([hex('16 03 01 00 2f 01 00 00 2b 03 03'), Buffer.alloc(32, 7), hex('00 00 02 13 01 01 00'), body]),
  };
}

export interface AttackStack {
  readonly sim: IppSimulator;
  readonly service: Service;
  readonly dataDir: string;
  /** TCP port of each protocol's listener. */
  readonly ports: Record<ListenerProtocol, number>;
  close(): Promise<void>;
}

let n = 0;

/** The product with one loopback TCP listener of every register protocol on one simulated myPOS terminal. */
export async function startAttackStack(o: { log?: Logger; listener?: Record<string, unknown> } = {}): Promise<AttackStack> {
  const sim = new IppSimulator({ fast: true });
  const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
  const dataDir = mkdtempSync(join(tmpdir(), 'rb-attack-'));
  const tcp = { type: 'tcp', host: '127.0.0.1', port: 0 };
  // Capture listener ids are unique per stack: the capture registry is one per process.
  const suffix = ++n;
  const config = parseConfig({
    dataDir,
    listeners: LISTENER_PROTOCOLS.map((protocol) => ({
      id: `${protocol === 'pole-display' ? 'pole' : protocol}${suffix}`,
      protocol,
      transport: tcp,
      ...(protocol === 'zvt' ? { password: '000000', options: { receipts: 'off' } } : {}),
      ...(protocol === 'pole-display' ? { options: { stableMs: 50 } } : {}),
      ...o.listener,
    })),
    terminals: [{ id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' }],
    status: { enabled: false },
  });
  const service = await startService(config, {
    log: o.log ?? silentLogger(),
    status: false,
    bridge: { busyBackoffMs: 10, deliveryTimeoutMs: 5000, recoveryMinMs: 50, recoveryMaxMs: 200, healthIntervalMs: 0, inDoubtLookupDelayMs: 20 },
  });
  const ports = Object.fromEntries(LISTENER_PROTOCOLS.map((p, i) => [p, service.listeners[i]!.port!])) as Record<ListenerProtocol, number>;
  return {
    sim,
    service,
    dataDir,
    ports,
    async close() {
      await service.close();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
