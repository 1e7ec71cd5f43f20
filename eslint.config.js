import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', '.data/**', 'db/migrations/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code must stay deterministic: no Node built-ins, no I/O libraries, no activity implementations.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'child_process'],
              message: 'workflow and domain code do no I/O',
            },
            {
              group: [
                'drizzle-orm*',
                'postgres',
                'hono*',
                'nodemailer',
                'pino',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
              ],
              message: 'workflow and domain code do no I/O',
            },
            {
              group: [
                '../activities/*',
                '../db/*',
                '../api/*',
                '../runtime/*',
                '../payments/*',
                '../../activities/*',
                '../../db/*',
                '../../api/*',
                '../../runtime/*',
                '../../payments/*',
              ],
              allowTypeImports: true,
              message: 'import activities as types only',
            },
          ],
        },
      ],
    },
  },
);
