import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/*
 * Import direction (docs/ARCHITECTURE.md, "Import direction"). The feature folders of the API,
 * lowest first: a folder may import the layers before its own, never its own peers' or those
 * after it. Libraries never import apps; ops-cli never imports the API; only entry points and
 * tests import app.module.
 */
const FEATURE_LAYERS = [
  ['metrics', 'rate-limit'],
  ['audit'],
  ['auth'],
  ['model'],
  ['leads'],
  ['tenants'],
  ['ops', 'api-docs'],
];
const FEATURES_ROOT = 'apps/customer-ops/src';
const anyOf = (names) => names.join('|');
const restrictImports = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const APP_MODULE = { regex: '(^|/)app\\.module$', message: 'Only entry points and tests import app.module.' };
const TEST_CODE = { regex: '(^|/)test/', message: 'Production code never imports test code.' };

const importDirection = [
  ...FEATURE_LAYERS.map((layer, index) => {
    const above = FEATURE_LAYERS.slice(index + 1).flat();
    const forbidden = [...layer, ...above];
    return {
      files: layer.map((folder) => `${FEATURES_ROOT}/${folder}/**/*.ts`),
      ignores: ['**/*.spec.ts', '**/*.integration-spec.ts'],
      rules: restrictImports([
        {
          regex: `^(\\.\\./)+(${anyOf(forbidden)})(/|$)`,
          message: `${layer.join(', ')} may import only the layers below it (see docs/ARCHITECTURE.md): not ${forbidden.join(', ')}.`,
        },
        APP_MODULE,
        TEST_CODE,
      ]),
    };
  }),
  {
    files: ['libs/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.integration-spec.ts'],
    rules: restrictImports([
      { regex: '(^|/)apps(/|$)', message: 'Libraries never import apps.' },
      APP_MODULE,
      TEST_CODE,
    ]),
  },
  {
    files: ['apps/ops-cli/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.integration-spec.ts'],
    rules: restrictImports([
      { regex: '(^|/)customer-ops(/|$)', message: 'ops-cli talks to the API over HTTP and imports only libraries.' },
      APP_MODULE,
      TEST_CODE,
    ]),
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'bench/results/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through AppConfig (libs/config).' },
      ],
    },
  },
  {
    files: [
      'libs/config/**',
      'test/**',
      '**/*.spec.ts',
      '**/*.integration-spec.ts',
      '*.config.js',
      '*.config.mjs',
      'scripts/**',
      'bench/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  ...importDirection,
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
