/**
 * Abortive closes (TCP RST from socket.resetAndDestroy) at every step of a WebSocket upgrade and of a plain request
 * on the status server, run in its own process: a refused upgrade (wrong path, foreign Origin, missing and wrong
 * token from beyond loopback), an accepted one while events stream, and an HTTP request mid-body. The process must
 * live through all of them and still answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let child: ChildProcess;
let port = 0;
let stderr = '';

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/status-server-child.ts'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`status server exited (${code}): ${stderr}`)));
  });
}, 30_000);

afterAll(() => {
  child?.kill();
});

const upgrade = (path: string, headers: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;

/** When, in the exchange, the client resets. */
type Step = 'after-connect' | 'mid-request' | 'after-request' | 'first-answer-byte' | 'later';

function exchange(request: string, step: Step): Promise<void> {
  return new Promise((resolve) => {
    const s: Socket = connect({ port, host: '127.0.0.1' });
    s.on('error', () => undefined);
    s.on('close', () => resolve());
    const reset = (): void => void s.resetAndDestroy();
    s.once('connect', () => {
      if (step === 'after-connect') return reset();
      if (step === 'mid-request') {
        s.write(request.slice(0, Math.floor(request.length / 2)));
        return void setImmediate(reset);
      }
      s.write(request);
      if (step === 'after-request') return reset();
      if (step === 'first-answer-byte') s.once('data', reset);
      else s.once('data', () => setTimeout(reset, 20));
    });
    // A server that never answers must not hang the test.
    setTimeout(reset, 500);
  });
}

describe('status server: resets never stop the process', () => {
  it('survives resets at every step of refused and accepted upgrades and of plain requests', async () => {
    const origin = `Origin: http://127.0.0.1:${port}\r\n`;
    const cases: Record<string, string> = {
      'wrong path': upgrade('/not-events', origin),
      'foreign Origin': upgrade('/api/events', 'Origin: http://attacker.example\r\n'),
      'no token beyond loopback': upgrade('/api/events', `${origin}x-peer: 192.0.2.7\r\n`),
      'wrong token beyond loopback': upgrade('/api/events?token=wrong', `${origin}x-peer: 192.0.2.7\r\n`),
      accepted: upgrade('/api/events', origin),
      'plain request with a body': `POST /api/settings/validate HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"a":`,
    };
    const steps: Step[] = ['after-connect', 'mid-request', 'after-request', 'first-answer-byte', 'later'];
    for (let round = 0; round < 2; round++) {
      for (const request of Object.values(cases)) {
        await Promise.all(steps.map((step) => exchange(request, step)));
      }
    }
    // Still alive and answering.
    expect(child.exitCode).toBeNull();
    const res = await fetch(`http://127.0.0.1:${port}/api/security-events`);
    expect(res.status).toBe(200);
    expect(stderr).not.toMatch(/ECONNRESET|Unhandled|uncaught/i);
  }, 60_000);
});
