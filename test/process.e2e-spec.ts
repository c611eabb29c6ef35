import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { collect, REPO_ROOT, runTs, startApiProcess } from './support/api-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** Tables in the database behind a DATABASE_URL (SQLite file or Postgres database). */
async function tablesIn(db: TestDatabase): Promise<string[]> {
  if (db.kind === 'sqlite') {
    const sqlite = new Database(db.url.slice('sqlite:'.length), { readonly: true });
    try {
      return (
        sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>
      ).map((r) => r.name);
    } finally {
      sqlite.close();
    }
  }
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'");
    return rows.map((r: { name: string }) => r.name);
  } finally {
    await client.end();
  }
}

describe('the API as a real process (main.ts)', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db?.drop();
  });

  it('logs one start-up line with version, port and database kind, then serves', async () => {
    const api = await startApiProcess({ DATABASE_URL: db.url });
    try {
      const started = api.logLines().find((l) => l.msg === 'customer-ops started');
      expect(started).toMatchObject({
        level: 'info',
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        database: db.kind,
      });
      expect(api.port).toBeGreaterThan(0);
      const res = await fetch(api.url('/health'));
      expect(res.status).toBe(200);
      expect(JSON.stringify(started)).not.toContain(db.url);
    } finally {
      api.child.kill('SIGKILL');
    }
  });

  it('on SIGTERM: stops accepting, completes the in-flight request, exits 0', async () => {
    const api = await startApiProcess({ DATABASE_URL: db.url, SHUTDOWN_GRACE_MS: '10000' });
    const body = JSON.stringify({ padding: 'x'.repeat(64) });

    // Start a request and send only half of its body, so it is in flight.
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        api.url('/in-flight'),
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => {
        api.child.kill('SIGTERM');
        // Keep the request open past the listener closing, then finish it.
        setTimeout(() => req.end(body.slice(20)), 1200);
      }, 200);
    });

    // Once the short linger after the signal is over, no new connection is accepted.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await expect(fetch(api.url('/health'))).rejects.toThrow();
    expect(api.child.exitCode).toBeNull();

    const done = await response;
    expect(done.status).toBe(404);
    expect(JSON.parse(done.body)).toMatchObject({ statusCode: 404 });
    expect(await api.exited).toBe(0);
    const messages = api.logLines().map((l) => l.msg);
    expect(messages).toEqual(
      expect.arrayContaining(['shutdown started: draining in-flight requests', 'shutdown complete']),
    );
  });

  it('closes connections that outlive SHUTDOWN_GRACE_MS and still exits 0', async () => {
    const api = await startApiProcess({ DATABASE_URL: db.url, SHUTDOWN_GRACE_MS: '300' });
    const req = httpRequest(api.url('/stuck'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': 1000 },
    });
    const closed = new Promise((resolve) => req.on('error', resolve).on('close', resolve));
    req.write('{"a":');
    await new Promise((resolve) => setTimeout(resolve, 200));
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    await closed;
    expect(api.logLines().some((l) => l.msg === 'grace period over: closing remaining connections')).toBe(true);
  });

  it('refuses to start with bad configuration, naming every bad variable', async () => {
    const child = runTs('apps/customer-ops/src/main.ts', { DATABASE_URL: db.url, PORT: 'x', LOG_LEVEL: 'loud' });
    const { err, exited } = collect(child);
    expect(await exited).toBe(1);
    expect(err()).toContain('Invalid configuration (2 problems)');
    expect(err()).toContain('PORT');
    expect(err()).toContain('LOG_LEVEL');
  });

  it('NODE_ENV=production refuses CORS_ORIGINS=*', async () => {
    const child = runTs('apps/customer-ops/src/main.ts', {
      DATABASE_URL: db.url,
      NODE_ENV: 'production',
      CORS_ORIGINS: '*',
    });
    const { err, exited } = collect(child);
    expect(await exited).toBe(1);
    expect(err()).toMatch(/CORS_ORIGINS: must not contain \*/);
  });

  it('NODE_ENV=production on SQLite starts with a warning', async () => {
    const api = await startApiProcess({ DATABASE_URL: db.url, NODE_ENV: 'production' });
    try {
      const warned = api.logLines().some((l) => l.level === 'warn' && String(l.msg).includes('SQLite'));
      expect(warned).toBe(db.kind === 'sqlite');
    } finally {
      api.child.kill('SIGKILL');
    }
  });

  it('npm run migration:run applies the migrations with the app DataSource options', async () => {
    const child = spawn('npm', ['run', '--silent', 'migration:run'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: db.url },
    });
    const { out, err, exited } = collect(child);
    expect(await exited).toBe(0);
    expect(out() + err()).toContain('CreateTenants');
    expect(await tablesIn(db)).toEqual(expect.arrayContaining(['migrations', 'tenants']));
  });
});
