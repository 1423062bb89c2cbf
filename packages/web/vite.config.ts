import { defineConfig } from 'vite';

// Served by the addon server under /communities; the built assets are fingerprinted.
export default defineConfig(({ command }) => ({
  base: '/communities/',
  // Test runners export NODE_ENV=test; a build must still be React's production build.
  esbuild: { jsx: 'automatic', ...(command === 'build' ? { jsxDev: false } : {}) },
  define: command === 'build' ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No public source maps: the server serves no *.map either (http/web.ts).
    sourcemap: false,
    target: 'es2022',
    // One small app bundle (React, the client and zod): splitting it buys nothing yet.
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      // React Query ships "use client" directives for RSC bundlers; they mean nothing here.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' || warning.code === 'SOURCEMAP_ERROR') return;
        if (warning.message.includes('annotation that Rollup cannot interpret')) return;
        warn(warning);
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8787', '/app': { target: 'ws://127.0.0.1:8787', ws: true } } },
}));
