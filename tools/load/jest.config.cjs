module.exports = {
  displayName: 'load',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleFileExtensions: ['ts', 'js'],
  // The k6 modules the script imports, replaced by a thin adapter over fetch (test/k6/).
  moduleNameMapper: { '^k6$': '<rootDir>/test/k6/k6.ts', '^k6/(http|metrics|execution)$': '<rootDir>/test/k6/$1.ts' },
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  testTimeout: 120000,
};
