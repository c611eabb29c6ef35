import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/*
 * The e2e harness builds the app's configuration from each test's own values only: a bad
 * variable in the developer's shell (or a `.env`) is never parsed, so it cannot break a boot.
 */
describe('the e2e harness reads no configuration from the process environment', () => {
  const BAD = { LOG_LEVEL: 'loud', PORT: 'not-a-port', RATE_LIMIT_FALLBACK: 'sometimes', DATABASE_URL: 'mysql://nope' };
  let saved: Record<string, string | undefined>;
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    saved = Object.fromEntries(Object.keys(BAD).map((name) => [name, process.env[name]]));
    Object.assign(process.env, BAD);
    db = await createTestDatabase();
    t = await startTestApp(db.url);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('boots and serves with the values the test gave', async () => {
    expect((await t.http().get('/health')).status).toBe(200);
    expect(t.config.logLevel).toBe('info');
    expect(t.config.database.kind).toBe(db.kind);
  });
});
