import { DataSource } from 'typeorm';
import { LifecycleService } from '../apps/customer-ops/src/ops/lifecycle.service';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

describe('probes: /health and /readyz', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  describe('with the database up', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(db.url);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('GET /health -> 200 ok with uptime, version and database up', async () => {
      const res = await t.http().get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        status: 'ok',
        uptimeSeconds: expect.any(Number),
        version: t.config.version,
        checks: { database: 'up', redis: 'disabled' },
      });
      expect(t.config.version).toMatch(/^\d+\.\d+\.\d+/);
    });

    it('GET /readyz -> 200 ready', async () => {
      const res = await t.http().get('/readyz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ready', checks: { database: 'up', redis: 'disabled' } });
    });
  });

  describe('once shutdown has begun', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(db.url);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('GET /readyz -> 503 not_ready while /health stays 200', async () => {
      t.app.get(LifecycleService).beginShutdown();
      const ready = await t.http().get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        status: 'not_ready',
        checks: { database: 'up', redis: 'disabled' },
        reason: 'shutting down',
      });
      expect((await t.http().get('/health')).status).toBe(200);
    });
  });

  describe('with the database gone', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(db.url);
      await t.app.get(DataSource).destroy();
    });
    afterAll(async () => {
      await t?.close().catch(() => undefined);
    });

    it('GET /readyz -> 503 not_ready with database down', async () => {
      const res = await t.http().get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'not_ready', checks: { database: 'down' } });
    });

    it('GET /health -> still 200 but degraded', async () => {
      const res = await t.http().get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'degraded', checks: { database: 'down' } });
    });
  });
});
