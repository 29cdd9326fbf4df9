import { builtinModules } from 'node:module';
import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    files: ['**/*.ts'],
    rules: {
      // The contracts are bundled into the browser app: Node built-ins do not exist there.
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({ name, message: 'The contracts must stay browser-safe.' })),
          patterns: [{ group: ['node:*'], message: 'The contracts must stay browser-safe.' }],
        },
      ],
    },
  },
];
