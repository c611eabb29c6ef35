import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandResult, REPO_ROOT, runCommand } from './support/api-process';
import { ADMIN_KEY, randomKey, uniqueTenant } from './support/keys';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/** Runs the operator CLI the way the docs say: through the shell wrapper (npm run rotate-keys). */
function rotateKeys(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return runCommand('bash', [join(REPO_ROOT, 'scripts/rotate-keys.sh'), ...args], env);
}

describe('rotate-keys CLI against a running API', () => {
  let db: TestDatabase;
  let t: TestApp;
  const keysFile = join(tmpdir(), `co-cli-keys-${randomBytes(6).toString('hex')}.env`);
  const existingTenant = uniqueTenant('OLD');
  const existingKey = randomKey('old');

  beforeAll(async () => {
    db = await createTestDatabase();
    writeFileSync(keysFile, `# managed by rotate-keys\nAPI_KEY_${existingTenant}=${existingKey}\n`);
    t = await startTestApp(db.url, {
      listen: true,
      env: { REQUIRE_API_KEY: 'true', API_ADMIN_KEY: ADMIN_KEY, API_KEYS_FILE: keysFile },
    });
  });

  afterAll(async () => {
    await t?.close();
    rmSync(keysFile, { force: true });
    await db?.drop();
  });

  const status = async (key: string) => (await t.http().get('/ops/model-status').set('x-api-key', key)).status;

  it('adds a tenant key, reloads, and the key works; then removes it again', async () => {
    const tenant = uniqueTenant('NEW');
    const key = randomKey('new');
    const added = await rotateKeys(['--add', `${tenant.toLowerCase()}:${key}`, '--url', t.url, '--file', keysFile], {
      API_ADMIN_KEY: ADMIN_KEY,
    });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('1 added, 0 removed');
    expect(added.stdout).toMatch(new RegExp(`Tenants before: .*${existingTenant}`));
    expect(added.stdout).not.toMatch(new RegExp(`Tenants before: .*${tenant}`));
    expect(added.stdout).toMatch(new RegExp(`Tenants after: .*${tenant} \\(1 key\\)`));
    expect(added.stdout).not.toContain(key);
    expect(readFileSync(keysFile, 'utf8')).toBe(
      `# managed by rotate-keys\nAPI_KEY_${existingTenant}=${existingKey}\nAPI_KEY_${tenant}=${key}\n`,
    );
    expect(await status(key)).toBe(200);

    const removed = await rotateKeys(['--remove', key, '--url', t.url, '--file', keysFile], {
      API_ADMIN_KEY: ADMIN_KEY,
    });
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('0 added, 1 removed');
    expect(removed.stdout).not.toMatch(new RegExp(`Tenants after: .*${tenant}`));
    expect(await status(key)).toBe(401);
    expect(await status(existingKey)).toBe(200);
  });

  it('fails with a clear message when the server is down, leaving the file untouched', async () => {
    const before = readFileSync(keysFile, 'utf8');
    const res = await rotateKeys(['--add', `X:${randomKey('x')}`, '--url', 'http://127.0.0.1:9', '--file', keysFile], {
      API_ADMIN_KEY: ADMIN_KEY,
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('cannot reach the API at http://127.0.0.1:9');
    expect(readFileSync(keysFile, 'utf8')).toBe(before);
  });

  it('fails with the API message on a wrong admin key', async () => {
    const res = await rotateKeys(['--add', `X:${randomKey('x')}`, '--url', t.url, '--file', keysFile], {
      API_ADMIN_KEY: 'wrong-admin-key',
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('401 Invalid or missing admin key');
  });

  it('fails without API_ADMIN_KEY unless --no-reload', async () => {
    const key = randomKey('nr');
    const res = await rotateKeys(['--add', `NR:${key}`, '--url', t.url, '--file', keysFile]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('API_ADMIN_KEY is not set');

    const offline = await rotateKeys(['--add', `NR:${key}`, '--file', keysFile, '--no-reload']);
    expect(offline.code).toBe(0);
    expect(readFileSync(keysFile, 'utf8')).toContain(`API_KEY_NR=${key}`);
    expect(await status(key)).toBe(401);
  });

  it('fails when the keys file cannot be written', async () => {
    const res = await rotateKeys(['--add', `X:${randomKey('x')}`, '--file', '/dev/null/keys.env', '--no-reload']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('/dev/null/keys.env');
  });

  it('rejects bad arguments with usage', async () => {
    expect((await rotateKeys([])).code).not.toBe(0);
    const res = await rotateKeys(['--add', 'no-colon-here', '--no-reload', '--file', keysFile]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('TENANT:KEY');
  });
});
