/**
 * The preload script → dist-electron/preload.cjs: ONE CommonJS file that requires only 'electron' (and node:
 * built-ins), because a sandboxed preload cannot load any other module (test/unit/electron-bundle.test.ts checks).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    ssr: fileURLToPath(new URL('./electron/preload.ts', import.meta.url)),
    outDir: fileURLToPath(new URL('./dist-electron', import.meta.url)),
    emptyOutDir: false,
    target: 'node20',
    sourcemap: false,
    minify: false,
    reportCompressedSize: false,
    rolldownOptions: {
      external: ['electron', /^node:/],
      output: { format: 'cjs', entryFileNames: 'preload.cjs', codeSplitting: false },
    },
  },
  ssr: { noExternal: true, target: 'node' },
});
