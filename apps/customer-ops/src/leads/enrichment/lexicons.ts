/**
 * The enrichment rules as data. Words are matched whole and lower-cased; a simple plural of
 * a word (problem -> problems, fix -> fixes, inquiry -> inquiries) matches too. To extend a
 * rule, add words here; enricher.ts needs no change.
 */
export const INTENTS = ['lead_capture', 'support', 'info'] as const;
export type Intent = (typeof INTENTS)[number];

/** Order matters: on a tie in distinct keyword hits the earlier intent wins. */
export const INTENT_LEXICON: Record<Intent, readonly string[]> = {
  lead_capture: [
    'quote',
    'estimate',
    'bid',
    'price',
    'pricing',
    'cost',
    'schedule',
    'book',
    'booking',
    'appointment',
    'consultation',
    'install',
    'installation',
    'hire',
    'proposal',
    'buy',
    'purchase',
    'order',
  ],
  support: [
    'warranty',
    'repair',
    'leak',
    'leaking',
    'problem',
    'issue',
    'broken',
    'broke',
    'fix',
    'damage',
    'damaged',
    'defect',
    'defective',
    'malfunction',
    'complaint',
    'refund',
    'faulty',
  ],
  info: [
    'question',
    'info',
    'information',
    'details',
    'inquiry',
    'wondering',
    'curious',
    'hours',
    'brochure',
    'catalog',
  ],
};

/** Any of these makes a lead urgent. */
export const HIGH_URGENCY_WORDS: readonly string[] = [
  'urgent',
  'urgently',
  'asap',
  'today',
  'tonight',
  'now',
  'emergency',
  'immediately',
  'immediate',
  'leak',
  'leaking',
  'flood',
  'flooding',
  'burst',
];

export const POSITIVE_WORDS: readonly string[] = [
  'thanks',
  'thank',
  'great',
  'awesome',
  'excellent',
  'love',
  'happy',
  'amazing',
  'wonderful',
  'pleased',
  'fantastic',
  'appreciate',
  'recommend',
  'perfect',
];

export const NEGATIVE_WORDS: readonly string[] = [
  'frustrated',
  'frustrating',
  'angry',
  'terrible',
  'awful',
  'bad',
  'late',
  'disappointed',
  'unhappy',
  'upset',
  'horrible',
  'poor',
  'worst',
  'annoyed',
  'rude',
  'unacceptable',
];
