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
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist-cli', 'cli.cjs');
const codeCache = join(root, 'dist-cli', 'cli.cjs.v8-cache');

const MB = 1024 * 1024;
const V8_GROWTH_FACTOR = 2;

/**
 * How far V8 lets the command's young generation grow. V8 doubles a semi-space (the young generation is two of them)
 * each time enough survives its scavenges, up to 16 MB: 32 MB of resident memory once a busy bridge has grown it.
 * A sale's objects die young, so a smaller young generation keeps nearly all of them out of the old one while it
 * costs a few more (cheap) scavenges. Its maximum (--max-semi-space-size) is fixed when Node starts, by flags the
 * bridge does not control (a service manager, the desktop shell and the bench start `node` themselves); the growth
 * factor is read each time V8 grows the space, so after every collection it is set to 1 (no growth) once a semi-space
 * has reached the limit and back to V8's 2 below it (V8 shrinks it again on its own when the bridge is idle).
 *
 * Semi-spaces of at most `semiSpaceMb` (a power of two: V8 doubles from 1 MB).
 */
function limitYoungGeneration(semiSpaceMb) {
  let factor = V8_GROWTH_FACTOR;
  const setFactor = (f) => {
    if (f === factor) return;
    factor = f;
    v8.setFlagsFromString(`--semi-space-growth-factor=${f}`);
  };
  new PerformanceObserver(() => {
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    // Used + available is a semi-space's capacity (less its pages' headers).
    const capacity = young ? young.space_used_size + young.space_available_size : 0;
    setFactor(capacity >= 0.75 * semiSpaceMb * MB ? 1 : V8_GROWTH_FACTOR);
  }).observe({ entryTypes: ['gc'] });
  return {
    /**
     * Runs `fn` with the young generation held at its size: loading the bundle builds objects that are kept (modules,
     * schemas, catalogues) and would grow it to 4 MB per semi-space, which an idle bridge keeps and does not use.
     */
    holding(fn) {
      setFactor(1);
      try {
        return fn();
      } finally {
        setFactor(V8_GROWTH_FACTOR);
      }
    },
    /**
     * Runs `fn` with V8's default flags. V8 stamps a code cache with the flags it was made under and rejects it under
     * others: a cache made while the factor is 1 would be refused at every later start.
     */
    withDefaultFlags(fn) {
      const current = factor;
      setFactor(V8_GROWTH_FACTOR);
      try {
        return fn();
      } finally {
        setFactor(current);
      }
    },
  };
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
function runBundle(young) {
  const { script, key, cacheUsed } = compileBundle();
  if (!cacheUsed) {
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      const tmp = `${codeCache}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, Buffer.concat([key, young.withDefaultFlags(() => script.createCachedData())]));
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
  young.holding(() =>
    script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle)),
  );
}

// Semi-spaces of up to 8 MB instead of V8's 16.
const young = limitYoungGeneration(8);
if (bundleIsCurrent()) {
  runBundle(young);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
