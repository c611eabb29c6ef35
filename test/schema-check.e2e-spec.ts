import { Client } from 'pg';
import { runCommand } from './support/api-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

/*
 * The entities and the migrations describe one schema: on a fresh Postgres database migrated
 * by `npm run migration:run`, TypeORM's `migration:generate --check` (`npm run migration:check`)
 * finds nothing to change. Every index and foreign key the migrations create is declared on
 * an entity, with the same column types and defaults.
 */
describe('entities and migrations agree (npm run migration:check)', () => {
  jest.setTimeout(120_000);
  let db: TestDatabase;

  const npm = (script: string) => runCommand('npm', ['run', '-s', script], { DATABASE_URL: db.url });

  async function sql(statement: string): Promise<void> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    const migrated = await npm('migration:run');
    expect(migrated.code).toBe(0);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('finds no difference on a freshly migrated database', async () => {
    const check = await npm('migration:check');
    expect(`${check.stdout}${check.stderr}`).toContain('No changes in database schema were found');
    expect(check.code).toBe(0);
  });

  it.each([
    ['an index only the migrations create', 'DROP INDEX idx_leads_tenant_outcome', 'idx_leads_tenant_outcome'],
    [
      'the outcomes foreign key',
      'ALTER TABLE lead_outcomes DROP CONSTRAINT "FK_04cd15eadc3eac9dff0aa9cadae"',
      'FOREIGN KEY ("lead_id")',
    ],
    ['a column type', 'ALTER TABLE leads ALTER COLUMN created_at TYPE timestamp', '"created_at"'],
  ])('fails when %s is missing or different', async (_what, change, named) => {
    await sql(`BEGIN; ${change}; COMMIT`);
    try {
      const check = await npm('migration:check');
      expect(check.code).not.toBe(0);
      expect(check.stdout + check.stderr).toContain(named);
    } finally {
      // Back to the migrated schema for the next case.
      await sql(`DROP SCHEMA public CASCADE; CREATE SCHEMA public`);
      expect((await npm('migration:run')).code).toBe(0);
    }
  });
});
