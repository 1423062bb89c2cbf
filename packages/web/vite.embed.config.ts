import { defineConfig } from 'vite';

// The RocketLMS embed: one classic script (no modules, no chunks) at dist/embed.js, built after
// the app (which empties dist/) and served by the server at /communities/embed.js.
export default defineConfig({
  logLevel: 'warn',
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: false,
    target: 'es2020',
    lib: { entry: 'src/embed/embed.ts', formats: ['iife'], name: 'CommunitiesEmbed', fileName: () => 'embed.js' },
    rollupOptions: {
      // The client's index re-exports realtime: pusher-js is not used here, drop it.
      treeshake: { moduleSideEffects: (id) => !id.includes('pusher-js') },
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' || warning.code === 'SOURCEMAP_ERROR') return;
        if (warning.message.includes('annotation that Rollup cannot interpret')) return;
        warn(warning);
      },
    },
  },
});
