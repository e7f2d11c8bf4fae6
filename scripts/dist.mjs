#!/usr/bin/env node
// `npm run dist`: the installers for the OS this runs on (Windows: NSIS, macOS: dmg, Linux: AppImage + deb), with
// electron-builder and electron-builder.yml. Extra arguments go to electron-builder (e.g. `npm run dist -- --dir`
// for the unpacked app only).
//
// electron-builder downloads Electron's runtime and the installer tools (NSIS, AppImage, fpm …) from the internet.
// Where they cannot be downloaded it fails with a stack trace; this wrapper prints one line saying what could not
// be downloaded and where to build instead (docs/install.md), and passes electron-builder's other errors on
// without their stack traces.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const defaultRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const PLATFORM_FLAG = { linux: '--linux', darwin: '--mac', win32: '--win' };

/** Error codes and phrases of a download that failed for want of a network. */
const NETWORK_CODE =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ENETDOWN|CERT_[A-Z_]+|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|net::ERR_[A-Z_]+)\b/;
const NETWORK_PHRASE = /socket hang up|getaddrinfo|network timeout|Client network socket disconnected/i;
const isNetwork = (l) => NETWORK_CODE.test(l) || NETWORK_PHRASE.test(l);

/**
 * The one line to print when electron-builder's output shows a failed download, or undefined when the failure is
 * something else. `output` is everything electron-builder printed.
 */
export function explainNetworkFailure(output) {
  const lines = output.split(/\r?\n/);
  const failed = lines.find((l) => /⨯|Error:|error=/.test(l) && isNetwork(l)) ?? lines.find(isNetwork);
  if (!failed) return undefined;
  const code = NETWORK_CODE.exec(failed)?.[0] ?? NETWORK_PHRASE.exec(failed)?.[0] ?? 'network error';
  const host =
    /(?:getaddrinfo [A-Z_]+|connect [A-Z_]+) ([A-Za-z0-9.-]+\.[A-Za-z]{2,})/.exec(failed)?.[1] ??
    /https?:\/\/([^/\s'"]+)/.exec(output)?.[1];
  // What was being downloaded: the tools of the target being built when it failed, else Electron itself (it is
  // fetched while packaging, before any target is built).
  let what = "Electron's runtime";
  for (const l of lines) {
    if (l === failed) break;
    const building = /building\s+target=(\S+)/.exec(l);
    if (building) what = `the ${building[1]} build tools`;
  }
  return (
    `register-bridge dist: could not download ${what}${host ? ` from ${host}` : ''} (${code}); ` +
    'this machine cannot reach the internet for it. Build the installers on a machine with internet access (docs/install.md).'
  );
}

/** electron-builder's own lines without stack frames (they name our node_modules, not the problem). */
function withoutStack(text) {
  return text
    .split(/\r?\n/)
    .filter((l) => !/^\s+at\s/.test(l))
    .map((l) => l.replace(/\s*stackTrace=.*$/, ''))
    .join('\n');
}

function bundlesMissing(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const needed = [pkg.main ?? 'dist-electron/main.cjs', 'dist-renderer/index.html'];
  return { pkg, missing: needed.filter((f) => !existsSync(join(root, f))) };
}

async function main(args) {
  // electron-builder's --projectDir names another project (passed on to it too); default this repository.
  const at = args.indexOf('--projectDir');
  const root = at >= 0 && args[at + 1] ? args[at + 1] : defaultRoot;
  const flag = PLATFORM_FLAG[process.platform];
  if (!flag) {
    process.stderr.write(
      `register-bridge dist: no installer target for ${process.platform} (Windows, macOS and Linux are supported)\n`,
    );
    return 2;
  }

  let { pkg, missing } = bundlesMissing(root);
  if (missing.length > 0 && pkg.scripts?.build) {
    process.stdout.write(`register-bridge dist: ${missing.join(', ')} not built yet; running npm run build\n`);
    const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], {
      cwd: root,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
    if (r.status !== 0) {
      process.stderr.write('register-bridge dist: npm run build failed (see above)\n');
      return 1;
    }
    ({ missing } = bundlesMissing(root));
  }
  if (missing.length > 0) {
    process.stderr.write(
      `register-bridge dist: the desktop app is not built (${missing.join(', ')} missing); run npm run build first\n`,
    );
    return 1;
  }

  const cli = require.resolve('electron-builder/cli.js');
  const ebArgs = [cli, flag, '--publish', 'never', ...args];
  const child = spawn(process.execPath, ebArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const pass = (stream) => {
    let partial = '';
    const show = (text) => {
      const shown = withoutStack(text);
      if (shown.trim()) stream.write(`${shown}\n`);
    };
    return {
      data: (chunk) => {
        const text = partial + chunk.toString();
        output += chunk.toString();
        const cut = text.lastIndexOf('\n');
        partial = text.slice(cut + 1);
        if (cut >= 0) show(text.slice(0, cut));
      },
      end: () => partial && show(partial),
    };
  };
  const out = pass(process.stdout);
  const err = pass(process.stderr);
  child.stdout.on('data', out.data);
  child.stderr.on('data', err.data);
  const code = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  out.end();
  err.end();
  if (code === 0) {
    process.stdout.write(`register-bridge dist: installers written to ${join(root, 'release')}\n`);
    return 0;
  }
  const network = explainNetworkFailure(output);
  process.stderr.write(`${network ?? 'register-bridge dist: electron-builder failed (see its message above)'}\n`);
  return code;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`register-bridge dist: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
