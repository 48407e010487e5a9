// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'e2e/.harness-dist/**', 'torture/.harness-dist/**', 'e2e/.app-dist/**', 'data/**', '.test-data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'Use explicit named exports (CONVENTIONS rule 1).' }],
    },
  },
  {
    // Layering (ARCHITECTURE section 1): schema depends on nothing here; apps only on schema's public entry.
    files: ['schema/src/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@waggle/*', '../../client/*', '../../sync-server/*'] }] },
  },
  {
    files: ['client/src/**', 'sync-server/src/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@waggle/schema/*'], message: 'Import the package entry, not deep paths.' },
          { group: ['@waggle/client', '@waggle/sync-server', '**/sync-server/**', '**/client/src/**'], message: 'Apps never import each other.' },
        ],
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
)
