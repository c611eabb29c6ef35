import { createTestDatabase, TestDatabase } from './test-database';
import { startTestApp, TestApp, TestAppOptions } from './test-app';

export interface TwoInstances {
  a: TestApp;
  b: TestApp;
  db: TestDatabase;
}

/**
 * Two apps on one fresh database (and one Redis when the options name one), started before
 * the enclosing describe's tests and closed after them. `prepare` runs first, e.g. to write a
 * plans file both read. Read the apps inside tests: they exist only once beforeAll has run.
 */
export function twoInstances(options: TestAppOptions, prepare?: () => void): TwoInstances {
  const fleet = {} as TwoInstances;
  beforeAll(async () => {
    prepare?.();
    fleet.db = await createTestDatabase();
    fleet.a = await startTestApp(fleet.db.url, options);
    fleet.b = await startTestApp(fleet.db.url, options);
  });
  afterAll(async () => {
    await fleet.a?.close();
    await fleet.b?.close();
    await fleet.db?.drop();
  });
  return fleet;
}
