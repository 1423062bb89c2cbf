import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.data/**', '.artifacts/**', 'coverage/**', 'packages/server/bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'bench/**', 'scripts/**', '**/test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // Layering of packages/server/src (see packages/server/README.md, "Layers"): http/ and the
  // composition root (context.ts, boot.ts, worker.ts, cli/) sit on top; domain folders receive the
  // collaborators they use through their own deps types; lower layers never reach up.
  // Type imports count too. `npm run verify` also fails on any import cycle (dpdm).
  {
    files: ['packages/server/src/{platform,access,host,security,realtime}/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+http(/|$)',
              message: 'Lower layers must not import http/: move the type down (platform/, access/, host/).',
            },
            {
              regex: '^(\\.\\./)+context$',
              message: 'Only the composition root imports context.ts: declare the collaborators you use as a deps type.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/server/src/{chat,communities,analytics,gamification}/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(\\.\\./)+http(/|$)', message: 'Domain services must not import http/: routes call services, not the reverse.' },
            {
              regex: '^(\\.\\./)+context$',
              message: 'Domain folders must not import context.ts: take the collaborators you use (see chat/deps.ts, communities/deps.ts).',
            },
          ],
        },
      ],
    },
  },
  // Realtime events leave the server only through realtime/publish-event.ts, typed and checked
  // by their contract schemas; the broadcaster itself is for the realtime layer.
  {
    files: ['packages/server/src/**/*.ts'],
    ignores: ['packages/server/src/realtime/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='publish'][callee.object.property.name='broadcaster']",
          message: 'Publish realtime events with publishEvent (realtime/publish-event.ts): typed and checked by the contract.',
        },
      ],
    },
  },
);
