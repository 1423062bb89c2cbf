import { availableParallelism } from 'node:os';

import { defineConfig } from 'vitest/config';

/**
 * unit: everything `npm test` runs on a fresh machine (SQLite, in-process bus).
 * services: suites that need MariaDB, PostgreSQL, Redis or clamd (run by .ci/run).
 * e2e: real Chromium against a real server (run by .ci/run).
 *
 * Files share their worker's module graph (isolate: false): each file starts its own servers and
 * closes them, and importing the server's few hundred modules once per worker rather than once per
 * file took the unit run from 286 s to 168 s on 2 cores. A file must not leave state behind in a
 * shared module (the suites pass this way; a leak shows as a failure in a later file).
 *
 * Unit files run in at least two workers. Vitest's default is one per core less one (for its own
 * process), which on CI's 2 cores is a single worker: one core ran every file while the other
 * mostly idled, since vitest's own process and the CLI tests' children (during which their worker
 * only waits) use little of it.
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
          isolate: false,
          maxWorkers: Math.max(2, availableParallelism() - 1),
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
          isolate: false,
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
          isolate: false,
        },
      },
    ],
  },
});
