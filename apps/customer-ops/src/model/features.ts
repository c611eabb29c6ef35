/**
 * What the conversion model sees of a lead: only what is known at capture time. The list is
 * stored with every trained version; a version whose list differs cannot be used.
 */
export const FEATURE_NAMES = [
  'intent_lead_capture',
  'intent_support',
  'intent_info',
  'urgency_high',
  'urgency_normal',
  'sentiment_positive',
  'sentiment_neutral',
  'sentiment_negative',
  'enrichment_score',
  'details_length_log',
  'has_phone',
  'has_email',
  'has_company',
  'hour_sin',
  'hour_cos',
  'weekday_sin',
  'weekday_cos',
] as const;

export interface LeadFeatureSource {
  intent: string;
  urgency: string;
  sentiment: string;
  score: number;
  details: string | null;
  phone: string | null;
  email: string | null;
  company: string | null;
  createdAt: Date;
}

const flag = (condition: boolean): number => (condition ? 1 : 0);

/** The feature vector, in FEATURE_NAMES order. Hour and weekday (UTC) are encoded on a circle. */
export function featuresOf(lead: LeadFeatureSource): number[] {
  const hour = lead.createdAt.getUTCHours() + lead.createdAt.getUTCMinutes() / 60;
  const weekday = lead.createdAt.getUTCDay();
  return [
    flag(lead.intent === 'lead_capture'),
    flag(lead.intent === 'support'),
    flag(lead.intent === 'info'),
    flag(lead.urgency === 'high'),
    flag(lead.urgency === 'normal'),
    flag(lead.sentiment === 'positive'),
    flag(lead.sentiment === 'neutral'),
    flag(lead.sentiment === 'negative'),
    lead.score,
    Math.log1p(lead.details?.length ?? 0),
    flag(!!lead.phone),
    flag(!!lead.email),
    flag(!!lead.company),
    Math.sin((2 * Math.PI * hour) / 24),
    Math.cos((2 * Math.PI * hour) / 24),
    Math.sin((2 * Math.PI * weekday) / 7),
    Math.cos((2 * Math.PI * weekday) / 7),
  ];
}

/** One labelled example: what was known of a lead at capture, and whether it converted. */
export interface TrainingRow extends LeadFeatureSource {
  converted: boolean;
}
