/**
 * Jest with the React Native preset (no device). Mobile tests are `test/**\/*.test.tsx` so the
 * root vitest projects (which collect `*.test.ts`) never pick them up.
 */
export default {
  preset: '@react-native/jest-preset',
  rootDir: '.',
  testMatch: ['<rootDir>/test/**/*.test.tsx'],
  // The first test of a file compiles React Native internals; a cold cache can pass 5 s.
  // Each suite with a real server boots it in beforeAll (about 5 s, more when suites boot together,
  // and over 45 s seen on a 2-core machine busy with CI's service suites beside other work).
  testTimeout: 120_000,
  setupFilesAfterEnv: ['<rootDir>/test/support/setup.ts'],
  // Suites close their servers and sockets, but pusher-js may still hold a reconnect timer:
  // CI must never wait on one after every test has reported.
  forceExit: true,
  // The web package pins a newer React at the workspace root; React Native 0.86 needs its own
  // 19.2 renderer pair, so every `react` import (ours and our dependencies') resolves here.
  moduleNameMapper: {
    '^react$': '<rootDir>/node_modules/react',
    '^react/(.*)$': '<rootDir>/node_modules/react/$1',
  },
};
