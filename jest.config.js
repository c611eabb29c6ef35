/**
 * Three kinds of tests (see README "Testing"):
 *  - unit:         specs beside the code (apps/**, libs/**)
 *  - e2e:sqlite:   black-box suites in test/ over the real AppModule on a temporary SQLite file
 *  - e2e:postgres: the same suites on a fresh Postgres database per suite; enabled when
 *                  TEST_DATABASE_URL is set, and required (never skipped) when CI=true
 * Each e2e project runs twice: on express (the default platform) and on Fastify (…:fastify).
 */
const env = process.env;

const base = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  moduleNameMapper: {
    '^@app/api-keys(|/.*)$': '<rootDir>/libs/api-keys/src$1',
    '^@app/config(|/.*)$': '<rootDir>/libs/config/src$1',
    '^@app/database(|/.*)$': '<rootDir>/libs/database/src$1',
    '^@app/http(|/.*)$': '<rootDir>/libs/http/src$1',
    '^@app/redis(|/.*)$': '<rootDir>/libs/redis/src$1',
  },
};

const e2e = {
  ...base,
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  slowTestThreshold: 30,
};

// Several API processes cannot share one SQLite file: these suites are Postgres-only.
const withoutPostgresOnlySuites = {
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/test/multi-instance.e2e-spec.ts',
    '<rootDir>/test/concurrent-migrations.e2e-spec.ts',
  ],
};

const withPostgres = Boolean(env.TEST_DATABASE_URL) || env.CI === 'true';

module.exports = {
  maxWorkers: 2,
  testTimeout: 30000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'] },
    {
      ...e2e,
      ...withoutPostgresOnlySuites,
      displayName: 'e2e:sqlite',
      setupFiles: ['<rootDir>/test/support/use-sqlite.ts'],
    },
    {
      ...e2e,
      ...withoutPostgresOnlySuites,
      displayName: 'e2e:sqlite:fastify',
      setupFiles: ['<rootDir>/test/support/use-sqlite.ts', '<rootDir>/test/support/use-fastify.ts'],
    },
    // Faults under load (test/chaos): always listed; the suites skip locally without
    // TEST_DATABASE_URL and TEST_REDIS_URL, and fail without them when CI=true.
    {
      ...base,
      displayName: 'chaos',
      testMatch: ['<rootDir>/test/chaos/**/*.chaos-spec.ts'],
      setupFiles: ['<rootDir>/test/support/use-postgres.ts'],
    },
    ...(withPostgres
      ? [
          {
            ...e2e,
            displayName: 'e2e:postgres',
            setupFiles: ['<rootDir>/test/support/use-postgres.ts'],
            globalSetup: '<rootDir>/test/support/postgres.global-setup.ts',
          },
          {
            ...e2e,
            displayName: 'e2e:postgres:fastify',
            setupFiles: ['<rootDir>/test/support/use-postgres.ts', '<rootDir>/test/support/use-fastify.ts'],
            globalSetup: '<rootDir>/test/support/postgres.global-setup.ts',
          },
        ]
      : []),
  ],
};
