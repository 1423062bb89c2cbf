import { defineConfig } from 'vite';

// Served by the addon server under /communities; the built assets are fingerprinted.
export default defineConfig({
  base: '/communities/',
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: { proxy: { '/api': 'http://127.0.0.1:8787', '/app': { target: 'ws://127.0.0.1:8787', ws: true } } },
});
