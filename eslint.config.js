// ESLint: TypeScript rules plus the layering (which folder may import what), as errors.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nodeOnlyPackages = ['better-sqlite3', 'serialport', '@serialport/*', 'nfc-pcsc', 'pg', 'fastify', 'axios', 'ws', 'pino', 'electron-updater'];

/**
 * The layering as an allow-list, in VS Code's manner: each folder names the folders it may import from
 * and the kind of packages it may use; anything not named is an error (docs/architecture.md, "Layers").
 * `packages`: a list of the only packages allowed; 'browser' = no Node built-ins, no Node-only
 * packages, no electron; 'node' = anything but electron; 'electron' = anything.
 */
const LAYERS = {
  common: { folders: ['common'], packages: ['zod'] },
  renderer: { folders: ['common', 'renderer'], packages: 'browser' },
  hardware: { folders: ['common', 'hardware'], packages: 'node' },
  sync: { folders: ['common', 'sync'], packages: 'node', except: ['better-sqlite3'] },
  core: { folders: ['common', 'core', 'hardware', 'node'], packages: 'node' },
  station: { folders: ['common', 'core', 'hardware', 'sync', 'node', 'station'], packages: 'node' },
  node: { folders: ['common', 'node'], packages: 'node' },
  host: { folders: ['common', 'node', 'host'], packages: 'node' },
  main: { folders: ['common', 'sync', 'node', 'main'], packages: 'electron' },
  preload: { folders: ['common', 'preload'], packages: 'electron' },
  server: { folders: ['common', 'server'], packages: 'node' },
};

const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const isNodeOnly = (spec) =>
  nodeBuiltins.includes(spec) ||
  spec.startsWith('node:') ||
  nodeOnlyPackages.some((p) => (p.endsWith('/*') ? spec.startsWith(p.slice(0, -1)) : packageName(spec) === p));

/** Why `spec` may not be imported from a file of `layer`, or null when it may. */
function refusal(layerName, layer, fromDir, spec, cwd) {
  if (spec.startsWith('.')) {
    const target = relative(cwd, resolve(fromDir, spec)).split(sep)[0];
    if (layer.folders.includes(target) || !(target in LAYERS)) return null;
    return `${layerName}/ may import only from ${layer.folders.map((f) => `${f}/`).join(', ')}; not from ${target}/`;
  }
  const name = packageName(spec);
  if (Array.isArray(layer.packages)) return layer.packages.includes(name) ? null : `${layerName}/ may use only ${layer.packages.join(', ')}; not ${name}`;
  if (name === 'electron' && layer.packages !== 'electron') return `only main/ and preload/ import electron (not ${layerName}/)`;
  if (layer.packages === 'browser' && isNodeOnly(spec)) return `${layerName}/ runs in the page: no Node modules (${spec})`;
  if (layer.except?.includes(name)) return `${layerName}/ may not use ${name}`;
  return null;
}

const layersPlugin = {
  rules: {
    imports: {
      meta: { type: 'problem', schema: [], docs: { description: 'each folder imports only what its entry in LAYERS allows' } },
      create(context) {
        const cwd = context.cwd;
        const layerName = relative(cwd, context.filename).split(sep)[0];
        const layer = LAYERS[layerName];
        if (!layer) return {};
        const check = (node, source) => {
          if (!source || typeof source.value !== 'string') return;
          const why = refusal(layerName, layer, dirname(context.filename), source.value, cwd);
          if (why) context.report({ node, message: why });
        };
        return {
          ImportDeclaration: (node) => check(node, node.source),
          ExportNamedDeclaration: (node) => check(node, node.source),
          ExportAllDeclaration: (node) => check(node, node.source),
          ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : null),
        };
      },
    },
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'playwright-report/', '.tools/', 'release/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|test|describe)$/]", message: 'a focused test narrows the whole run' },
      ],
    },
  },
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { layers: layersPlugin },
    rules: { 'layers/imports': 'error' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // Tools and tests may reach any layer, but only main/ and preload/ import electron.
    files: ['scripts/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'only main/ and preload/ import electron' }] }] },
  },
);
