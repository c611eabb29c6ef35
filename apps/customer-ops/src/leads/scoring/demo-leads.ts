import { seededRandom } from '../../model/math/random';
import { enrich } from '../enrichment/enricher';
import { CONVERTED_OUTCOME, Outcome } from '../outcomes';

/**
 * Synthetic but realistic leads for `npm run seed:demo` and the scoring tests. Whether a lead books depends on
 * what it says (buying intent, urgency, frustration) and on how reachable it is, so a model
 * trained on recorded outcomes has something real to learn.
 */
export interface DemoLead {
  lead: { name: string; phone?: string; email?: string; company?: string; details: string; source: string };
  outcome: Outcome | null;
  timeToConversionSeconds?: number;
}

const JOBS = [
  'metal roof',
  'gutter replacement',
  'solar panels',
  'attic insulation',
  'skylight',
  'roof inspection',
  'chimney flashing',
];
const THINGS = ['roof', 'gutter', 'skylight', 'solar inverter', 'downspout'];
const FIRST = [
  'Ana',
  'Ben',
  'Cleo',
  'Dev',
  'Eli',
  'Fay',
  'Gus',
  'Hana',
  'Ivo',
  'Jun',
  'Kai',
  'Lea',
  'Mo',
  'Noa',
  'Oli',
];
const LAST = ['Stone', 'Rivera', 'Okafor', 'Nguyen', 'Schmidt', 'Kowalski', 'Haddad', 'Larsen', 'Costa', 'Ito'];
const SOURCES = ['website', 'phone', 'referral', 'ads', 'walk-in'];

const TEMPLATES: Array<(job: string, thing: string) => string> = [
  (job) => `URGENT: need an estimate for ${job} today`,
  (job) => `Please send a quote for ${job} asap, we want to book this week`,
  (job) => `Looking for pricing on ${job}`,
  (job) => `Could we schedule an appointment to discuss ${job}?`,
  (job) => `Thanks for the great work last year, we'd like a quote for ${job}`,
  (_, thing) => `Warranty repair needed on my ${thing}`,
  (_, thing) => `Very frustrated, the ${thing} is broken again and nobody called back`,
  (_, thing) => `Emergency: ${thing} leak during the storm, water coming in now`,
  (job) => `Question about your hours and information on ${job}`,
  () => `Just wondering what areas you cover`,
];

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function generateDemoLeads(count: number, seed: number): DemoLead[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const out: DemoLead[] = [];
  for (let i = 0; i < count; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const details = pick(TEMPLATES)(pick(JOBS), pick(THINGS));
    const hasPhone = random() < 0.7;
    const hasEmail = !hasPhone || random() < 0.6;
    const hasCompany = random() < 0.4;
    const e = enrich(details, `${first} ${last}`);
    const z =
      -1.9 +
      2.8 * Number(e.intent === 'lead_capture') +
      1.4 * Number(e.urgency === 'high') -
      1.6 * Number(e.sentiment === 'negative') +
      0.6 * Number(e.sentiment === 'positive') +
      0.9 * Number(hasPhone) -
      1.4 * Number(e.intent === 'info') +
      (random() - 0.5) * 0.8;
    const unresolved = random() < 0.15;
    const booked = !unresolved && random() < sigmoid(z);
    const outcome: Outcome | null = unresolved
      ? pick(['qualified', 'nurture'] as const)
      : booked
        ? CONVERTED_OUTCOME
        : e.intent === 'info' && random() < 0.3
          ? 'spam'
          : pick(['ghosted', 'ghosted', 'unqualified'] as const);
    out.push({
      lead: {
        name: `${first} ${last}`,
        ...(hasPhone ? { phone: `+1 555 ${String(1000000 + Math.floor(random() * 8999999)).slice(0, 7)}` } : {}),
        ...(hasEmail ? { email: `${first}.${last}${i}@example.com`.toLowerCase() } : {}),
        ...(hasCompany ? { company: `${last} Holdings` } : {}),
        details,
        source: pick(SOURCES),
      },
      outcome: random() < 0.05 ? null : outcome,
      ...(booked ? { timeToConversionSeconds: Math.round(3600 * (2 + random() * 70)) } : {}),
    });
  }
  return out;
}
