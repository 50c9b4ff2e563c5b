// Type-aware lint for the whole workspace, plus Nx module boundaries:
//   type:app     -> server, domain, util          (apps never import apps)
//   type:tool    -> tool, server, domain, util
//   type:server  -> server, domain, util          (NestJS runtime pieces shared by services)
//   type:domain  -> domain, util                  (elements, config-schema: no framework)
//   type:util    -> util                          (contracts, date-template: leaf libraries)
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.cache/**',
      '.data/**',
      '.nx/**',
      'coverage/**',
      'test-output/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          banTransitiveDependencies: false,
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:server', 'type:domain', 'type:util'] },
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: ['type:tool', 'type:server', 'type:domain', 'type:util'],
            },
            {
              sourceTag: 'type:server',
              onlyDependOnLibsWithTags: ['type:server', 'type:domain', 'type:util'],
            },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    // The console (React + Vite, browser-only): the Rules of Hooks and the React Compiler's checks, on
    // top of the type-aware rules above (its own tsconfig, found by the project service, adds the DOM).
    files: ['apps/console/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
  },
  {
    // Tests and benchmarks may start tools (simulator, sink) in-process; production code may not.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/bench/**/*.ts', '**/src/testing/**/*.ts', 'test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [{ sourceTag: '*', onlyDependOnLibsWithTags: ['*'] }],
        },
      ],
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
