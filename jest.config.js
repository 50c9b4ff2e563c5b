// One Jest run, two projects: `unit` (*.spec.ts, no infrastructure) and `integration`
// (*.int-spec.ts, real Kafka + Postgres started once by the global setup). Libs resolve to
// their sources so tests never depend on a build.
const fs = require('node:fs');
const path = require('node:path');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { ...swcrc, swcrc: false }] };
const moduleNameMapper = {
  '^@pollcast/(maximizer-sim|provider-sim|webhook-sink|dev)$': '<rootDir>/tools/$1/src/index.ts',
  '^@pollcast/local-kafka$': '<rootDir>/tools/kafka/src/index.ts',
  '^@pollcast/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/', '<rootDir>/.data/', '<rootDir>/.cache/'],
};

const integration = {
  globalSetup: '<rootDir>/tools/dev/jest/integration-setup.ts',
  globalTeardown: '<rootDir>/tools/dev/jest/integration-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/tools/dev/jest/integration-env.ts'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/*/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/*/src/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
      ...integration,
    },
    // `npm run test:deploy` only (it renders the chart first and sets POLLCAST_DEPLOY_RENDERED).
    ...(process.env.POLLCAST_DEPLOY_RENDERED
      ? [
          {
            ...common,
            ...integration,
            displayName: 'deploy',
            testMatch: ['<rootDir>/test/deploy/**/*.deploy-spec.ts'],
          },
        ]
      : []),
  ],
};
