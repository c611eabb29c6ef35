import { spawn } from 'node:child_process';
import { ADMIN_KEY, randomKey, uniqueTenant } from './support/keys';
import { readRepoFile } from './support/deploy-files';
import { freePort } from './support/redis-server';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/*
 * The VS Code tasks the operator guide names, run exactly as VS Code runs them: a `process`
 * task is its command and args, without a shell, the same on Linux, macOS and Windows.
 */

interface Task {
  label: string;
  type: string;
  command: string;
  args: string[];
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const tasks = (JSON.parse(readRepoFile('.vscode/tasks.json')) as { version: string; tasks: Task[] }).tasks;
const task = (label: string): Task => {
  const found = tasks.find((t) => t.label === label);
  if (!found) throw new Error(`no task "${label}"`);
  return found;
};

function runTask(label: string, env: Record<string, string>): Promise<Run> {
  const { command, args } = task(label);
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('.vscode/tasks.json', () => {
  it('has the four tasks the operator guide names, as shell-free node processes', () => {
    expect(tasks.map((t) => t.label).sort()).toEqual([
      'AetherLink: Check Metrics',
      'AetherLink: Health Check',
      'AetherLink: List Tenants',
      'AetherLink: Reload Auth Keys',
    ]);
    for (const t of tasks) {
      expect({ label: t.label, type: t.type, command: t.command, flag: t.args[0], count: t.args.length }).toEqual({
        label: t.label,
        type: 'process',
        command: 'node',
        flag: '-e',
        count: 2,
      });
      expect(t.args[1]).toContain("process.env.CUSTOMER_OPS_URL||'http://localhost:8000'");
    }
  });
});

describe('VS Code tasks against a running API', () => {
  let db: TestDatabase;
  let t: TestApp;
  const tenant = uniqueTenant('VS');

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      listen: true,
      env: { REQUIRE_API_KEY: 'true', API_ADMIN_KEY: ADMIN_KEY, [`API_KEY_${tenant}`]: randomKey('vs') },
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const env = () => ({ CUSTOMER_OPS_URL: t.url, API_ADMIN_KEY: ADMIN_KEY });

  it('Health Check prints the health document', async () => {
    const run = await runTask('AetherLink: Health Check', env());
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('Reload Auth Keys reloads with the admin key from the environment', async () => {
    const run = await runTask('AetherLink: Reload Auth Keys', env());
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 200, body: { ok: true, tenants: 1 } });
  });

  it('List Tenants lists the tenants and their key fingerprints', async () => {
    const run = await runTask('AetherLink: List Tenants', env());
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const body = (JSON.parse(run.stdout) as { body: { tenants: Array<{ tenant: string }> } }).body;
    expect(body.tenants.map((x) => x.tenant)).toContain(tenant);
  });

  it('Check Metrics prints the key metrics, summed per name', async () => {
    await t.http().get('/health');
    const run = await runTask('AetherLink: Check Metrics', env());
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const metrics = JSON.parse(run.stdout) as Record<string, number | null>;
    expect(metrics.api_tenants_count).toBeGreaterThanOrEqual(1);
    expect(metrics.http_requests_total).toBeGreaterThan(0);
    expect(metrics.rate_limit_backend_up).toBe(1);
    expect(Object.keys(metrics)).toEqual(expect.arrayContaining(['lead_enrich_total', 'lead_outcome_total']));
  });

  it('fail with a non-zero exit and a message when the key is missing or wrong, or the API is down', async () => {
    const noKey = await runTask('AetherLink: Reload Auth Keys', { CUSTOMER_OPS_URL: t.url });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('API_ADMIN_KEY is not set');

    const wrongKey = await runTask('AetherLink: List Tenants', { CUSTOMER_OPS_URL: t.url, API_ADMIN_KEY: 'nope' });
    expect(wrongKey.code).toBe(1);
    expect(JSON.parse(wrongKey.stdout)).toMatchObject({ status: 401 });

    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await runTask('AetherLink: Health Check', { CUSTOMER_OPS_URL: closed });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`Cannot reach ${closed}: ECONNREFUSED`);
  });
});
