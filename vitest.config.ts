import { defineConfig } from 'vitest/config';

/**
 * unit: everything `npm test` runs on a fresh machine (SQLite, in-process bus).
 * services: suites that need MariaDB, PostgreSQL, Redis or clamd (run by .ci/run).
 * e2e: real Chromium against a real server (run by .ci/run).
 */
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.service.test.ts', '**/*.e2e.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'services',
          include: ['packages/*/test/**/*.service.test.ts', 'packages/*/src/**/*.service.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['packages/*/test/**/*.e2e.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
