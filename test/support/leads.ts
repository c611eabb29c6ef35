import { TestApp } from './test-app';
import { randomKey, uniqueTenant } from './keys';

export interface TenantCaller {
  tenant: string;
  key: string;
}

/** Tenants with keys, as environment variables for startTestApp. */
export function tenantCallers(
  count: number,
  prefix = 'LEADS',
): { callers: TenantCaller[]; env: Record<string, string> } {
  const callers = Array.from({ length: count }, () => ({ tenant: uniqueTenant(prefix), key: randomKey('lead') }));
  return { callers, env: Object.fromEntries(callers.map((c) => [`API_KEY_${c.tenant}`, c.key])) };
}

export const validLead = (overrides: Record<string, unknown> = {}) => ({
  name: 'Jane Roofer',
  phone: '+1 (555) 010-2030',
  email: 'jane@example.com',
  company: 'Roofing Co',
  details: 'Need a quote for a new roof',
  source: 'website',
  ...overrides,
});

export function asTenant(t: TestApp, caller: TenantCaller) {
  return {
    post: (path: string) => t.http().post(path).set('x-api-key', caller.key),
    get: (path: string) => t.http().get(path).set('x-api-key', caller.key),
  };
}

/** Captures one lead and books it, so lead and outcome metrics have series. */
export async function captureAndBook(t: TestApp, tenantKey: string): Promise<void> {
  const lead = await t
    .http()
    .post('/v1/leads')
    .set('x-api-key', tenantKey)
    .send({ name: 'Jane Roofer', email: 'jane@example.com', details: 'URGENT: need a roof estimate today' })
    .expect(201);
  await t
    .http()
    .post(`/v1/leads/${(lead.body as { id: string }).id}/outcome`)
    .set('x-api-key', tenantKey)
    .send({ outcome: 'booked' })
    .expect(200);
}
