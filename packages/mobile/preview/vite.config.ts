import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const api = process.env.COMMUNITIES_API ?? 'http://127.0.0.1:8787';

/**
 * The screens in a browser through react-native-web. React comes from this package's own
 * 19.2 copy (the workspace root holds the web app's newer one), so the renderer and React agree.
 */
export default defineConfig({
  root: here('.'),
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  define: { __DEV__: 'true', 'process.env.NODE_ENV': JSON.stringify('development') },
  resolve: {
    extensions: ['.web.tsx', '.web.ts', '.web.js', '.tsx', '.ts', '.js', '.json'],
    alias: [
      { find: /^react-native$/, replacement: 'react-native-web' },
      { find: /^react$/, replacement: here('../node_modules/react/index.js') },
      { find: /^react\/(.*)$/, replacement: here('../node_modules/react/$1') },
      { find: /^react-dom$/, replacement: here('../node_modules/react-dom/index.js') },
      { find: /^react-dom\/(.*)$/, replacement: here('../node_modules/react-dom/$1') },
    ],
  },
  server: {
    proxy: { '/api': api, '/app': { target: api.replace(/^http/, 'ws'), ws: true } },
  },
});
