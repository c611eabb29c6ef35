import { join } from 'node:path';
import { CommandResult, REPO_ROOT, runCommand } from './support/api-process';
import { ADMIN_KEY, randomKey, uniqueTenant } from './support/keys';
import { validLead } from './support/leads';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/** Runs the operator CLI the way the docs say: through the shell wrapper (npm run tenants). */
function tenantsCli(
  args: string[],
  env: Record<string, string> = { API_ADMIN_KEY: ADMIN_KEY },
): Promise<CommandResult> {
  return runCommand('bash', [join(REPO_ROOT, 'scripts/tenants.sh'), ...args], env);
}

describe('tenants CLI against a running API', () => {
  let db: TestDatabase;
  let t: TestApp;
  const envTenant = uniqueTenant('ENV');
  const envKey = randomKey('env');

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      listen: true,
      env: {
        REQUIRE_API_KEY: 'true',
        API_ADMIN_KEY: ADMIN_KEY,
        [`API_KEY_${envTenant}`]: envKey,
        // The plans the operator guide starts from.
        PLANS_FILE: join(REPO_ROOT, 'config/plans.example.json'),
        // Usage is counted only with rate limiting on; the admin budget is wide enough for the suite.
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_OPS: '1000/minute',
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const cli = (...args: string[]) => tenantsCli([...args, '--url', t.url]);
  const status = async (key: string) => (await t.http().get('/ops/model-status').set('x-api-key', key)).status;
  const admin = (path: string) => t.http().get(path).set('x-admin-key', ADMIN_KEY);

  /** Onboards a tenant with the CLI and returns the minted key it printed. */
  async function onboard(tenant: string, plan = 'pro'): Promise<{ key: string; res: CommandResult }> {
    const res = await cli('create', tenant.toLowerCase(), '--plan', plan, '--mint', '--display-name', 'Acme Roofing');
    expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
    const key = /^ {2}(\S+)$/m.exec(res.stdout)?.[1] ?? '';
    return { key, res };
  }

  it('onboards a tenant with a minted key, printed once with a warning, that works at once', async () => {
    const tenant = uniqueTenant('ACME');
    const { key, res } = await onboard(tenant);
    expect(res.stdout).toContain(`Created tenant ${tenant} ("Acme Roofing"): active, plan pro.`);
    expect(res.stdout).toMatch(/^Key \S+ \(sha256:[0-9a-f]{8}, expires never\):$/m);
    expect(key).toMatch(/^co_live_/);
    expect(res.stdout.split(key)).toHaveLength(2);
    expect(res.stdout).toContain('This key is shown once and cannot be retrieved again');
    expect(await status(key)).toBe(200);

    const listing = await cli('list');
    expect(listing.code).toBe(0);
    expect(listing.stdout).toMatch(/^TENANT +STATUS +PLAN +KEYS +DISPLAY NAME$/m);
    expect(listing.stdout).toMatch(new RegExp(`^${tenant} +active +pro +1 +Acme Roofing$`, 'm'));
    expect(listing.stdout).toMatch(new RegExp(`^${envTenant} +active +default +1 +-$`, 'm'));
    expect(listing.stdout).not.toContain(key);

    const shown = await cli('show', tenant);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Tenant ${tenant} ("Acme Roofing"): active, plan pro`);
    expect(shown.stdout).toMatch(/^ {2}\S+ +db +sha256:[0-9a-f]{8} +never +/m);
    expect(shown.stdout).toContain('  /v1/*: 10 per 1s (burst), 600 per 1h (hour)');
    expect(shown.stdout).toContain('  /ops/*: 50 per 1m (minute)');
    expect(shown.stdout).toContain('Overrides: none');
    expect(shown.stdout).not.toContain(key);
  }, 90000);

  it('creates a tenant without a key, and refuses a second one of the same name or an unknown plan', async () => {
    const tenant = uniqueTenant('BARE');
    const created = await cli('create', tenant);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Created tenant ${tenant}: active, plan default.`);
    expect(created.stdout).toContain('No key minted');
    expect(created.stdout).not.toMatch(/co_live_/);

    const again = await cli('create', tenant);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`409 Tenant ${tenant} already exists`);

    const unknownPlan = await cli('create', uniqueTenant('GOLD'), '--plan', 'gold');
    expect(unknownPlan.code).not.toBe(0);
    expect(unknownPlan.stderr).toContain('400 Unknown plan "gold"');
  }, 60000);

  it('moves a tenant to another plan, and its limits follow', async () => {
    const tenant = uniqueTenant('PLAN');
    await onboard(tenant);
    const res = await cli('plan', tenant, 'metered');
    expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
    expect(res.stdout).toContain(`${tenant} is now on plan metered`);
    const detail = await admin(`/ops/tenants/${tenant}`).expect(200);
    expect(detail.body).toMatchObject({
      plan: 'metered',
      limits: {
        default: { windows: [{ limit: 1000, windowSeconds: 60 }], quotas: [{ name: 'leadsPerMonth', limit: 5000 }] },
      },
    });

    const unknown = await cli('plan', tenant, 'gold');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('400 Unknown plan "gold"');
  }, 60000);

  it('suspends a tenant, whose key then gets 403, and resumes it', async () => {
    const tenant = uniqueTenant('SUSP');
    const { key } = await onboard(tenant);
    const suspended = await cli('suspend', tenant);
    expect({ code: suspended.code, stderr: suspended.stderr }).toEqual({ code: 0, stderr: '' });
    expect(suspended.stdout).toContain(`Suspended ${tenant} (status suspended)`);
    const refused = await t.http().get('/ops/model-status').set('x-api-key', key);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ message: 'Tenant suspended' });

    const resumed = await cli('resume', tenant);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Resumed ${tenant} (status active, plan pro)`);
    expect(await status(key)).toBe(200);
  }, 60000);

  it('shows usage as a table, and resets it', async () => {
    const tenant = uniqueTenant('USE');
    const { key } = await onboard(tenant, 'metered');
    await t.http().post('/v1/leads').set('x-api-key', key).send(validLead()).expect(201);

    const usage = await cli('usage', tenant);
    expect({ code: usage.code, stderr: usage.stderr }).toEqual({ code: 0, stderr: '' });
    expect(usage.stdout).toContain(`Usage of ${tenant} (plan metered):`);
    expect(usage.stdout).toMatch(/^FAMILY +WINDOW +LIMIT +USED +REMAINING +RESETS IN$/m);
    expect(usage.stdout).toMatch(/^default +minute \(1m\) +1000 +1 +999 +\d+s$/m);
    expect(usage.stdout).toMatch(/^FAMILY +QUOTA +LIMIT +USED +REMAINING +RESETS AT$/m);
    expect(usage.stdout).toMatch(/^default +leadsPerMonth +5000 +1 +4999 +\d{4}-\d\d-01T00:00:00\.000Z$/m);

    const reset = await cli('usage', tenant, '--reset');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`Usage counters of ${tenant} reset`);
    const after = await cli('usage', tenant);
    expect(after.stdout).toMatch(/^default +minute \(1m\) +1000 +0 +1000 +/m);
    expect(after.stdout).toMatch(/^default +leadsPerMonth +5000 +0 +5000 +/m);
  }, 90000);

  it('lists the audit trail of a tenant, newest first', async () => {
    const tenant = uniqueTenant('AUD');
    await onboard(tenant);
    expect((await cli('suspend', tenant)).code).toBe(0);
    const res = await cli('audit', tenant, '--limit', '10');
    expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
    const rows = res.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^AT +ACTION +TENANT +TARGET +DETAILS$/);
    expect(rows[1]).toMatch(new RegExp(`^\\S+ +tenant\\.suspend +${tenant} +- +oldStatus=active newStatus=suspended$`));
    expect(rows[2]).toMatch(new RegExp(`^\\S+ +tenant\\.create +${tenant} +\\S+ +plan=pro mintedKey=true$`));
    expect(rows).toHaveLength(3);
  }, 60000);

  it('erases a tenant only with --yes, and its key stops working', async () => {
    const tenant = uniqueTenant('GONE');
    const { key } = await onboard(tenant);
    await t.http().post('/v1/leads').set('x-api-key', key).send(validLead()).expect(201);

    const refused = await cli('erase', tenant);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`refusing to erase ${tenant} without --yes`);
    expect(refused.stdout).toBe('');
    await admin(`/ops/tenants/${tenant}`).expect(200);

    const erased = await cli('erase', tenant, '--yes');
    expect({ code: erased.code, stderr: erased.stderr }).toEqual({ code: 0, stderr: '' });
    expect(erased.stdout).toContain(
      `Erased tenant ${tenant}: 1 lead, 0 outcomes, 0 Idempotency-Keys and 1 key deleted.`,
    );
    expect(await status(key)).toBe(401);
    const shown = await cli('show', tenant);
    expect(shown.code).not.toBe(0);
    expect(shown.stderr).toContain(`404 Tenant ${tenant} not found`);
  }, 90000);

  it('does not erase a tenant whose keys are configured, naming where they are', async () => {
    const res = await cli('erase', envTenant, '--yes');
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(`409 Tenant ${envTenant} has keys in the environment (API_KEY_${envTenant})`);
    expect(await status(envKey)).toBe(200);
  }, 60000);

  it('fails with clear messages: server down, wrong or missing admin key, bad arguments', async () => {
    const down = await tenantsCli(['list', '--url', 'http://127.0.0.1:9']);
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain('cannot reach the API at http://127.0.0.1:9');

    const wrongKey = await tenantsCli(['list', '--url', t.url], { API_ADMIN_KEY: 'wrong-admin-key' });
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.stderr).toContain('401 Invalid or missing admin key');

    const noKey = await tenantsCli(['list', '--url', t.url], {});
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toContain('API_ADMIN_KEY is not set');

    const badName = await cli('show', 'not/a/tenant');
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toContain('is not a tenant name');

    const noCommand = await tenantsCli([]);
    expect(noCommand.code).not.toBe(0);
    expect(noCommand.stderr).toContain('Usage: npm run tenants -- <command>');

    const help = await tenantsCli(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('erase TENANT --yes');
  }, 90000);
});
