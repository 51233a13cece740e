// Lint: typescript-eslint's strict, type-aware rules over src, test, bench and scripts; eslint-plugin-sf-plugin on src.
import tseslint from 'typescript-eslint';
import sfPlugin from 'eslint-plugin-sf-plugin';

export default tseslint.config(
  { ignores: ['lib/**', 'coverage/**', 'node_modules/**', '.sf-cli-cache/**', 'tmp/**'] },
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json', './test/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
    },
  },
  {
    // Salesforce's own lint rules for sf commands (summaries, examples, flags, messages), as the official plugins run them.
    files: ['src/**/*.ts'],
    plugins: { 'sf-plugin': sfPlugin },
    rules: sfPlugin.configs.recommended.rules,
  },
  {
    // Tests use chai's property assertions (`expect(x).to.be.true`) and non-null assertions on fixtures.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    rules: { 'no-console': 'off' },
  }
);
