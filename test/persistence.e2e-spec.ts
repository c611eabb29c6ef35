import { DataSource } from 'typeorm';
import { loadConfig } from '@app/config';
import { AppDataSource, buildDataSourceOptions, MIGRATIONS } from '@app/database';
import { TenantEntity } from '../apps/customer-ops/src/tenants/entities/tenant.entity';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp } from './support/test-app';

describe('persistence: migrations at start-up', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('does not migrate when MIGRATIONS_RUN=false', async () => {
    const config = loadConfig({ DATABASE_URL: db.url, MIGRATIONS_RUN: 'false' });
    const ds = await new AppDataSource(buildDataSourceOptions(config.database)).initialize();
    try {
      expect(ds.options.synchronize).toBe(false);
      expect(await ds.createQueryRunner().hasTable('tenants')).toBe(false);
      expect(await ds.showMigrations()).toBe(true);
    } finally {
      await ds.destroy();
    }
  });

  it('runs every migration when MIGRATIONS_RUN=true, and is a no-op on the next start', async () => {
    for (let boot = 0; boot < 2; boot++) {
      const t = await startTestApp(db.url);
      try {
        const ds = t.app.get(DataSource);
        const runner = ds.createQueryRunner();
        try {
          expect(await runner.hasTable('tenants')).toBe(true);
          expect(await ds.showMigrations()).toBe(false);
          const applied = (await runner.query('SELECT name FROM migrations ORDER BY id')) as Array<{ name: string }>;
          expect(applied.map((row) => row.name)).toEqual(MIGRATIONS.map((m) => m.name));
        } finally {
          await runner.release();
        }
      } finally {
        await t.close();
      }
    }
  });

  it('the tenants table accepts and returns rows', async () => {
    const t = await startTestApp(db.url);
    try {
      const ds = t.app.get(DataSource);
      const createdAt = new Date('2026-01-02T03:04:05.678Z');
      const row = {
        tenant: 'EXPERTCO',
        displayName: 'Expert Co',
        status: 'active' as const,
        plan: 'default',
        limits: null,
        revision: 0,
        createdAt,
        updatedAt: createdAt,
      };
      await ds.getRepository(TenantEntity).insert(row);
      const rows = await ds.getRepository(TenantEntity).find({ where: { tenant: 'EXPERTCO' } });
      expect(rows).toEqual([row]);
    } finally {
      await t.close();
    }
  });
});
