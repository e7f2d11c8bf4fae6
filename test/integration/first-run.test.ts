/**
 * A newcomer's first command: in a fresh copy of the project (the tracked files only, as a clone has them) the
 * steps `npm ci` runs (its `prepare` script) build everything, and `npm start` then serves the real status page —
 * and builds it itself when it is missing.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../helpers/temp-dirs';

const root = resolve(import.meta.dirname, '..', '..');
const tmp = tempDirs('rb-first-run-');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) stopGroup(c);
});

/**
 * Stops `npm start` and everything it started: npm runs the start script through a shell, which runs bin/start.mjs,
 * which runs the service. Killing npm alone left the service running (and serving the demo terminal) after the test.
 * npm is started as the leader of its own process group, and the whole group is killed.
 */
function stopGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** The project's files (tracked, and new ones not ignored) copied into a new folder, with the installed node_modules linked in (what `npm ci` installs). */
function freshCopy(): string {
  const dir = join(tmp(), 'register-bridge');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(root, f))) continue; // deleted in the working tree, not yet committed
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(root, f), join(dir, f));
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** `npm start` in `dir` until it prints the status page's address. */
function start(dir: string, dataDir: string): Promise<{ url: string; out: string }> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const child = spawn(npm, ['start', '--', '--port', '0', '--status-port', '0', '--data-dir', dataDir], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'no-electron') },
    // Its own process group, so that stopGroup reaches the shell, bin/start.mjs and the service under npm.
    detached: process.platform !== 'win32',
  });
  children.push(child);
  let out = '';
  return new Promise((res, rej) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /status page:? (?:on |at )?(http:\/\/[^\s]+)/i.exec(out);
      if (m) res({ url: m[1]!, out });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => rej(new Error(`npm start exited with ${code}: ${out}`)));
  });
}

async function page(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.text();
}

describe('first run from a fresh clone', () => {
  it('npm ci’s prepare step builds the page, the desktop bundles and the command; npm start serves the real status page', async () => {
    const dir = freshCopy();
    execFileSync(process.execPath, [join(dir, 'scripts', 'build-stale.mjs')], { cwd: dir, stdio: 'pipe' });
    for (const built of [
      'dist-renderer/index.html',
      'dist-electron/main.cjs',
      'dist-electron/preload.cjs',
      'dist-cli/cli.cjs',
    ])
      expect(existsSync(join(dir, built)), built).toBe(true);

    const { url, out } = await start(dir, join(dir, 'data'));
    expect(out).toMatch(/running the headless service/);
    const html = await page(url);
    expect(html).not.toMatch(/not built/);
    expect(html).toMatch(/<div id="root">/);
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(new URL(script!, url))).status).toBe(200);
  });

  it('npm start builds a missing status page before it serves it', async () => {
    const dir = freshCopy();
    execFileSync(process.execPath, [join(dir, 'scripts', 'build-stale.mjs')], { cwd: dir, stdio: 'pipe' });
    rmSync(join(dir, 'dist-renderer'), { recursive: true, force: true });
    const { url, out } = await start(dir, join(dir, 'data'));
    expect(out).toMatch(/built the status page/);
    expect(readFileSync(join(dir, 'dist-renderer', 'index.html'), 'utf8')).toMatch(/<div id="root">/);
    expect(await page(url)).not.toMatch(/not built/);
  });
});
