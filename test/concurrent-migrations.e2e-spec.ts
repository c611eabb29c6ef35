import { Client } from 'pg';
import { ApiProcess, runCommand, startApiProcess } from './support/api-process';
import { createTestDatabase, e2eDatabaseKind, TestDatabase } from './support/test-database';

/*
 * Replicas starting together on a fresh Postgres database, and migration commands run side
 * by side: the migration lock makes one of them migrate while the others wait and then find
 * nothing to do. Postgres only (SQLite is one process's file).
 */
const onPostgres = e2eDatabaseKind() === 'postgres';
const describePostgres = onPostgres ? describe : describe.skip;
const skipReason = onPostgres ? '' : ' [Postgres projects only]';

async function migrationRows(url: string): Promise<Array<{ name: string; runs: number }>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ name: string; runs: string }>(
      'SELECT name, COUNT(*) AS runs FROM migrations GROUP BY name ORDER BY name',
    );
    return result.rows.map((row) => ({ name: row.name, runs: Number(row.runs) }));
  } finally {
    await client.end();
  }
}

describePostgres(`migrations under concurrency${skipReason}`, () => {
  jest.setTimeout(180_000);

  describe('five instances started at the same moment on an empty database', () => {
    let db: TestDatabase;
    let apis: ApiProcess[] = [];

    beforeAll(async () => {
      db = await createTestDatabase();
    });

    afterAll(async () => {
      for (const api of apis) api.child.kill('SIGKILL');
      await Promise.all(apis.map((api) => api.exited));
      await db?.drop();
    });

    it('all become ready, each migration is recorded once, and none logs an error', async () => {
      apis = await Promise.all(
        Array.from({ length: 5 }, () =>
          startApiProcess(
            // Five processes booting at once on two cores: give each start-up room.
            { DATABASE_URL: db.url, MIGRATIONS_RUN: 'true', STARTUP_TIMEOUT_MS: '120000' },
            150_000,
          ),
        ),
      );
      for (const api of apis) {
        const ready = await fetch(api.url('/readyz'));
        expect(ready.status).toBe(200);
        const errors = api.logLines().filter((line) => Number(line.level) >= 50 || line.level === 'error');
        expect(errors).toEqual([]);
      }
      const rows = await migrationRows(db.url);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((row) => row.runs !== 1)).toEqual([]);
    });
  });

  describe('npm run migration:run twice at once', () => {
    let db: TestDatabase;

    beforeAll(async () => {
      db = await createTestDatabase();
    });

    afterAll(async () => {
      await db?.drop();
    });

    it('one applies every migration, the other waits and finds nothing to do', async () => {
      const run = () => runCommand('npm', ['run', '--silent', 'migration:run'], { DATABASE_URL: db.url });
      const results = await Promise.all([run(), run()]);
      expect(results.map((r) => ({ code: r.code, stderr: r.stderr }))).toEqual([
        { code: 0, stderr: '' },
        { code: 0, stderr: '' },
      ]);
      const outputs = results.map((r) => r.stdout).sort();
      expect(outputs[0]).toMatch(/^Applied \d+ migration\(s\):/);
      expect(outputs[1]).toBe('No pending migrations.\n');
      const rows = await migrationRows(db.url);
      expect(rows.filter((row) => row.runs !== 1)).toEqual([]);
    });
  });
});
