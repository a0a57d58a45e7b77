// ESLint: TypeScript rules plus the import rules of DESIGN.md §1, as errors.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nodeOnlyPackages = ['better-sqlite3', 'serialport', '@serialport/*', 'nfc-pcsc', 'pg', 'fastify', 'axios', 'ws', 'pino', 'electron-updater'];

/** One `no-restricted-imports` rule per folder: what that environment must not reach. */
function forbid(message, { paths = [], patterns = [] }) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: paths.map((name) => ({ name, message })),
        patterns: patterns.length ? [{ group: patterns, message }] : [],
      },
    ],
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'playwright-report/', '.tools/', 'release/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|test|describe)$/]", message: 'a focused test narrows the whole run' }],
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: forbid('common/ is pure TypeScript: no Node, no DOM, no other layer', {
      paths: [...nodeBuiltins, ...nodeOnlyPackages, 'electron', 'react'],
      patterns: ['**/core/**', '**/hardware/**', '**/sync/**', '**/server/**', '**/main/**', '**/preload/**', '**/renderer/**', '@serialport/*'],
    }),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...forbid('renderer/ talks only to window.station: no Node modules, no station layers', {
        paths: [...nodeBuiltins, ...nodeOnlyPackages, 'electron'],
        patterns: ['**/core/**', '**/hardware/**', '**/sync/**', '**/server/**', '**/main/**', '**/preload/**', '@serialport/*'],
      }),
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: forbid('core/ runs in the station process: no electron, no renderer, no server', {
      paths: ['electron'],
      patterns: ['**/renderer/**', '**/main/**', '**/preload/**', '**/server/**'],
    }),
  },
  {
    files: ['hardware/**/*.ts'],
    rules: forbid('hardware/ does not import sync/, electron or the UI', {
      paths: ['electron'],
      patterns: ['**/sync/**', '**/renderer/**', '**/main/**', '**/preload/**', '**/server/**'],
    }),
  },
  {
    files: ['sync/**/*.ts'],
    rules: forbid('sync/ does not import hardware/, electron, SQL or the UI', {
      paths: ['electron', 'better-sqlite3'],
      patterns: ['**/hardware/**', '**/renderer/**', '**/main/**', '**/preload/**', '**/server/**'],
    }),
  },
  {
    files: ['server/**/*.ts'],
    rules: forbid('server/ is the reference backend: it shares only common/', {
      paths: ['electron'],
      patterns: ['**/core/**', '**/hardware/**', '**/sync/**', '**/renderer/**', '**/main/**', '**/preload/**'],
    }),
  },
  {
    files: ['host/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: forbid('only main/ and preload/ import electron', { paths: ['electron'] }),
  },
);
