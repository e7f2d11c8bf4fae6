#!/usr/bin/env node
// The register-bridge command. Runs the bundle `npm ci` builds (dist-cli/cli.cjs, scripts/build-cli.mjs) when it is
// at least as new as every source file it was built from; otherwise — a source edited since, or no bundle — the
// TypeScript sources through tsx, which is slower to start but always current (`npm run build:cli` rebuilds the
// bundle). REGISTER_BRIDGE_FROM_SOURCE=1 always runs the sources.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist-cli', 'cli.cjs');
const codeCache = join(root, 'dist-cli', 'cli.cjs.v8-cache');

/**
 * Runs `fn` with V8's young generation held at its size. V8 doubles a semi-space (the young generation is two of
 * them) each time enough survives its scavenges; loading the bundle builds objects that are kept (modules, schemas,
 * catalogues) and would grow it to 4 MB per semi-space, which an idle bridge keeps and does not use (V8 shrinks it
 * only after seconds of low allocation). The growth factor is read each time V8 grows the space; it is 1 during the
 * load and V8's default (2) again after it, so the flags are V8's defaults again when the code cache is made (V8
 * refuses a cache made under other flags).
 */
function holdingYoungGeneration(fn) {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  try {
    return fn();
  } finally {
    v8.setFlagsFromString('--semi-space-growth-factor=2');
  }
}

/** True when the bundle exists and no source file it was built from is newer. */
function bundleIsCurrent() {
  if (process.env.REGISTER_BRIDGE_FROM_SOURCE === '1') return false;
  try {
    const built = statSync(bundle).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(join(root, 'dist-cli', 'inputs.json'), 'utf8'));
    if (!Array.isArray(inputs) || inputs.length === 0) return false;
    for (const file of inputs) {
      const s = statSync(join(root, file), { throwIfNoEntry: false });
      if (!s || s.mtimeMs > built) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles the bundle with V8's code cache: the compiled code of an earlier run (dist-cli/cli.cjs.v8-cache, keyed by
 * the bundle's SHA-1) spares compiling it again at every start. The bundle is one function expression, Node's CommonJS
 * wrapper included (scripts/build-cli.mjs), and ASCII, so its text is compiled as read (latin1): one copy of the 3 MB
 * source, held outside V8's heap, which V8 keeps for the functions it compiles later. The file's bytes and the cache's
 * are dropped when this returns, before the bundle runs, so that they are freed young instead of outliving start-up.
 */
function compileBundle() {
  const bytes = readFileSync(bundle);
  const key = createHash('sha1').update(bytes).digest();
  let cachedData;
  try {
    const c = readFileSync(codeCache);
    if (c.length > key.length && key.equals(c.subarray(0, key.length))) cachedData = c.subarray(key.length);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(bytes.toString('latin1'), {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
  });
  return { script, key, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

/**
 * Runs the bundle as Node runs a CommonJS file. Without a usable code cache the bundle is compiled as usual and the
 * cache written once it has run a moment (best effort: a read-only install just goes without).
 */
function runBundle() {
  const { script, key, cacheUsed } = compileBundle();
  if (!cacheUsed) {
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      const tmp = `${codeCache}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, Buffer.concat([key, script.createCachedData()]));
        renameSync(tmp, codeCache);
      } catch {
        try {
          unlinkSync(tmp);
        } catch {
          // nothing written
        }
      }
    };
    setTimeout(write, 1000).unref();
    process.once('beforeExit', write);
  }
  const module = { exports: {}, filename: bundle, id: bundle, loaded: false };
  holdingYoungGeneration(() =>
    script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle)),
  );
}

if (bundleIsCurrent()) {
  runBundle();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
