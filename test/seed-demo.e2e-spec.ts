import { ApiProcess, CommandResult, runCommand, startApiProcess } from './support/api-process';
import { ADMIN_KEY } from './support/keys';
import { eventually } from './support/redis';
import { createTestDatabase, TestDatabase } from './support/test-database';

function seedDemo(databaseUrl: string, args: string[]): Promise<CommandResult> {
  return runCommand('npm', ['run', '--silent', 'seed:demo', '--', ...args], {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
  });
}

describe('npm run seed:demo, then retrain, on a running API', () => {
  let db: TestDatabase;
  let api: ApiProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApiProcess({ DATABASE_URL: db.url, API_ADMIN_KEY: ADMIN_KEY, REQUIRE_API_KEY: 'true' });
  });
  afterAll(async () => {
    api?.child.kill('SIGKILL');
    await db?.drop();
  });

  it('seeds a demo tenant whose key works on the running API; the trained model is healthy', async () => {
    const seeded = await seedDemo(db.url, ['--tenant', 'demo', '--leads', '500', '--seed', '42']);
    expect(seeded.stderr).toBe('');
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/Demo tenant DEMO: 500 leads, \d+ with an outcome \(\d+ booked\)/);
    const key = /\s(co_live_[0-9A-Za-z]+)\s/.exec(seeded.stdout)?.[1];
    expect(key).toBeDefined();
    const headers = { 'x-api-key': key as string };

    // The running instance notices the minted key without a reload.
    await eventually(async () => (await fetch(api.url('/ops/model-status'), { headers })).status === 200, 8000, 200);

    const retrain = await fetch(api.url('/ops/model/retrain'), {
      method: 'POST',
      headers: { 'x-admin-key': ADMIN_KEY },
    });
    expect(retrain.status).toBe(200);
    const trained = (await retrain.json()) as { auc: number; samples: number };
    expect(trained.auc).toBeGreaterThanOrEqual(0.75);

    const status = (await (await fetch(api.url('/ops/model-status'), { headers })).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ loaded: true, health: 'ok', tenant: 'DEMO', samples: trained.samples });

    const lead = await fetch(api.url('/v1/leads'), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Demo Caller', phone: '+1 555 0100', details: 'Need a quote today' }),
    });
    expect(lead.status).toBe(201);
    expect(((await lead.json()) as { conversionProbability: number }).conversionProbability).toEqual(
      expect.any(Number),
    );
  });

  it('rejects bad arguments', async () => {
    const res = await seedDemo(db.url, ['--leads', 'lots']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('--leads must be an integer');
  });
});
