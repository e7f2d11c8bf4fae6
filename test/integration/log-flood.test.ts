/**
 * 30 MB of garbage on the ZVT port, as an attacker (or a broken register) might send it: the log keeps every line
 * written before (nothing is rotated away), the flood shows as a few lines and a summary plus a `flood` security
 * event, the security event recorded before the flood stays in place, and the bridge's memory stays bounded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, logOutputs } from '../../src/log/logger';
import { SECURITY_LOG_NAME } from '../../src/security/security-log';
import { startAttackStack, type AttackStack } from '../helpers/attack';
import { tempDirs } from '../helpers/temp-dirs';

const tmp = tempDirs('rb-flood-');
let stack: AttackStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Deterministic pseudo-random bytes (xorshift), first byte 0x07: no foreign preface, just garbage. */
function garbage(size: number, seed = 0x9e3779b9): Buffer {
  const b = Buffer.alloc(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b.writeUInt32LE(x, i);
  }
  b[0] = 0x07;
  return b;
}

function flood(port: number, bytes: Buffer): Promise<number> {
  return new Promise((resolve) => {
    let answered = 0;
    const s = connect({ port, host: '127.0.0.1' }, () => {
      let at = 0;
      const pump = (): void => {
        while (at < bytes.length) {
          const chunk = bytes.subarray(at, at + 64 * 1024);
          at += chunk.length;
          if (!s.write(chunk)) return void s.once('drain', pump);
        }
        s.end();
      };
      pump();
    });
    s.on('data', (b: Buffer) => (answered += b.length));
    s.on('error', () => undefined);
    s.on('close', () => resolve(answered));
  });
}

describe('a garbage flood on a register port', () => {
  it('30 MB on the ZVT port: earlier log lines and security events stay, the flood is summarised, memory is bounded', async () => {
    const dir = tmp();
    const file = join(dir, 'logs', 'register-bridge.log');
    const out = logOutputs({ file: { file, maxBytes: 10 * 1024 * 1024, keep: 5 } });
    stack = await startAttackStack({ log: createLogger({ level: 'info', destination: out }) });
    const s = stack;
    // Before the flood: a foreign connection (a security event) and the start's own log lines.
    await new Promise<void>((r) => {
      const c = connect({ port: s.ports.zvt, host: '127.0.0.1' }, () => c.write('POST / HTTP/1.1\r\n\r\n'));
      c.on('error', () => undefined);
      c.on('close', () => r());
    });
    expect(readFileSync(file, 'utf8')).toContain('listening for registers');

    const rssBefore = process.memoryUsage().rss;
    const bytes = garbage(30 * 1024 * 1024);
    const answered = await flood(s.ports.zvt, bytes);
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(answered).toBeGreaterThan(0); // the bridge kept answering in ZVT (84 xx) while it lasted

    const log = readFileSync(file, 'utf8');
    const lines = log.trim().split('\n');
    expect(existsSync(join(dir, 'logs', 'register-bridge.1.log'))).toBe(false);
    expect(log).toContain('listening for registers');
    expect(lines.length).toBeLessThan(100);
    expect(log).toMatch(/\d+ bad frames from peer tcp 127\.0\.0\.1:\d+ in the last minute/);

    const events = s.service.security.recent();
    expect(events.some((e) => e.kind === 'foreign_protocol')).toBe(true);
    expect(events.some((e) => e.kind === 'flood' && /bad frames/.test(e.detail))).toBe(true);
    const onDisk = readFileSync(join(s.dataDir, SECURITY_LOG_NAME), 'utf8');
    expect(onDisk).toContain('"foreign_protocol"');
    expect(onDisk).toContain('"flood"');
    // The 30 MB buffer itself is counted in the growth; the bridge adds a bounded amount on top of it.
    expect(rssGrowth).toBeLessThan(bytes.length + 128 * 1024 * 1024);
    out.end?.();
  }, 120_000);
});
