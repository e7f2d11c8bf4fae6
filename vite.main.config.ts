/**
 * The desktop shell's main process (electron/main.ts and the core it starts) → dist-electron/main.cjs.
 * Electron, Node built-ins and the modules that must stay files on disk (N-API native modules; pino and ws, which
 * load optional or worker files at run time) stay external and are loaded from node_modules; the rest is bundled.
 */
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export const MAIN_EXTERNAL: ReadonlyArray<string | RegExp> = [
  'electron',
  /^node:/,
  ...builtinModules,
  'libsql',
  /^@libsql\//,
  'serialport',
  /^@serialport\//,
  'node-hid',
  'usb',
  'pino',
  /^pino\//,
  'ws',
];

export default defineConfig({
  publicDir: false,
  build: {
    ssr: fileURLToPath(new URL('./electron/main.ts', import.meta.url)),
    outDir: fileURLToPath(new URL('./dist-electron', import.meta.url)),
    emptyOutDir: false,
    target: 'node20',
    sourcemap: false,
    minify: false,
    reportCompressedSize: false,
    rolldownOptions: {
      external: [...MAIN_EXTERNAL],
      output: { format: 'cjs', entryFileNames: 'main.cjs', codeSplitting: false },
    },
  },
  ssr: { noExternal: true, target: 'node' },
});
