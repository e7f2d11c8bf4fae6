// Lint rules for the whole tree: typescript-eslint's recommended set everywhere, React's hook rules in the page.
// Every rule switched off or relaxed below says why; a single exception in code says why on its own line.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'dist-*/',
      'build/',
      'release/',
      'coverage/',
      'test-artifacts/',
      'bench/results/',
      // Generated from the message catalogue (npm run i18n:catalogue).
      '**/*.generated.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      // A leading underscore marks a parameter or binding kept on purpose (an interface's argument, a field left
      // out of a rest copy); leaving fields out of a copy with a rest sibling is the tree's way to omit them.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `cond ? a() : b()` as a statement is a two-way dispatch of calls, not a forgotten expression.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
    },
  },
  {
    // Register protocols (ZVT, ECR17, captured printer streams) frame with control bytes, and receipt text is
    // cleaned of C0/C1 controls before it reaches a printer: these modules and their tests match control bytes by
    // design.
    files: ['src/register/**', 'src/receipts/**', 'test/**'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    // Tests match printed tables and CLI output whose runs of spaces are the layout under test; spelled out as
    // in the output they read like what the user sees.
    files: ['test/**'],
    rules: { 'no-regex-spaces': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
);
