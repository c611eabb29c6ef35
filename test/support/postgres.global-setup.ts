import { Client } from 'pg';

/**
 * Runs once before the Postgres e2e project. With CI=true an unset or unreachable
 * TEST_DATABASE_URL is a failure, never a silent skip.
 */
export default async function postgresGlobalSetup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error('CI=true requires TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
  }
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL is unreachable (${(error as Error).message}); the Postgres suites cannot run`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
