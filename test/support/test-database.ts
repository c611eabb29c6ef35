import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  url: string;
  drop(): Promise<void>;
}

/** Which database the current e2e project runs on (set by the project's setup file). */
export function e2eDatabaseKind(): 'sqlite' | 'postgres' {
  return process.env.E2E_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
}

/** Which HTTP platform the current e2e project runs on (set by the project's setup file). */
export function e2eAdapter(): 'express' | 'fastify' {
  return process.env.E2E_ADAPTER === 'fastify' ? 'fastify' : 'express';
}

async function createPostgresDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is required for the Postgres e2e project');
  const name = `co_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

function createSqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'co-e2e-'));
  return {
    kind: 'sqlite',
    url: `sqlite:${join(dir, 'customer-ops.sqlite')}`,
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh, empty database for one suite: a temp SQLite file or a new Postgres database. */
export function createTestDatabase(): Promise<TestDatabase> {
  return e2eDatabaseKind() === 'postgres' ? createPostgresDatabase() : Promise.resolve(createSqliteDatabase());
}
