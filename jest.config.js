/**
 * The kinds of tests (see README "Testing"):
 *  - unit:         specs beside the code (apps/**, libs/**), no services
 *  - integration:  specs beside the code that need Redis (*.integration-spec.ts)
 *  - e2e:sqlite:   black-box suites in test/ over the real AppModule on a temporary SQLite file
 *  - e2e:postgres: the same suites on a fresh Postgres database per suite; enabled when
 *                  TEST_DATABASE_URL is set, and required (never skipped) when CI=true
 *  - chaos:        faults under load (test/chaos), on Postgres and Redis
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
    '^@app/metrics(|/.*)$': '<rootDir>/libs/metrics/src$1',
    '^@app/redis(|/.*)$': '<rootDir>/libs/redis/src$1',
  },
};

const e2e = {
  ...base,
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  slowTestThreshold: 30,
};

// Several API processes cannot share one SQLite file: these suites are Postgres-only.
const POSTGRES_ONLY_SUITES = [
  '<rootDir>/test/multi-instance.e2e-spec.ts',
  '<rootDir>/test/concurrent-migrations.e2e-spec.ts',
];
// Suites about the database schema alone: the HTTP platform makes no difference, so they run
// in the express Postgres project only.
const SCHEMA_SUITES = ['<rootDir>/test/schema-check.e2e-spec.ts'];
const withoutPostgresOnlySuites = {
  testPathIgnorePatterns: ['/node_modules/', ...POSTGRES_ONLY_SUITES, ...SCHEMA_SUITES],
};

const withPostgres = Boolean(env.TEST_DATABASE_URL) || env.CI === 'true';

module.exports = {
  maxWorkers: 2,
  testTimeout: 30000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'] },
    // Specs beside the code that need a real service (the limiter contract on Redis and on a Redis
    // Cluster it starts): with CI=true a missing TEST_REDIS_URL or redis-server fails them.
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/apps/**/*.integration-spec.ts', '<rootDir>/libs/**/*.integration-spec.ts'],
    },
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
            testPathIgnorePatterns: ['/node_modules/', ...SCHEMA_SUITES],
            setupFiles: ['<rootDir>/test/support/use-postgres.ts', '<rootDir>/test/support/use-fastify.ts'],
            globalSetup: '<rootDir>/test/support/postgres.global-setup.ts',
          },
        ]
      : []),
  ],
};
