import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { collect, REPO_ROOT, runTs, startApiProcess } from './support/api-process';
import { BlackHole } from './support/black-hole';
import { eventually } from './support/redis';
import { freePort } from './support/redis-server';
import { createTestDatabase, TestDatabase } from './support/test-database';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every stdout line, parsed: a line that is not JSON fails the test. */
  lines: Array<Record<string, unknown>>;
  ms: number;
}

/** Runs main.ts until it exits (killed, and failed, after `timeoutMs`). */
async function runToExit(env: Record<string, string>, timeoutMs = 60000): Promise<Exit> {
  const started = Date.now();
  const child = runTs('apps/customer-ops/src/main.ts', { PORT: '0', HOST: '127.0.0.1', ...env });
  const { out, err, exited } = collect(child);
  const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exited;
  clearTimeout(guard);
  const ms = Date.now() - started;
  const lines = out()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${JSON.stringify(line)}\nstdout:\n${out()}\nstderr:\n${err()}`);
      }
    });
  return { code, stdout: out(), stderr: err(), lines, ms };
}

/** The one line a failed start-up prints, checked for shape; nothing else may carry `fragment`. */
function failureLine(exit: Exit, fragment: string): Record<string, unknown> {
  // eslint-disable-next-line no-control-regex
  expect(exit.stdout + exit.stderr).not.toMatch(/\x1b\[/);
  expect(exit.stderr).toBe('');
  const fatal = exit.lines.filter((l) => l.level === 'fatal');
  expect(fatal).toHaveLength(1);
  expect(fatal[0]).toMatchObject({ msg: 'customer-ops cannot start', service: 'customer-ops' });
  expect(String(fatal[0].reason)).toContain(fragment);
  expect(exit.lines.filter((l) => JSON.stringify(l).includes(fragment))).toEqual(fatal);
  return fatal[0];
}

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

    // Start a request and send only part of its body, so it is in flight. `Expect: 100-continue`
    // makes the server say when it has the request: the signal comes after that, not after a pause.
    const req = httpRequest(api.url('/in-flight'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        expect: '100-continue',
      },
    });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
    });
    const accepted = new Promise<void>((resolve) =>
      req.on('continue', () => {
        req.write(body.slice(0, 20));
        resolve();
      }),
    );
    await accepted;
    api.child.kill('SIGTERM');

    // Once the short linger after the signal is over, no new connection is accepted, while the
    // request in flight keeps the process alive.
    await eventually(
      () =>
        fetch(api.url('/health')).then(
          () => false,
          () => true,
        ),
      10000,
      20,
    );
    expect(api.child.exitCode).toBeNull();
    req.end(body.slice(20));

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
      headers: { 'content-type': 'application/json', 'content-length': 1000, expect: '100-continue' },
    });
    const closed = new Promise((resolve) => req.on('error', resolve).on('close', resolve));
    // The server has the request (it answered 100 Continue) before the signal is sent.
    await new Promise<void>((resolve) => req.on('continue', resolve));
    req.write('{"a":');
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    await closed;
    expect(api.logLines().some((l) => l.msg === 'grace period over: closing remaining connections')).toBe(true);
  });

  it('refuses to start with bad configuration: one JSON line naming every bad variable', async () => {
    const exit = await runToExit({ DATABASE_URL: db.url, PORT: 'x', LOG_LEVEL: 'loud' });
    expect(exit.code).toBe(1);
    const line = failureLine(exit, 'Invalid configuration (2 problems)');
    expect(exit.lines).toEqual([line]);
    expect(String(line.reason)).toMatch(/\n {2}- PORT: .*\n {2}- LOG_LEVEL: /);
    expect((line.problems as Array<{ variable: string }>).map((p) => p.variable).sort()).toEqual(['LOG_LEVEL', 'PORT']);
  });

  it('NODE_ENV=production refuses CORS_ORIGINS=*', async () => {
    const exit = await runToExit({ DATABASE_URL: db.url, NODE_ENV: 'production', CORS_ORIGINS: '*' });
    expect(exit.code).toBe(1);
    expect(String(failureLine(exit, 'CORS_ORIGINS').reason)).toMatch(/CORS_ORIGINS: must not contain \*/);
  });

  it('an unreachable database: a few retries, then one JSON line with the reason, exit 1', async () => {
    const closedPort = await freePort();
    const exit = await runToExit({ DATABASE_URL: `postgres://postgres:db-secret-pw@127.0.0.1:${closedPort}/co` });
    expect(exit.code).toBe(1);
    const line = failureLine(exit, 'ECONNREFUSED');
    expect(line).toMatchObject({ code: 'ECONNREFUSED' });
    const retries = exit.lines.filter((l) => String(l.msg).startsWith('Unable to connect to the database'));
    expect(retries.length).toBeGreaterThan(0);
    for (const retry of retries) expect(retry.level).toBe('warn');
    expect(exit.stdout).not.toContain('db-secret-pw');
    expect(exit.lines.some((l) => l.msg === 'customer-ops started')).toBe(false);
  });

  it('a bad migration: one JSON line with the reason, exit 1, not retried', async () => {
    // A table of the same name, without the columns, is already there: a migration that
    // alters it fails.
    if (db.kind === 'sqlite') {
      const sqlite = new Database(db.url.slice('sqlite:'.length));
      sqlite.exec('CREATE TABLE tenants (squatter INTEGER)');
      sqlite.close();
    } else {
      const client = new Client({ connectionString: db.url });
      await client.connect();
      await client.query('CREATE TABLE tenants (squatter INTEGER)');
      await client.end();
    }
    const exit = await runToExit({ DATABASE_URL: db.url });
    expect(exit.code).toBe(1);
    failureLine(exit, 'created_at');
    expect(exit.lines.filter((l) => String(l.msg).startsWith('Unable to connect'))).toEqual([]);
  });

  it('a database that accepts connections and never answers: exit 1 at STARTUP_TIMEOUT_MS with one JSON line', async () => {
    const hole = await BlackHole.start();
    try {
      const exit = await runToExit({
        DATABASE_URL: `postgres://postgres@127.0.0.1:${hole.port}/co`,
        STARTUP_TIMEOUT_MS: '1500',
      });
      expect(exit.code).toBe(1);
      expect(hole.connections).toBeGreaterThan(0);
      // The deadline ended it, not the driver's own connect timeout (3 s, retried).
      const line = failureLine(exit, 'STARTUP_TIMEOUT_MS=1500');
      expect(String(line.reason)).toContain('database connection and migrations');
    } finally {
      await hole.close();
    }
  });

  it('listens on loopback by default outside production, without the exposure warning', async () => {
    const api = await startApiProcess({ DATABASE_URL: db.url, HOST: '' });
    try {
      expect(api.logLines().find((l) => l.msg === 'customer-ops started')).toMatchObject({ host: '127.0.0.1' });
      expect(api.logLines().filter((l) => String(l.msg).includes('tenant `public`'))).toEqual([]);
      expect((await fetch(api.url('/health'))).status).toBe(200);
    } finally {
      api.child.kill('SIGKILL');
    }
  });

  it('keys optional on a non-loopback listener: one warning that anonymous callers share tenant public', async () => {
    const api = await startApiProcess({ DATABASE_URL: db.url, HOST: '0.0.0.0' });
    try {
      const warnings = api.logLines().filter((l) => String(l.msg).includes('tenant `public`'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 'warn', host: '0.0.0.0' });
      expect(String(warnings[0].msg)).toContain('share its data');
    } finally {
      api.child.kill('SIGKILL');
    }
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
