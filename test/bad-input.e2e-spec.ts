import fc from 'fast-check';
import { isEmail } from 'class-validator';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { INTENTS } from '../apps/customer-ops/src/leads/enrichment/lexicons';
import { OUTCOMES } from '../apps/customer-ops/src/leads/outcomes';
import { httpCall, HttpResult, rawHttp } from './support/http-client';
import { ADMIN_KEY, randomKey, uniqueTenant } from './support/keys';
import { validLead } from './support/leads';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/*
 * Property tests over every route with inputs no client should send. Invariants: the answer
 * is a 4xx in the error envelope (never a 5xx), and a rejected request writes nothing.
 * Runs are seeded: BAD_INPUT_SEED=<seed> reproduces a run, BAD_INPUT_RUNS=<n> widens it;
 * a failing property prints its seed and the shrunk counterexample.
 */
const SEED = Number(process.env.BAD_INPUT_SEED ?? 20251);
const RUNS = Number(process.env.BAD_INPUT_RUNS ?? 25);
const BODY_LIMIT = 8192;
// api_key_usage is left out: a key's last use is recorded for refused requests too.
const TABLES = ['leads', 'lead_outcomes', 'api_keys', 'idempotency_keys', 'model_versions', 'tenants', 'audit_events'];
const ENVELOPE_KEYS = ['code', 'error', 'message', 'requestId', 'statusCode'];
/** docs/ERRORS.md's code table: every code an answer carries is listed there, with its status. */
const DOCUMENTED_CODES = new Map(
  readFileSync(join(__dirname, '../docs/ERRORS.md'), 'utf8')
    .split('\n')
    .map((line) => /^\| `([A-Z][A-Z0-9_]*)` \| (\d{3}) \|/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, code, status]) => [code, Number(status)] as const),
);
const JSON_MAX_DEPTH = 32;
const MAX_DETAILS = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const PHONE = /^[0-9 +().-]{7,32}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const LEAD_FIELDS = ['name', 'phone', 'email', 'company', 'details', 'source'];

// ---- generators ----------------------------------------------------------------------------

/** Characters that are hard on storage, search and logs: NUL, lone surrogates, bidi controls. */
const NASTY = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '\u202e',
  '\u200f',
  '\u2066',
  '\u061c',
  '\ufeff',
  '\ufe0f',
  '\ufe0e',
  '\uffff',
  '\u{10ffff}',
  '\u0301',
  'İ',
  'ß',
  '\u{1f600}',
  '\u{1f469}\u200d\u{1f4bb}',
  '\r\n',
  '\u2028',
  '\x1b[31m',
  '\x7f',
  '%',
  '_',
  '\\',
  "'",
  '"',
  '<script>',
  '${x}',
];
const nastyUnit = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  fc.constantFrom('a', 'Z', '7', ' '),
);
const nastyText = (maxLength = 60) => fc.string({ unit: nastyUnit, maxLength });
/** Unicode text of any size: short, long, or far over every field cap and the body limit. */
const anyText = fc.oneof(
  { weight: 3, arbitrary: nastyText() },
  {
    weight: 1,
    arbitrary: fc
      .tuple(nastyUnit, fc.integer({ min: 150, max: 3 * BODY_LIMIT }))
      .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n)),
  },
);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Text a database can hold as sent: no NUL, no unpaired surrogate. */
const isStorable = (text: string) => !text.includes('\u0000') && !LONE_SURROGATE.test(text);
/** Characters Node's HTTP client is willing to send in a header value. */
const headerChar = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09))
  .map((code) => String.fromCharCode(code));
const headerValue = (maxLength = 300) => fc.string({ unit: headerChar, maxLength });
/** What the server sees of a header value: Node trims surrounding spaces and tabs. */
const trimmedHeader = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, '');

const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });
const notString = fc.oneof(
  fc.integer(),
  finiteDouble,
  fc.boolean(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
const notInteger = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.boolean(),
  finiteDouble.filter((n) => !Number.isInteger(n)),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);
/**
 * Keys the framework drops before validation instead of refusing them: Nest's ValidationPipe
 * deletes the first three (its prototype-pollution guard), class-transformer skips names of
 * functions every object inherits.
 */
const STRIPPED_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
];
/** Property names a DTO does not declare, including the ones every object inherits. */
const unknownKey = (declared: string[]) =>
  fc
    .oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('then', 'tenant', 'id', 'admin', 'length', '0'))
    .filter((key) => !declared.includes(key) && !STRIPPED_KEYS.includes(key) && !(key in Object.prototype));
const longString = (min: number, max: number) => fc.integer({ min, max }).map((n) => 'x'.repeat(n));

/** Percent-encodes the UTF-8 bytes of `text` (lone surrogates become U+FFFD, as on the wire). */
function pct(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
/** The string a server decodes from pct(text). */
const onTheWire = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

interface Mutation {
  body: unknown;
  /** The field the 400 must name, when there is one. */
  field: string | null;
}
const withField = (field: string, value: unknown, base: Record<string, unknown>): Mutation => ({
  body: { ...base, [field]: value },
  field,
});

const leadMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.oneof(notString, fc.constant(null)).map((v) => withField('name', v, validLead())),
  fc.string({ maxLength: 1 }).map((v) => withField('name', v, validLead())),
  longString(201, 2000).map((v) => withField('name', v, validLead())),
  fc.stringMatching(/^[ \t\n]{2,20}$/).map((v) => withField('name', v, validLead())),
  notString.map((v) => withField('phone', v, validLead())),
  fc
    .string({ maxLength: 40 })
    .filter((v) => !PHONE.test(v))
    .map((v) => withField('phone', v, validLead())),
  notString.map((v) => withField('email', v, validLead())),
  fc
    .string({ maxLength: 40 })
    .filter((v) => !isEmail(v))
    .map((v) => withField('email', v, validLead())),
  fc.integer({ min: 250, max: 600 }).map((n) => withField('email', `${'a'.repeat(n)}@example.com`, validLead())),
  ...(['company', 'details', 'source'] as const).map((field) => notString.map((v) => withField(field, v, validLead()))),
  longString(201, 2000).map((v) => withField('company', v, validLead())),
  longString(4001, 6000).map((v) => withField('details', v, validLead())),
  longString(65, 500).map((v) => withField('source', v, validLead())),
  fc.constant({ body: validLead({ phone: undefined, email: undefined }), field: 'phone' }),
  fc.tuple(unknownKey(LEAD_FIELDS), fc.jsonValue({ maxDepth: 2 })).map(([key, v]) => withField(key, v, validLead())),
  fc.array(fc.constant(validLead()), { maxLength: 2 }).map((body) => ({ body, field: null })),
);

