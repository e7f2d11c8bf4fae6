/**
 * The status page (renderer/) → dist-renderer/. Relative asset paths, so the same build is served by the headless
 * status server over http and by the desktop shell from its app:// protocol. No inline script: the page runs under
 * a strict CSP (script-src 'self'), so the module-preload polyfill (which Vite would otherwise add) is off.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('./renderer', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  publicDir: fileURLToPath(new URL('./renderer/public', import.meta.url)),
  build: {
    outDir: fileURLToPath(new URL('./dist-renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
