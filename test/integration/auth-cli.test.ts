/** `register-bridge keygen`, and a listener beyond loopback without authentication refused at start (exit 2). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { keyBits } from '../../src/security/keys';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'register-bridge.mjs');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('register keys on the command line', () => {
  it('keygen prints a new 256-bit key each time, and says where it goes', async () => {
    const a = await run(['keygen']);
    const b = await run(['keygen']);
    expect(a.code).toBe(0);
    const key = a.stdout.trim();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keyBits(key)).toBeGreaterThanOrEqual(128);
    expect(b.stdout.trim()).not.toBe(key);
    expect(a.stderr).toContain('environment variable');
  });

  it('serve refuses a text listener beyond loopback without a peer list: exit 2 naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-auth-cli-'));
    dirs.push(dir);
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        listeners: [
          {
            id: 'till',
            protocol: 'text',
            transport: { type: 'tcp', host: '0.0.0.0', port: 0 },
            options: { allowRemote: true },
          },
        ],
        terminals: [{ id: 't', driver: 'simulator' }],
      }),
    );
    const r = await run(['serve', '--config', file, '--data-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toContain('listeners[0].peers');
  });
});