const validOutcome = { outcome: 'qualified', notes: 'called back', timeToConversionSeconds: 60 };
const outcomeMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .oneof(
      fc.string({ maxLength: 20 }).filter((v) => !(OUTCOMES as readonly string[]).includes(v)),
      notString,
      fc.constant(null),
      fc.constantFrom('BOOKED', ' booked', 'booked '),
    )
    .map((v) => withField('outcome', v, validOutcome)),
  fc.constant({ body: { notes: 'no outcome' }, field: 'outcome' }),
  notString.map((v) => withField('notes', v, validOutcome)),
  longString(501, 3000).map((v) => withField('notes', v, validOutcome)),
  notInteger.map((v) => withField('timeToConversionSeconds', v, validOutcome)),
  fc.integer({ max: -1 }).map((v) => withField('timeToConversionSeconds', v, validOutcome)),
  fc
    .integer({ min: 2_147_483_648, max: Number.MAX_SAFE_INTEGER })
    .map((v) => withField('timeToConversionSeconds', v, validOutcome)),
  fc
    .tuple(unknownKey(['outcome', 'notes', 'timeToConversionSeconds']), fc.jsonValue({ maxDepth: 2 }))
    .map(([key, v]) => withField(key, v, validOutcome)),
);

const mintMutation: fc.Arbitrary<Mutation> = fc.oneof(
  notInteger.map((v) => withField('expiresInDays', v, {})),
  fc.integer({ max: 0 }).map((v) => withField('expiresInDays', v, {})),
  fc.integer({ min: 3651 }).map((v) => withField('expiresInDays', v, {})),
  fc.tuple(unknownKey(['expiresInDays']), fc.jsonValue({ maxDepth: 2 })).map(([key, v]) => withField(key, v, {})),
);

const retrainMutation: fc.Arbitrary<Mutation> = fc.oneof(
  notInteger.map((v) => withField('minSamples', v, {})),
  fc.integer({ max: 1 }).map((v) => withField('minSamples', v, {})),
  fc.integer({ min: 1_000_001 }).map((v) => withField('minSamples', v, {})),
  fc
    .oneof(fc.string({ maxLength: 5 }), fc.boolean(), fc.array(fc.double(), { maxLength: 2 }))
    .map((v) => withField('minAuc', v, {})),
  fc
    .oneof(
      // -0 travels as 0 in JSON: a valid value.
      fc.double({ max: 0, maxExcluded: true, noNaN: true, noDefaultInfinity: true }).filter((v) => v < 0),
      fc.double({ min: 1, minExcluded: true, noNaN: true, noDefaultInfinity: true }),
    )
    .map((v) => withField('minAuc', v, {})),
  fc
    .tuple(unknownKey(['minSamples', 'minAuc']), fc.jsonValue({ maxDepth: 2 }))
    .map(([key, v]) => withField(key, v, {})),
);

/** Text that is not a JSON object or array (body-parser's strict mode refuses the rest too). */
function isJsonContainer(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}
const malformedJson = fc
  .oneof(
    fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 200 }),
    fc.string({ unit: nastyUnit, minLength: 1, maxLength: 100 }),
    fc
      .tuple(fc.json({ maxDepth: 3 }), fc.nat())
      .filter(([text]) => text.length > 1)
      .map(([text, n]) => text.slice(0, 1 + (n % (text.length - 1)))),
    fc.json({ maxDepth: 2 }).map((text) => `${text}}`),
    fc.constantFrom(
      "{'name':'x'}",
      '{name:"x"}',
      '{"name":"x",}',
      '[1,]',
      'NaN',
      '{"a":undefined}',
      '{"a":1e}',
      '{"a":"\\x41"}',
      '{"a":"\\ud800',
      '1',
      '"name"',
      'true',
      'null',
      '{"a":1}{"b":2}',
      '{"a":01}',
    ),
  )
  .filter((text) => text.trim().length > 0 && !isJsonContainer(text));

// ---- the suite -----------------------------------------------------------------------------

