import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureTool } from '../helpers/system-tools';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'register-bridge.mjs');
const run = promisify(execFile);
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'rb-cli-'));
  dirs.push(d);
  return d;
}

/** Starts `register-bridge serve` and resolves with its printed lines once it is ready. */
function serve(args: string[]): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/register listener on/.test(out) && /terminal \w+:/.test(out)) resolve({ child, out });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

describe('register-bridge command', () => {
  it('serve --demo: a sale piped through nc prints progress and an approved result', async () => {
    const nc = ensureTool('nc', 'netcat-openbsd');
    const dir = tmp();
    const { out } = await serve(['--demo', '--port', '0', '--status-port', '0', '--data-dir', dir]);
    const port = Number(/native register listener on 127\.0\.0\.1:(\d+)/.exec(out)![1]);
    const line = '{"op":"sale","id":"1","ref":"A1","amount":1234,"currency":"EUR"}\n';
    const reply = await new Promise<string>((resolve, reject) => {
      const p = spawn(nc, ['-q', '30', '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
      let text = '';
      p.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('"type":"result"')) {
          p.kill();
          resolve(text);
        }
      });
      p.on('exit', () => resolve(text));
      p.on('error', reject);
      p.stdin.end(line);
    });
    const msgs = reply
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(msgs.some((m) => m.type === 'progress' && m.stage === 'present_card')).toBe(true);
    expect(msgs.at(-1)).toMatchObject({
      id: '1',
      type: 'result',
      ref: 'A1',
      outcome: 'approved',
      amount: 1234,
      currency: 'EUR',
    });
    const list = await run(process.execPath, [BIN, 'journal', 'list', '--data-dir', dir]);
    expect(list.stdout).toMatch(/A1 .* sale .* 12\.34 EUR +approved/);
  });

  it('a bad config exits with code 2 and one line naming the field', async () => {
    const dir = tmp();
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        listeners: [{ protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 70000 } }],
        terminals: [{ id: 'demo', driver: 'simulator' }],
      }),
    );
    const r = await run(process.execPath, [BIN, 'serve', '--config', file]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/listeners\[0\]\.transport\.port: must be 0–65535/);

    writeFileSync(file, '{ not json');
    const r2 = await run(process.execPath, [BIN, 'serve', '--config', file]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/not valid JSON/);

    writeFileSync(
      file,
      JSON.stringify({
        listeners: [{ protocol: 'native', transport: { type: 'tcp', port: 7451 }, terminal: 'nope' }],
        terminals: [{ id: 'demo', driver: 'simulator' }],
      }),
    );
    const r3 = await run(process.execPath, [BIN, 'serve', '--config', file]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/listeners\[0\]\.terminal: no terminal with id "nope"/);

    // A locale that is no BCP 47 tag, or a language without a catalogue, names its field too.
    writeFileSync(
      file,
      JSON.stringify({
        merchant: { locale: 'de_DE!' },
        listeners: [{ protocol: 'native', transport: { type: 'tcp', port: 7451 } }],
        terminals: [{ id: 'demo', driver: 'simulator' }],
      }),
    );
    const r4 = await run(process.execPath, [BIN, 'serve', '--config', file]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r4.code).toBe(2);
    expect(r4.stderr).toMatch(/merchant\.locale: "de_DE!" is not a BCP 47 language tag/);
    writeFileSync(
      file,
      JSON.stringify({
        listeners: [{ protocol: 'zvt', locale: 'tlh', transport: { type: 'tcp', port: 7451 } }],
        terminals: [{ id: 'demo', driver: 'simulator' }],
      }),
    );
    const r5 = await run(process.execPath, [BIN, 'serve', '--config', file]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r5.code).toBe(2);
    expect(r5.stderr).toMatch(/listeners\[0\]\.locale: no catalogue for the language "tlh"; available: bg, de, el, en/);
  });
});
