import nx from '@nx/eslint-plugin';

/**
 * Module boundaries (checked on every lint run):
 *  - scope: an app only reaches its own scope, the shared server libraries and the browser-safe contracts;
 *    server libraries never reach the web, and the contracts reach nothing but themselves.
 *  - type: app → feature → data-access → util (ui → util), never upwards.
 */
export const depConstraints = [
  { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:server', 'scope:shared'] },
  { sourceTag: 'scope:generation', onlyDependOnLibsWithTags: ['scope:generation', 'scope:server', 'scope:shared'] },
  { sourceTag: 'scope:gallery', onlyDependOnLibsWithTags: ['scope:gallery', 'scope:server', 'scope:shared'] },
  { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:web', 'scope:shared'] },
  { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
  { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:tools', 'scope:server', 'scope:shared'] },
  { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
  // The cloud infrastructure (deploy/cdk) reads what it must match: the bucket layout, the model registry.
  { sourceTag: 'scope:deploy', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
  {
    sourceTag: 'scope:shared',
    onlyDependOnLibsWithTags: ['scope:shared'],
    // The contracts are bundled into the browser app: no server packages (Node built-ins are
    // refused by no-restricted-imports in libs/contracts/eslint.config.mjs).
    bannedExternalImports: ['@nestjs/*', '@aws-sdk/*', 'express', 'ioredis', 'bull', 'pino', 'prom-client', 'zod'],
  },
  // End-to-end tests drive the built services from outside; they may read S3 and Redis to check them.
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:data-access', 'type:util'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:ui', 'type:util'] },
  { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:ui', 'type:util'] },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util'] },
  { sourceTag: 'type:ui', onlyDependOnLibsWithTags: ['type:ui', 'type:util'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/.cache', '**/tmp', '**/.nx', '**/.angular', '**/coverage'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          // Shared build configuration, read by the tools and never part of a bundle.
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?js$', '^.*/tools/node/webpack-node-bundle\\.cjs$'],
          depConstraints,
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