describe('bad input on every route: always a 4xx in the envelope, never a write', () => {
  let db: TestDatabase;
  let t: TestApp;
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const tenant = uniqueTenant('BAD');
  const key = randomKey('bad');
  const tenantAuth = { 'x-api-key': key };
  const adminAuth = { 'x-admin-key': ADMIN_KEY };
  const jsonType = { 'content-type': 'application/json' };
  let leadId = '';
  let mintedKeyId = '';
  let baseline: Record<string, string> = {};
  let prototypeKeys: string[][] = [];

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer) =>
    httpCall(t.url, { method, path, headers, body, agent, timeoutMs: 20000 });
  const sendJson = (method: string, path: string, headers: Record<string, string>, body: unknown) =>
    call(method, path, { ...jsonType, ...headers }, JSON.stringify(body));

  /** Every row of every table the API writes, as a count and a digest per table. */
  async function tableState(): Promise<Record<string, string>> {
    const dataSource = t.app.get(DataSource);
    const state: Record<string, string> = {};
    for (const table of TABLES) {
      const rows = (await dataSource.query(`SELECT * FROM ${table}`)) as unknown[];
      const lines = rows.map((row) => JSON.stringify(row)).sort();
      state[table] = `${rows.length} rows, ${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 12)}`;
    }
    return state;
  }

  const expectNothingWritten = async () => expect(await tableState()).toEqual(baseline);

  function expectEnvelope(res: HttpResult, context: string): Record<string, unknown> {
    if (res.status < 400 || res.status > 499) {
      throw new Error(`${context}: expected a 4xx, got ${res.status} ${res.text.slice(0, 400)}`);
    }
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.body as Record<string, unknown>;
    expect(body).toEqual(expect.any(Object));
    expect(
      Object.keys(body)
        .filter((k) => k !== 'details')
        .sort(),
    ).toEqual(ENVELOPE_KEYS);
    expect(body.statusCode).toBe(res.status);
    expect(body.error).toBe(STATUS_CODES[res.status]);
    expect({ code: body.code, status: DOCUMENTED_CODES.get(body.code as string) }).toEqual({
      code: body.code,
      status: res.status,
    });
    expect(body.message).toEqual(expect.any(String));
    expect(body.requestId).toBe(res.headers['x-request-id']);
    if ('details' in body) expect(Array.isArray(body.details)).toBe(true);
    expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
    return body;
  }

  async function expectRejected(res: HttpResult, context: string, status?: number): Promise<Record<string, unknown>> {
    const body = expectEnvelope(res, context);
    if (status !== undefined) expect(res.status).toBe(status);
    await expectNothingWritten();
    return body;
  }

  interface Route {
    method: 'GET' | 'POST' | 'DELETE';
    path: () => string;
    auth: Record<string, string>;
    /** The route reads query parameters into a DTO (unknown ones are refused). */
    queryDto?: boolean;
  }
  const ROUTES: Route[] = [
    { method: 'POST', path: () => '/v1/leads', auth: tenantAuth },
    { method: 'GET', path: () => '/v1/leads', auth: tenantAuth, queryDto: true },
    { method: 'GET', path: () => `/v1/leads/${leadId}`, auth: tenantAuth },
    { method: 'POST', path: () => `/v1/leads/${leadId}/outcome`, auth: tenantAuth },
    { method: 'GET', path: () => '/v1/leads/search?q=roof', auth: tenantAuth, queryDto: true },
    { method: 'GET', path: () => '/v1/analytics/outcomes', auth: tenantAuth },
    { method: 'GET', path: () => '/ops/model-status', auth: tenantAuth },
    { method: 'POST', path: () => '/ops/reload-auth', auth: adminAuth },
    { method: 'GET', path: () => '/ops/tenants', auth: adminAuth },
    { method: 'POST', path: () => `/ops/tenants/${tenant}/keys`, auth: adminAuth },
    {
      method: 'DELETE',
      path: () => `/ops/tenants/${tenant}/keys/${mintedKeyId}?graceSeconds=5`,
      auth: adminAuth,
      queryDto: true,
    },
    { method: 'POST', path: () => '/ops/model/retrain', auth: adminAuth },
    { method: 'GET', path: () => `/v1/leads/${leadId}/outcomes`, auth: tenantAuth, queryDto: true },
    { method: 'POST', path: () => '/ops/tenants', auth: adminAuth },
    { method: 'GET', path: () => `/ops/tenants/${tenant}`, auth: adminAuth },
    { method: 'GET', path: () => `/ops/tenants/${tenant}/usage`, auth: adminAuth },
    // Without erase=true a tenant is never deleted: 400, and nothing is written.
    { method: 'DELETE', path: () => `/ops/tenants/${tenant}`, auth: adminAuth, queryDto: true },
    { method: 'GET', path: () => '/ops/audit', auth: adminAuth, queryDto: true },
    { method: 'GET', path: () => '/health', auth: {} },
    { method: 'GET', path: () => '/readyz', auth: {} },
  ];
  const anyRoute = fc.constantFrom(...ROUTES);
  // GET and HEAD bodies are not read (on both platforms), so body properties use the others.
  const bodyRoute = fc.constantFrom(...ROUTES.filter((r) => r.method !== 'GET'));
  const label = (route: Route) => `${route.method} ${route.path()}`;
  /** The routes that take a JSON body (a DTO), each with a body it accepts. */
  const dtoBodyRoutes = [
    { method: 'POST', path: () => '/v1/leads', auth: tenantAuth, body: (): object => validLead() },
    { method: 'POST', path: () => `/v1/leads/${leadId}/outcome`, auth: tenantAuth, body: (): object => validOutcome },
    {
      method: 'POST',
      path: () => '/ops/tenants',
      auth: adminAuth,
      body: (): object => ({ tenant: uniqueTenant('NEW') }),
    },
    {
      method: 'PATCH',
      path: () => `/ops/tenants/${tenant}`,
      auth: adminAuth,
      body: (): object => ({ status: 'active' }),
    },
    { method: 'POST', path: () => `/ops/tenants/${tenant}/keys`, auth: adminAuth, body: (): object => ({}) },
    { method: 'POST', path: () => '/ops/model/retrain', auth: adminAuth, body: (): object => ({ minSamples: 10 }) },
  ];
  /** Every path of ROUTES (and the other tenant routes) with the methods the API serves on it. */
  const methodTable = (): Array<{ path: string; allow: string[]; auth: Record<string, string> }> => [
    { path: '/v1/leads', allow: ['GET', 'POST'], auth: tenantAuth },
    { path: `/v1/leads/${leadId}`, allow: ['GET'], auth: tenantAuth },
    { path: `/v1/leads/${leadId}/outcome`, allow: ['POST'], auth: tenantAuth },
    { path: '/v1/leads/search', allow: ['GET'], auth: tenantAuth },
    { path: '/v1/analytics/outcomes', allow: ['GET'], auth: tenantAuth },
    { path: '/ops/model-status', allow: ['GET'], auth: tenantAuth },
    { path: '/ops/reload-auth', allow: ['POST'], auth: adminAuth },
    { path: '/ops/tenants', allow: ['GET', 'POST'], auth: adminAuth },
    { path: `/ops/tenants/${tenant}`, allow: ['GET', 'PATCH', 'DELETE'], auth: adminAuth },
    { path: `/ops/tenants/${tenant}/usage`, allow: ['GET', 'DELETE'], auth: adminAuth },
    { path: `/ops/tenants/${tenant}/keys`, allow: ['POST'], auth: adminAuth },
    { path: `/ops/tenants/${tenant}/keys/${mintedKeyId}`, allow: ['DELETE'], auth: adminAuth },
    { path: '/ops/model/retrain', allow: ['POST'], auth: adminAuth },
    { path: '/health', allow: ['GET'], auth: {} },
    { path: '/readyz', allow: ['GET'], auth: {} },
  ];

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      listen: true,
      env: {
        REQUIRE_API_KEY: 'true',
        API_ADMIN_KEY: ADMIN_KEY,
        [`API_KEY_${tenant}`]: key,
        BODY_LIMIT: String(BODY_LIMIT),
      },
    });
    for (const lead of [validLead(), validLead({ name: 'Second Roofer', details: 'roof estimate' })]) {
      const res = await sendJson('POST', '/v1/leads', tenantAuth, lead);
      expect(res.status).toBe(201);
      leadId = (res.body as { id: string }).id;
    }
    expect((await sendJson('POST', `/v1/leads/${leadId}/outcome`, tenantAuth, { outcome: 'booked' })).status).toBe(200);
    const minted = await sendJson('POST', `/ops/tenants/${tenant}/keys`, adminAuth, {});
    expect(minted.status).toBe(201);
    mintedKeyId = (minted.body as { id: string }).id;
    baseline = await tableState();
    prototypeKeys = [Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p));
  });

  /**
   * Checks a property with the suite's seed. The table state is taken before every run, so a
   * run is judged only by what it wrote itself (shrinking included).
   */
  const run = <T>(arb: fc.Arbitrary<T>, check: (value: T) => Promise<void>, numRuns = RUNS) =>
    fc.assert(
      fc.asyncProperty(arb, async (value) => {
        baseline = await tableState();
        await check(value);
      }),
      { seed: SEED, numRuns },
    );

  afterAll(async () => {
    agent.destroy();
    await t?.close();
    await db?.drop();
  });

  it('malformed JSON -> 400 on every route', async () => {
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/vnd.api+json',
      'APPLICATION/JSON',
    );
    await run(fc.tuple(bodyRoute, malformedJson, contentType), async ([route, text, type]) => {
      const res = await call(route.method, route.path(), { ...route.auth, 'content-type': type }, text);
      const body = await expectRejected(res, `${label(route)} ${JSON.stringify(text)}`, 400);
      expect(body.message).toBe('Malformed JSON in request body');
    });
  });

  it('wrong types, out-of-range values and unknown fields -> 400 naming the field', async () => {
    const cases = fc.oneof(
      leadMutation.map((m) => ({ ...m, method: 'POST', path: () => '/v1/leads', auth: tenantAuth })),
      outcomeMutation.map((m) => ({
        ...m,
        method: 'POST',
        path: () => `/v1/leads/${leadId}/outcome`,
        auth: tenantAuth,
      })),
      mintMutation.map((m) => ({ ...m, method: 'POST', path: () => `/ops/tenants/${tenant}/keys`, auth: adminAuth })),
      retrainMutation.map((m) => ({ ...m, method: 'POST', path: () => '/ops/model/retrain', auth: adminAuth })),
    );
    await run(
      cases,
      async ({ method, path, auth, body, field }) => {
        const res = await sendJson(method, path(), auth, body);
        const envelope = await expectRejected(res, `${method} ${path()} ${JSON.stringify(body)}`, 400);
        if (field !== null) {
          const fields = ((envelope.details ?? []) as Array<{ field: string }>).map((d) => d.field);
          expect(fields).toContain(field);
        }
      },
      RUNS * 4,
    );
  });

  it('unicode, control characters and huge strings in text fields -> stored verbatim or a 4xx, never a 5xx', async () => {
    /** What each text column holds, in code points (varchar(n) on Postgres). */
    const CAPS: Record<string, number> = { name: 200, email: 254, company: 200, details: 4000, source: 64, notes: 500 };
    // Right at a cap, plus variation selectors that some length counts skip.
    const atCap = fc
      .tuple(fc.constantFrom('name', 'company', 'source', 'notes'), fc.integer({ min: 0, max: 12 }))
      .map(([field, extra]) => ({ field, value: 'a'.repeat(CAPS[field] - 1) + '\ufe0f'.repeat(extra + 1) }));
    const cases = fc.oneof(fc.record({ field: fc.constantFrom(...LEAD_FIELDS, 'notes'), value: anyText }), atCap);
    await run(
      cases,
      async ({ field, value }) => {
        const lead = field !== 'notes';
        const body = lead ? validLead({ [field]: value }) : { outcome: 'nurture', notes: value };
        const res = await sendJson('POST', lead ? '/v1/leads' : `/v1/leads/${leadId}/outcome`, tenantAuth, body);
        const context = `${field} = ${JSON.stringify(value.slice(0, 200))} (${value.length} chars)`;
        if (Buffer.byteLength(JSON.stringify(body)) > BODY_LIMIT) expect(res.status).toBe(413);
        else if (!isStorable(value) || [...value].length > (CAPS[field] ?? Infinity)) expect(res.status).toBe(400);
        if (res.status >= 400) {
          await expectRejected(res, context);
          return;
        }
        expect(res.status).toBe(lead ? 201 : 200);
        const state = await tableState();
        const table = lead ? 'leads' : 'lead_outcomes';
        expect(Number.parseInt(state[table], 10)).toBe(Number.parseInt(baseline[table], 10) + 1);
        // JSON carries every UTF-16 string (lone surrogates as escapes): what was accepted is kept as sent.
        const stored = await call('GET', `/v1/leads/${lead ? (res.body as { id: string }).id : leadId}`, tenantAuth);
        expect(stored.status).toBe(200);
        if (lead) {
          expect((res.body as Record<string, unknown>)[field]).toBe(value);
          expect((stored.body as Record<string, unknown>)[field]).toBe(value);
        } else {
          const history = (stored.body as { outcomes: Array<{ notes: string }> }).outcomes;
          expect(history[history.length - 1].notes).toBe(value);
        }
      },
      RUNS * 3,
    );
  });

  it('__proto__, constructor, prototype and inherited names as keys -> never used, nothing polluted', async () => {
    const protoKey = fc.constantFrom(...STRIPPED_KEYS);
    const payload = fc.constantFrom(
      '{"polluted":"yes"}',
      '{"prototype":{"polluted":"yes"}}',
      '{"__proto__":{"polluted":"yes"}}',
      '"yes"',
      '[1]',
      'null',
      '{}',
    );
    // `served` is the status of the same request without the key.
    const protoRoute = fc.constantFrom(
      { path: () => '/v1/leads', auth: tenantAuth, base: validLead() as Record<string, unknown>, served: 201 },
      { path: () => `/v1/leads/${leadId}/outcome`, auth: tenantAuth, base: validOutcome, served: 200 },
      { path: () => `/ops/tenants/${tenant}/keys`, auth: adminAuth, base: { expiresInDays: 30 }, served: 201 },
      { path: () => '/ops/model/retrain', auth: adminAuth, base: { minSamples: 10 }, served: 422 },
    );
    const inBody = fc
      .record({ route: protoRoute, key: protoKey, payload, nested: fc.boolean() })
      .map(({ route, key, payload: value, nested }) => {
        const rest = JSON.stringify(route.base).slice(1);
        const [first] = Object.keys(route.base);
        // Nested: inside a field's value (and with an unknown field `_`), so the body is invalid anyway.
        const text = nested
          ? JSON.stringify(route.base).replace(`"${first}":`, `"${first}":{"${key}":${value}},"_":`)
          : `{"${key}":${value},${rest}`;
        return { method: 'POST', path: route.path, auth: route.auth, text, served: 400 };
      });
    const queryRoute = fc.constantFrom(...ROUTES.filter((r) => r.queryDto));
    const inQuery = fc
      .record({
        route: queryRoute,
        key: protoKey,
        shape: fc.constantFrom('[polluted]=yes', '=yes', '.polluted=yes', '[prototype][polluted]=yes'),
      })
      .map(({ route, key, shape }) => {
        const path = route.path();
        return {
          method: route.method,
          path: () => `${path}${path.includes('?') ? '&' : '?'}${key}${shape}`,
          auth: route.auth,
          text: undefined,
          served: 400,
        };
      });
    await run(fc.oneof(inBody, inQuery), async ({ method, path, auth, text, served }) => {
      const res = await call(method, path(), { ...jsonType, ...auth }, text);
      const context = `${method} ${path()} ${text ?? ''}`;
      if (res.status === 400) {
        await expectRejected(res, context, 400);
      } else {
        // Keys named like Object.prototype members are refused like any unknown property.
        expect(res.status).toBe(served);
        if (res.status >= 400) expectEnvelope(res, context);
        expect(res.text).not.toContain('polluted');
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect([Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p))).toEqual(
        prototypeKeys,
      );
    });
  });

  it('x-request-id: a well-formed id is echoed, anything else is replaced by a new one', async () => {
    const requestId = fc.oneof(headerValue(200), fc.stringMatching(/^[A-Za-z0-9._-]{1,140}$/));
    await run(fc.tuple(bodyRoute, requestId), async ([route, id]) => {
      const res = await call(route.method, route.path(), { ...route.auth, ...jsonType, 'x-request-id': id }, '{');
      const envelope = await expectRejected(res, `${label(route)} x-request-id ${JSON.stringify(id)}`, 400);
      const seen = trimmedHeader(id);
      if (REQUEST_ID.test(seen)) expect(res.headers['x-request-id']).toBe(seen);
      else expect(res.headers['x-request-id']).toMatch(UUID);
      expect(envelope.requestId).toBe(res.headers['x-request-id']);
    });
  });

  it('an invalid Idempotency-Key -> 400 before anything is written', async () => {
    const invalidKey = fc
      .oneof(
        headerValue(60),
        fc.stringMatching(/^[\x21-\x7e]{256,600}$/),
        fc
          .tuple(headerValue(10), fc.constantFrom(' ', '\t', 'é', '\xa0', '\xff'), headerValue(10))
          .map((p) => p.join('')),
      )
      .filter((value) => !IDEMPOTENCY_KEY.test(trimmedHeader(value)));
    await run(invalidKey, async (value) => {
      const res = await sendJson('POST', '/v1/leads', { ...tenantAuth, 'idempotency-key': value }, validLead());
      const body = await expectRejected(res, `Idempotency-Key ${JSON.stringify(value)}`, 400);
      expect(body.message).toContain('Idempotency-Key');
    });
  });

  it('a wrong x-api-key or x-admin-key -> 401 before anything is written', async () => {
    const wrong = headerValue(200).filter((v) => trimmedHeader(v) !== '' && trimmedHeader(v) !== key);
    const wrongAdmin = headerValue(200).filter((v) => trimmedHeader(v) !== ADMIN_KEY);
    const cases = fc.oneof(
      fc.tuple(fc.constantFrom(...ROUTES.filter((r) => r.auth === tenantAuth)), wrong).map(([route, value]) => ({
        route,
        headers: { 'x-api-key': value },
      })),
      fc.tuple(fc.constantFrom(...ROUTES.filter((r) => r.auth === adminAuth)), wrongAdmin).map(([route, value]) => ({
        route,
        headers: { 'x-admin-key': value, 'x-api-key': key },
      })),
    );
    await run(cases, async ({ route, headers }) => {
      const body = route.path().startsWith('/v1/leads/') ? { outcome: 'booked' } : validLead();
      const res = await sendJson(route.method, route.path(), headers, route.method === 'POST' ? body : undefined);
      await expectRejected(res, `${label(route)} ${JSON.stringify(headers)}`, 401);
    });
  });

  it('CR, LF and NUL in header values are refused by the HTTP parser, never echoed, never written', async () => {
    const body = JSON.stringify(validLead());
    const attempts = [
      'x-request-id: abc\rInjected: yes',
      'x-request-id: abc\r\n Injected: yes',
      'x-request-id: abc\u0000def',
      'Idempotency-Key: key-1\rInjected: yes',
      'Idempotency-Key: key\u0000-2',
      `x-api-key: ${key}\rInjected: yes`,
      `x-api-key: ${key}\u0000`,
      'Injected\r: yes',
    ];
    for (const header of attempts) {
      const raw =
        `POST /v1/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `x-api-key: ${key}\r\n${header}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
      const answer = await rawHttp(t.url, raw);
      const [head, text = ''] = answer.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      if (!(status >= 400 && status < 500)) {
        throw new Error(`${JSON.stringify(header)}: expected a 4xx, got ${JSON.stringify(head)}`);
      }
      // The parser answers before the app sees the request: a bare status line, or the envelope.
      if (text.trim() !== '') {
        expect(JSON.parse(text)).toMatchObject({
          statusCode: status,
          code: status === 431 ? 'HEADERS_TOO_LARGE' : 'MALFORMED_REQUEST',
        });
      }
      expect(head.toLowerCase()).not.toContain('injected');
      expect(head).not.toContain('\u0000');
      await expectNothingWritten();
    }
  });

  it('a body on a GET request is not read: malformed or oversized, the request is served', async () => {
    for (const body of ['{', '['.repeat(3 * BODY_LIMIT)]) {
      const res = await call('GET', '/v1/leads', { ...tenantAuth, ...jsonType }, body);
      expect(res.status).toBe(200);
    }
  });

  it('bodies over BODY_LIMIT -> 413 on every route that reads a body, with or without Content-Length', async () => {
    const oversized = fc.record({
      route: bodyRoute,
      size: fc.integer({ min: BODY_LIMIT + 1, max: 3 * BODY_LIMIT }),
      json: fc.boolean(),
      chunked: fc.boolean(),
    });
    await run(
      oversized,
      async ({ route, size, json, chunked }) => {
        const text = json ? JSON.stringify({ ...validLead(), details: 'd'.repeat(size) }) : '['.repeat(size);
        const res = await httpCall(t.url, {
          method: route.method,
          path: route.path(),
          headers: { ...route.auth, ...jsonType },
          body: text,
          chunked,
          agent: false,
          timeoutMs: 20000,
        });
        const body = await expectRejected(res, `${label(route)} ${text.length} bytes chunked=${chunked}`, 413);
        expect(body.message).toContain(String(BODY_LIMIT));
      },
      Math.ceil(RUNS / 2),
    );
  });

  it('bodies that are not JSON -> 415 on routes that need a body', async () => {
    const cases = fc.record({
      route: fc.constantFrom(...dtoBodyRoutes),
      type: fc.oneof(
        fc.constantFrom(
          undefined,
          'text/plain',
          'text/plain; charset=utf-8',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=xyz',
          'application/xml',
          'application/octet-stream',
          'application/jsonx',
          'text/json',
          'application/json; charset=klingon',
          'application/json; charset=utf-16',
        ),
        fc
          .tuple(fc.stringMatching(/^[a-z]{1,12}$/), fc.stringMatching(/^[a-z0-9.+-]{1,20}$/))
          .filter(([type, sub]) => !(type === 'application' && (sub === 'json' || sub.endsWith('+json'))))
          .map(([type, sub]) => `${type}/${sub}`),
      ),
      body: fc.oneof(
        fc.constant(null),
        fc.string({ unit: nastyUnit, minLength: 1, maxLength: 200 }),
        fc.constant('name=Jane&phone=555'),
      ),
    });
    await run(cases, async ({ route, type, body }) => {
      const headers: Record<string, string> = { ...route.auth, ...(type ? { 'content-type': type } : {}) };
      const text = body ?? JSON.stringify(route.body());
      const res = await call(route.method, route.path(), headers, text);
      const envelope = await expectRejected(res, `${route.method} ${route.path()} as ${type}`, 415);
      // A JSON type in another charset is refused for its charset; everything else for its type.
      expect(envelope.code).toBe(
        type?.includes('charset=') && type.startsWith('application/json')
          ? 'UNSUPPORTED_ENCODING'
          : 'UNSUPPORTED_MEDIA_TYPE',
      );
      if (envelope.code === 'UNSUPPORTED_MEDIA_TYPE')
        expect(envelope.message).toBe('Content-Type must be application/json');
    });
  });

  it('no body at all, whatever the content type, is read as {} on every route that takes one', async () => {
    const cases = fc.record({
      route: fc.constantFrom(...dtoBodyRoutes),
      type: fc.constantFrom(undefined, 'text/plain', 'application/json', 'multipart/form-data; boundary=x'),
      declaredZero: fc.boolean(),
    });
    await run(cases, async ({ route, type, declaredZero }) => {
      const headers: Record<string, string> = { ...route.auth, ...(type ? { 'content-type': type } : {}) };
      const res = await call(route.method, route.path(), headers, declaredZero ? '' : undefined);
      // {} is what these routes see: the same answer as an empty JSON object.
      const same = await sendJson(route.method, route.path(), route.auth, {});
      expect({ status: res.status, code: (res.body as { code?: string }).code }).toEqual({
        status: same.status,
        code: (same.body as { code?: string }).code,
      });
      expect(res.status).not.toBe(415);
      if (res.status >= 400) expectEnvelope(res, `${route.method} ${route.path()} without a body as ${type}`);
    });
  });

  it('JSON nested past JSON_MAX_DEPTH -> 400 JSON_TOO_DEEP before validation, on every route that reads a body', async () => {
    /** Nesting made of arrays and objects in any mix, optionally inside a field of a valid body. */
    const deepText = fc
      .record({
        depth: fc.oneof(fc.integer({ min: JSON_MAX_DEPTH + 1, max: 200 }), fc.integer({ min: 201, max: 1600 })),
        kinds: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        inField: fc.boolean(),
        closed: fc.boolean(),
      })
      .map(({ depth, kinds, inField, closed }) => {
        const levels = inField ? depth - 1 : depth;
        let open = '';
        let close = '';
        for (let i = 0; i < levels; i++) {
          const array = kinds[i % kinds.length];
          open += array ? '[' : '{"k":';
          close = (array ? ']' : '}') + close;
        }
        const nested = `${open}1${closed ? close : ''}`;
        return inField ? `{"name":${nested}}` : nested;
      })
      .filter((text) => text.length <= BODY_LIMIT);
    await run(
      fc.tuple(bodyRoute, deepText),
      async ([route, text]) => {
        const res = await call(route.method, route.path(), { ...route.auth, ...jsonType }, text);
        const body = await expectRejected(res, `${label(route)} ${text.length} bytes nested`, 400);
        expect(body).toMatchObject({
          code: 'JSON_TOO_DEEP',
          message: `Request body is nested deeper than the limit of ${JSON_MAX_DEPTH} levels`,
        });
      },
      RUNS * 2,
    );
    // The case that once overflowed the stack: 1,600 levels in a 3 KB body.
    const res = await call(
      'POST',
      '/v1/leads',
      { ...tenantAuth, ...jsonType },
      `{"name":${'['.repeat(1600)}${']'.repeat(1600)}}`,
    );
    expect((await expectRejected(res, '1,600 levels', 400)).code).toBe('JSON_TOO_DEEP');
  });

  it('nesting within JSON_MAX_DEPTH is validated as usual: never JSON_TOO_DEEP, never a 5xx', async () => {
    const shallow = fc
      .tuple(fc.jsonValue({ depthSize: 'large', maxDepth: JSON_MAX_DEPTH - 2 }), fc.constantFrom(...dtoBodyRoutes))
      .filter(([value]) => JSON.stringify(value).length < BODY_LIMIT - 500);
    await run(shallow, async ([value, route]) => {
      const res = await sendJson(route.method, route.path(), route.auth, { ...route.body(), zz_nested: value });
      const body = await expectRejected(res, `${route.path()} zz_nested=${JSON.stringify(value).slice(0, 200)}`, 400);
      expect(body.code).toBe('VALIDATION_FAILED');
      // Named as an unknown field, or for a reserved key inside it.
      const fields = (body.details as Array<{ field: string }>).map((d) => d.field);
      expect(fields.some((field) => field === 'zz_nested' || field.startsWith('zz_nested.'))).toBe(true);
    });
  });

  it('thousands of unknown keys -> 400 with the first 20 problems and a count of the rest', async () => {
    const cases = fc.record({
      route: fc.constantFrom(...dtoBodyRoutes),
      count: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 900 })),
      prefix: fc.stringMatching(/^[a-z]{1,3}$/),
    });
    await run(cases, async ({ route, count, prefix }) => {
      const unknown = Array.from({ length: count }, (_, i) => [`zz${prefix}${i}`, i % 2 === 0 ? 1 : 'x']);
      const text = JSON.stringify({ ...route.body(), ...Object.fromEntries(unknown) });
      if (text.length > BODY_LIMIT) return;
      const res = await call(route.method, route.path(), { ...route.auth, ...jsonType }, text);
      const body = await expectRejected(res, `${route.path()} with ${count} unknown keys`, 400);
      expect(body.code).toBe('VALIDATION_FAILED');
      const details = body.details as Array<{ field: string; messages: string[] }>;
      const shown = Math.min(count, MAX_DETAILS);
      expect(details.slice(0, shown)).toEqual(
        unknown.slice(0, shown).map(([key]) => ({ field: key, messages: [`property ${key} should not exist`] })),
      );
      if (count <= MAX_DETAILS) {
        expect(details).toHaveLength(count);
      } else {
        const rest = count - MAX_DETAILS;
        expect(details).toEqual([
          ...details.slice(0, MAX_DETAILS),
          { field: '*', messages: [`and ${rest} more problem${rest === 1 ? '' : 's'}`] },
        ]);
      }
      // The answer stays small whatever the number of keys.
      expect(res.text.length).toBeLessThan(4000);
    });
  });

  it('empty header values: an empty key is a wrong key, an empty Idempotency-Key an invalid one', async () => {
    const cases = fc.oneof(
      fc.record({
        route: fc.constantFrom(...ROUTES.filter((r) => r.auth === tenantAuth)),
        headers: fc.constantFrom({ 'x-api-key': '' }, { 'x-api-key': ' ' }, { 'x-api-key': '\t' }),
        expected: fc.constant({ status: 401, code: 'INVALID_API_KEY' }),
      }),
      fc.record({
        route: fc.constantFrom(...ROUTES.filter((r) => r.auth === adminAuth)),
        headers: fc.constantFrom({ 'x-admin-key': '' }, { 'x-admin-key': '  ' }),
        expected: fc.constant({ status: 401, code: 'INVALID_ADMIN_KEY' }),
      }),
      fc.record({
        route: fc.constant(ROUTES[0]),
        headers: fc.constantFrom({ ...tenantAuth, 'idempotency-key': '' }, { ...tenantAuth, 'idempotency-key': ' ' }),
        expected: fc.constant({ status: 400, code: 'IDEMPOTENCY_KEY_INVALID' }),
      }),
    );
    await run(cases, async ({ route, headers, expected }) => {
      const body =
        route.method === 'POST' ? (route.path().includes('/outcome') ? validOutcome : validLead()) : undefined;
      const res = await sendJson(route.method, route.path(), headers, body);
      const envelope = await expectRejected(res, `${label(route)} ${JSON.stringify(headers)}`, expected.status);
      expect(envelope.code).toBe(expected.code);
    });
    // Empty values of headers the API reads but does not require are served or refused in the envelope, never a 5xx.
    const optional = fc.record({
      route: anyRoute,
      name: fc.constantFrom('x-request-id', 'content-type', 'origin', 'x-forwarded-for', 'accept', 'content-encoding'),
    });
    await run(optional, async ({ route, name }) => {
      const res = await call(
        route.method,
        route.path(),
        { ...route.auth, [name]: '' },
        route.method === 'POST' ? '{}' : undefined,
      );
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) await expectRejected(res, `${label(route)} ${name}: ''`);
      if (name === 'x-request-id') expect(res.headers['x-request-id']).toMatch(UUID);
    });
  });

  it('a method a path does not accept -> 405 with Allow; a path no route has -> 404 that does not echo it', async () => {
    const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
    const wrongMethod = fc
      .tuple(fc.nat(), fc.constantFrom(...METHODS), fc.boolean())
      .map(([index, method, withBody]) => {
        const table = methodTable();
        return { ...table[index % table.length], method, withBody };
      })
      .filter(({ allow, method }) => !allow.includes(method));
    await run(
      wrongMethod,
      async ({ path, allow, auth, method, withBody }) => {
        const res = await call(
          method,
          path,
          { ...auth, ...jsonType },
          withBody ? JSON.stringify(validLead()) : undefined,
        );
        const body = await expectRejected(res, `${method} ${path}`, 405);
        expect(body.code).toBe('METHOD_NOT_ALLOWED');
        expect(res.headers.allow).toBe(allow.join(', '));
      },
      RUNS * 2,
    );
    const unknownPath = fc
      .record({
        first: fc.stringMatching(/^[a-z0-9]{6,12}$/),
        rest: fc.array(fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/), { maxLength: 3 }),
        method: fc.constantFrom(...METHODS),
        query: fc.option(fc.stringMatching(/^[a-z]{1,5}=[a-z0-9]{1,8}$/), { nil: undefined }),
      })
      .map(({ first, rest, method, query }) => ({
        marker: `zz${first}`,
        path: `/${['zz' + first, 'nothing', ...rest].join('/')}${query ? `?${query}` : ''}`,
        method,
      }));
    await run(unknownPath, async ({ marker, path, method }) => {
      const res = await call(method, path, tenantAuth);
      const body = await expectRejected(res, `${method} ${path}`, 404);
      expect(body).toMatchObject({ code: 'ROUTE_NOT_FOUND', message: 'Route not found' });
      expect(res.headers.allow).toBeUndefined();
      expect(res.text).not.toContain(marker);
    });
  });

  it('absurd limit, cursor, q and filter values -> 400, or 200 exactly when the value is valid', async () => {
    const limitValue = fc.oneof(
      nastyText(12),
      fc.integer().map(String),
      fc.bigInt().map(String),
      fc.double().map(String),
      fc.constantFrom('1e309', '-1e309', 'NaN', 'Infinity', '0x10', '0b11', ' 7 ', '1e1', '007', '+5', '-0', '', '1.0'),
      fc.constant('9'.repeat(400)),
    );
    const limitCase = fc
      .record({
        path: fc.constantFrom('/v1/leads?', '/v1/leads/search?q=roof&'),
        values: fc.array(limitValue, { minLength: 1, maxLength: 2 }),
      })
      .map(({ path, values }) => {
        const n = Number(onTheWire(values[0]));
        const valid = values.length === 1 && Number.isInteger(n) && n >= 1 && n <= 100;
        return { path: path + values.map((v) => `limit=${pct(v)}`).join('&'), valid: valid as boolean | null };
      });
    const craftedCursor = fc
      .oneof(
        fc
          .tuple(fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }), fc.uuid())
          .map(([date, id]) => [date.toISOString(), id] as unknown),
        fc.tuple(fc.string({ maxLength: 30 }), fc.stringMatching(/^[0-9a-f-]{36}$/)).map((pair) => pair as unknown),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map((value) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url'));
    const cursorCase = fc
      .oneof(nastyText(250), craftedCursor, fc.constant('x'.repeat(201)))
      .map((cursor) => ({ path: `/v1/leads?cursor=${pct(cursor)}`, valid: null as boolean | null }));
    const qCase = fc
      .oneof(
        // Under Node's 16 KB limit for a request head (beyond it Node answers 431 itself).
        anyText.filter((q) => pct(q).length < 12000),
        fc.constant(''),
      )
      .map((q) => ({
        path: `/v1/leads/search?q=${pct(q)}`,
        valid: onTheWire(q).length > 200 || q.length === 0 || !isStorable(onTheWire(q)) ? false : null,
      }));
    const filterCase = fc
      .record({ name: fc.constantFrom('intent', 'urgency', 'outcome'), value: nastyText(20) })
      .map(({ name, value }) => {
        const allowed: Record<string, readonly string[]> = {
          intent: [...INTENTS, 'unknown'],
          urgency: ['high', 'normal', 'medium'],
          outcome: OUTCOMES,
        };
        return { path: `/v1/leads?${name}=${pct(value)}`, valid: allowed[name].includes(onTheWire(value)) };
      });
    await run(
      fc.oneof(limitCase, cursorCase, qCase, filterCase),
      async ({ path, valid }) => {
        const res = await call('GET', path, tenantAuth);
        if (res.status === 200 && valid !== false) {
          expect(res.body).toEqual(expect.any(Object));
        } else {
          if (valid === true) throw new Error(`GET ${path}: expected 200, got ${res.status} ${res.text.slice(0, 300)}`);
          await expectRejected(res, `GET ${path}`, 400);
        }
        await expectNothingWritten();
      },
      RUNS * 4,
    );
  });

  it('absurd path parameters -> 400 or 404, never a write', async () => {
    const segment = fc.oneof(
      fc.string({ unit: nastyUnit, minLength: 1, maxLength: 80 }).map(pct),
      fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%2F', '..', '.', '%2e%2e', '%ff', '~', '%C0%AF', '%25', '%u0041'),
      fc.integer({ min: 65, max: 4000 }).map((n) => 'a'.repeat(n)),
      fc.uuid(),
      fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/),
    );
    const cases = fc.oneof(
      segment.map((s) => ({ method: 'GET', path: `/v1/leads/${s}`, auth: tenantAuth, body: undefined as unknown })),
      segment.map((s) => ({ method: 'POST', path: `/v1/leads/${s}/outcome`, auth: tenantAuth, body: validOutcome })),
      segment.map((s) => ({ method: 'POST', path: `/ops/tenants/${s}/keys`, auth: adminAuth, body: {} })),
      fc.tuple(segment, segment).map(([a, b]) => ({
        method: 'DELETE',
        path: `/ops/tenants/${a}/keys/${b}`,
        auth: adminAuth,
        body: undefined,
      })),
      segment.map((s) => ({
        method: 'DELETE',
        path: `/ops/tenants/${tenant}/keys/${s}`,
        auth: adminAuth,
        body: undefined,
      })),
    );
    await run(
      cases,
      async ({ method, path, auth, body }) => {
        const res = body === undefined ? await call(method, path, auth) : await sendJson(method, path, auth, body);
        await expectRejected(res, `${method} ${path}`);
        expect([400, 404]).toContain(res.status);
      },
      RUNS * 3,
    );
  });

  it('junk query strings and headers on every route, /health and /readyz included -> never a 5xx, never a write', async () => {
    const junkQuery = fc
      .array(fc.tuple(nastyText(10), nastyText(20)), { minLength: 1, maxLength: 4 })
      .map((pairs) => ['zz_unknown=1', ...pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`)].join('&'));
    const junkHeaders = fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerValue(100), { maxKeys: 4 });
    await run(fc.tuple(anyRoute, junkQuery, junkHeaders), async ([route, query, headers]) => {
      const path = route.path();
      const body = route.method === 'POST' ? { zz_unknown: true } : undefined;
      const res = await sendJson(
        route.method,
        `${path}${path.includes('?') ? '&' : '?'}${query}`,
        { ...headers, ...route.auth },
        body,
      );
      if (res.status >= 400) expectEnvelope(res, `${label(route)}?${query}`);
      else expect(route.queryDto).toBeFalsy();
      expect(res.status).toBeLessThan(500);
      await expectNothingWritten();
    });
  });
});
