/**
 * A real pty pair for serial tests: `socat pty,link=A pty,link=B` joins two pseudo-terminals, and `serialport`
 * opens each end like a COM port. `unplug()` kills socat (both ends see their device vanish, as when a USB cable is
 * pulled); `replug()` starts it again on the same link names. socat is killed by its pid, never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTool } from '../helpers/system-tools';

export class PtyPair {
  private child: ChildProcess | undefined;
  private constructor(
    private readonly socat: string,
    readonly dir: string,
    readonly a: string,
    readonly b: string,
  ) {}

  static async start(): Promise<PtyPair> {
    const socat = ensureTool('socat', 'socat');
    const dir = mkdtempSync(join(tmpdir(), 'rb-pty-'));
    const pair = new PtyPair(socat, dir, join(dir, 'A'), join(dir, 'B'));
    await pair.replug();
    return pair;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts socat; resolves when it reports that both ptys exist and data flows. */
  replug(): Promise<void> {
    if (this.child) return Promise.resolve();
    rmSync(this.a, { force: true });
    rmSync(this.b, { force: true });
    const child = spawn(this.socat, ['-d', '-d', `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      let log = '';
      const onData = (chunk: Buffer): void => {
        log += chunk.toString('utf8');
        if (log.includes('starting data transfer loop')) {
          child.stderr?.off('data', onData);
          child.stderr?.resume();
          resolve();
        }
      };
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        if (this.child === child) this.child = undefined;
        reject(new Error(`socat exited (${code}) before the ptys were ready: ${log.trim()}`));
      });
      child.once('error', reject);
    });
  }

  /**
   * Kills socat (by pid) and waits until it is gone: both ends lose their device. The link names go first, as the
   * device nodes of a pulled cable do: a stale link would point at a pty number the system hands out again (to
   * another test's socat) and a re-open would land there.
   */
  unplug(): Promise<void> {
    rmSync(this.a, { force: true });
    rmSync(this.b, { force: true });
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.child = undefined;
      return Promise.resolve();
    }
    this.child = undefined;
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    await this.unplug();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
