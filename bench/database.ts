import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

/*
 * The bench's own Postgres database: created fresh for the run, migrated with the app's
 * migrations (the compiled `migrate.js`, as the image's migration job runs them), seeded with
 * leads directly in SQL, dropped at the end.
 */

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const MIGRATE = join(ROOT, 'dist/apps/customer-ops/libs/database/src/migrate.js');

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `co_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `Postgres is unreachable at ${redact(adminUrl)} (${(error as Error).message}): set BENCH_DATABASE_URL`,
    );
  }
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
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

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

export async function migrate(databaseUrl: string): Promise<void> {
  await run(process.execPath, [MIGRATE], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
  });
}

export async function withClient<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The columns the API writes on capture (LeadsService.store), in the order the seed writes
 * them. search_text is built as the API builds it: name, company and details joined by
 * newlines, lower-cased.
 */
const SEEDED_COLUMNS = [
  'id',
  'tenant',
  'name',
  'phone',
  'email',
  'company',
  'details',
  'source',
  'search_text',
  'intent',
  'urgency',
  'sentiment',
  'score',
  'conversion_probability',
  'outcome',
  'outcome_at',
  'time_to_conversion_seconds',
  'created_at',
];

/** Words the seeded details are made of, so that searches match some leads and not others. */
const SERVICES = ['roof', 'gutter', 'siding', 'window', 'solar panel', 'furnace', 'water heater', 'deck', 'fence'];
const NEEDS = ['leak', 'repair', 'estimate', 'replacement', 'inspection', 'quote', 'installation', 'storm damage'];
const WHEN = ['this week', 'today', 'next month', 'before winter', 'as soon as possible', 'when convenient'];
const COMPANIES = ['Acme Homes', 'Birch & Co', 'Cedar Realty', 'Delta Rentals', 'Elm Street HOA'];

const sqlArray = (values: string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]`;

/**
 * Inserts `count` leads for `tenant` in one INSERT … SELECT, the newest created now and each
 * earlier one a second before. Throws when the table has a required column the seed does not
 * write (a migration added one: add it here too).
 */
export async function seedLeads(client: Client, tenant: string, count: number): Promise<void> {
  const { rows } = await client.query<{ column_name: string; is_nullable: string; column_default: string | null }>(
    `SELECT column_name, is_nullable, column_default, is_generated FROM information_schema.columns
      WHERE table_name = 'leads' AND table_schema = current_schema() AND is_generated = 'NEVER'`,
  );
  const missing = rows.filter(
    (c) => !SEEDED_COLUMNS.includes(c.column_name) && c.is_nullable === 'NO' && c.column_default === null,
  );
  if (missing.length > 0) {
    throw new Error(
      `the leads table has required columns the bench's seed does not write: ${missing.map((c) => c.column_name).join(', ')} (bench/database.ts)`,
    );
  }
  await client.query(
    `INSERT INTO leads (${SEEDED_COLUMNS.join(', ')})
     SELECT gen_random_uuid()::text, $1, s.name, '+1 555 01' || lpad((s.i % 100)::text, 2, '0') || ' 2030',
            'lead' || s.i || '@example.com', s.company, s.details, 'bench',
            lower(concat_ws(E'\\n', s.name, s.company, s.details)),
            (ARRAY['lead_capture','support','billing','unknown'])[1 + s.i % 4],
            (ARRAY['high','normal'])[1 + s.i % 2], (ARRAY['positive','neutral','negative'])[1 + s.i % 3],
            0.5 + (s.i % 5) / 10.0, NULL, NULL, NULL, NULL,
            now() - make_interval(secs => $2::int - s.i)
       FROM (SELECT i, 'Lead ' || i AS name,
                    CASE WHEN i % 3 = 0 THEN (${sqlArray(COMPANIES)})[1 + i % ${COMPANIES.length}] END AS company,
                    'Need ' || (${sqlArray(SERVICES)})[1 + i % ${SERVICES.length}] || ' '
                      || (${sqlArray(NEEDS)})[1 + (i / ${SERVICES.length}) % ${NEEDS.length}] || ' '
                      || (${sqlArray(WHEN)})[1 + (i / 7) % ${WHEN.length}] AS details
               FROM generate_series(1, $2::int) AS i) AS s`,
    [tenant, count],
  );
}

export async function analyzeLeads(databaseUrl: string): Promise<void> {
  await withClient(databaseUrl, (client) => client.query('ANALYZE leads'));
}
