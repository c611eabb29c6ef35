import { DataSource } from 'typeorm';
import { ADMIN_KEY, uniqueTenant } from './support/keys';
import { asTenant, tenantCallers, validLead } from './support/leads';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/** Characters no stored text field accepts: controls, and invisible or bidi-reordering ones. */
const ALWAYS_REFUSED: Array<[string, string]> = [
  ['NUL', '\u0000'],
  ['a lone CR', '\r'],
  ['ESC', '\u001b'],
  ['BEL', '\u0007'],
  ['DEL', '\u007f'],
  ['C1 NEL', '\u0085'],
  ['C1 CSI', '\u009b'],
  ['RIGHT-TO-LEFT OVERRIDE', '\u202e'],
  ['LEFT-TO-RIGHT EMBEDDING', '\u202a'],
  ['LEFT-TO-RIGHT ISOLATE', '\u2066'],
  ['POP DIRECTIONAL ISOLATE', '\u2069'],
  ['ZERO WIDTH SPACE', '\u200b'],
  ['ZERO WIDTH JOINER', '\u200d'],
  ['WORD JOINER', '\u2060'],
  ['BOM', '\ufeff'],
];
/** Refused in one-line fields, kept in details. */
const LINE_BREAKS: Array<[string, string]> = [
  ['tab', '\t'],
  ['LF', '\n'],
  ['CRLF', '\r\n'],
];

const ONE_LINE_LEAD_FIELDS = ['name', 'company', 'source'] as const;

describe('stored text fields refuse control and invisible characters', () => {
  let db: TestDatabase;
  let t: TestApp;
  const { callers, env } = tenantCallers(1, 'TEXT');
  const [alice] = callers;
  const as = () => asTenant(t, alice);
  const tableCount = async (table: string) =>
    Number((await t.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  const expect400Naming = (res: { status: number; body: Record<string, unknown> }, field: string) => {
    expect([res.status, res.body.statusCode, res.body.message]).toEqual([400, 400, 'Request validation failed']);
    const details = res.body.details as Array<{ field: string; messages: string[] }>;
    expect(details.map((d) => d.field)).toEqual([field]);
  };
  let leadId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { env: { ...env, REQUIRE_API_KEY: 'true', API_ADMIN_KEY: ADMIN_KEY } });
    leadId = (await as().post('/v1/leads').send(validLead())).body.id;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  describe.each([...ALWAYS_REFUSED])('%s', (_, char) => {
    it.each(['details', ...ONE_LINE_LEAD_FIELDS])('POST /v1/leads: 400 naming %s, storing nothing', async (field) => {
      const before = await tableCount('leads');
      const value = field === 'source' ? `web${char}site` : `Need a roof${char} estimate`;
      expect400Naming(
        await as()
          .post('/v1/leads')
          .send(validLead({ [field]: value })),
        field,
      );
      expect(await tableCount('leads')).toBe(before);
    });

    it('POST /v1/leads/:id/outcome: 400 naming notes, storing nothing', async () => {
      const before = await tableCount('lead_outcomes');
      const res = await as()
        .post(`/v1/leads/${leadId}/outcome`)
        .send({ outcome: 'nurture', notes: `call${char}back` });
      expect400Naming(res, 'notes');
      expect(await tableCount('lead_outcomes')).toBe(before);
    });
  });

  describe.each(LINE_BREAKS)('%s', (_, char) => {
    it('is kept verbatim in details', async () => {
      const details = `Line one${char}line two${char}`;
      const res = await as().post('/v1/leads').send(validLead({ details }));
      expect(res.status).toBe(201);
      expect(res.body.details).toBe(details);
      expect((await as().get(`/v1/leads/${res.body.id}`)).body.details).toBe(details);
    });

    it.each(ONE_LINE_LEAD_FIELDS)('is refused in %s (one line)', async (field) => {
      expect400Naming(
        await as()
          .post('/v1/leads')
          .send(validLead({ [field]: `Roof${char}Co` })),
        field,
      );
    });

    it('is refused in notes and in the search query', async () => {
      const notes = await as()
        .post(`/v1/leads/${leadId}/outcome`)
        .send({ outcome: 'nurture', notes: `a${char}b` });
      expect400Naming(notes, 'notes');
      expect400Naming(await as().get(`/v1/leads/search?q=${encodeURIComponent(`roof${char}x`)}`), 'q');
    });
  });

  it('accepts ordinary Unicode in every text field', async () => {
    const text = { name: 'Émilie Ørsted 東京', company: 'مرحبا Roofing \u{1f3e0}', source: 'web-Ü' };
    const res = await as()
      .post('/v1/leads')
      .send(validLead({ ...text, details: 'Bonjour\n\tçà et là\r\nok' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject(text);
    const notes = await as().post(`/v1/leads/${leadId}/outcome`).send({ outcome: 'nurture', notes: 'Rückruf ✓' });
    expect(notes.status).toBe(200);
  });

  describe('phone', () => {
    it.each([
      ['no digits at all', '+() -. ()-.'],
      ['six digits in seven characters', '123 456'],
      ['six digits among punctuation', '(12) 34-56 ...'],
    ])('400 for %s, naming phone', async (_, phone) => {
      const before = await tableCount('leads');
      const res = await as().post('/v1/leads').send(validLead({ phone }));
      expect400Naming(res, 'phone');
      expect((res.body.details as Array<{ messages: string[] }>)[0].messages).toContain(
        'phone must contain at least 7 digits',
      );
      expect(await tableCount('leads')).toBe(before);
    });

    it('accepts seven digits with punctuation', async () => {
      const res = await as()
        .post('/v1/leads')
        .send(validLead({ phone: '(12) 34-567' }));
      expect(res.status).toBe(201);
    });
  });

  describe('tenant displayName (admin)', () => {
    const admin = { 'x-admin-key': ADMIN_KEY };

    it.each([...ALWAYS_REFUSED, ...LINE_BREAKS])('400 naming displayName for %s, creating nothing', async (_, char) => {
      const tenant = uniqueTenant('TXT');
      const res = await t
        .http()
        .post('/ops/tenants')
        .set(admin)
        .send({ tenant, displayName: `Acme${char}Roofing` });
      expect400Naming(res, 'displayName');
      expect((await t.http().get(`/ops/tenants/${tenant}`).set(admin)).status).toBe(404);
    });

    it('400 naming displayName on an update too', async () => {
      const tenant = uniqueTenant('TXT');
      expect((await t.http().post('/ops/tenants').set(admin).send({ tenant, displayName: 'Acme' })).status).toBe(201);
      const res = await t.http().patch(`/ops/tenants/${tenant}`).set(admin).send({ displayName: 'Acme\u202eRoofing' });
      expect400Naming(res, 'displayName');
      expect((await t.http().get(`/ops/tenants/${tenant}`).set(admin)).body.displayName).toBe('Acme');
    });
  });
});
