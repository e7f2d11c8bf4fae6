#!/usr/bin/env node
/**
 * Bundles the headless command (src/cli.ts) into dist-cli/cli.cjs, so `register-bridge` starts without compiling
 * TypeScript. Run by `npm ci` / `npm install` (the `prepare` script) and by `npm run build:cli`; the folder is not
 * committed. bin/register-bridge.mjs runs the bundle when it is at least as new as every source file it was built
 * from (listed in dist-cli/inputs.json), else the sources through tsx, so an edited source is never shadowed by an
 * old bundle.
 *
 * One CommonJS file, as the desktop build (dist-electron/main.cjs): Node compiles it without the ES module loader's
 * extra passes (decoding, export scanning of every CommonJS dependency), which is a third of the start-up time of
 * an ES module bundle. `import.meta.url` is this file's URL (the sources find package.json and dist-renderer/ one
 * folder up, which holds for dist-cli/ too). The file holds Node's CommonJS function wrapper around the bundle, so that
 * bin/register-bridge.mjs compiles its text as it is read.
 *
 * External, loaded from node_modules at run time: Node built-ins, the native modules (libsql, serialport, node-hid,
 * usb), and pino and ws, which load optional or worker files by path — the same list as the desktop build
 * (vite.main.config.ts). Everything else is bundled, zod without its translations of error messages (the bridge
 * uses the English ones only; `z.locales` holds `en` alone).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist-cli');

const EXTERNAL = [
  'libsql',
  '@libsql/*',
  'serialport',
  '@serialport/*',
  'node-hid',
  'node-hid/*',
  'usb',
  'pino',
  'pino/*',
  'ws',
];

/** zod's `locales/index.js` (every language, ~40 % of zod's size) → English only. */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (a) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(a.importer)
        ? { path: resolve(a.resolveDir, a.path), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (a) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(a.path), 'en.js'))};\n`,
      loader: 'js',
      resolveDir: dirname(a.path),
    }));
  },
};

// esbuild comes with the development dependencies (through vite). Without them (`npm ci --omit=dev`) there is no
// bundle, and bin/register-bridge.mjs runs the sources through tsx: slower to start, otherwise the same.
let build;
try {
  ({ build } = await import('esbuild'));
} catch {
  process.stdout.write(
    'register-bridge: esbuild is not installed (development dependencies omitted); the command runs from the sources\n',
  );
  process.exit(0);
}

const started = performance.now();
mkdirSync(outDir, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli.ts'],
  outfile: join(outDir, 'cli.cjs'),
  write: false,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: EXTERNAL,
  plugins: [zodEnglishOnly],
  // `import('serialport')` becomes a require: every external is CommonJS, and the bundle runs without an ES module
  // loader of its own (bin/register-bridge.mjs compiles it with V8's code cache).
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__registerBridgeModuleUrl' },
  banner: { js: "const __registerBridgeModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  metafile: true,
  logLevel: 'error',
  legalComments: 'none',
});
// The sources the bundle was built from (node_modules excluded: `npm ci` builds the bundle again anyway).
const inputs = Object.keys(result.metafile.inputs)
  .filter((p) => !p.includes(':') && !p.split(/[\\/]/).includes('node_modules'))
  .sort();
writeFileSync(join(outDir, 'inputs.json'), JSON.stringify({ inputs }) + '\n');
// esbuild escapes every non-ASCII character in code (its default charset); what it leaves is in comments. Escaped
// there too, the bundle is ASCII, which bin/register-bridge.mjs reads as latin1 (half the time of UTF-8 decoding).
// A line separator in a comment becomes a newline so that it still ends the comment.
const ascii = result.outputFiles[0].text
  .replace(/[\u2028\u2029]/g, '\n')
  // eslint-disable-next-line no-control-regex -- the class is everything outside ASCII, NUL included on purpose
  .replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
// Node's CommonJS wrapper is written into the bundle (on its first line, so that line numbers stay the bundle's): the
// command compiles the file's text as it is, without building a wrapped copy of 3 MB first.
const code = `(function (exports, require, module, __filename, __dirname) { ${ascii}\n})`;
// The bundle last, in one step: it is never older than inputs.json, and a half-written bundle is never run.
const tmp = join(outDir, `cli.${process.pid}.tmp.cjs`);
writeFileSync(tmp, code, 'latin1');
renameSync(tmp, join(outDir, 'cli.cjs'));
// V8's code cache of the new bundle: written by one run of the command (a cache of an older bundle is ignored).
rmSync(join(outDir, 'cli.cjs.v8-cache'), { force: true });
execFileSync(process.execPath, [join(root, 'bin', 'register-bridge.mjs'), 'version'], { stdio: 'ignore' });
process.stdout.write(
  `register-bridge: built dist-cli/cli.cjs from ${inputs.length} source files in ${Math.round(performance.now() - started)} ms\n`,
);
