import { HIGH_URGENCY_WORDS, Intent, INTENT_LEXICON, INTENTS, NEGATIVE_WORDS, POSITIVE_WORDS } from './lexicons';

/** Every urgency a lead can record: `medium` only when enrichment is off (ENRICHMENT_DISABLED). */
export const URGENCIES = ['high', 'normal', 'medium'] as const;
export type Urgency = 'high' | 'normal';
export const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export interface Enrichment {
  intent: Intent | 'unknown';
  urgency: Urgency | 'medium';
  sentiment: Sentiment;
  score: number;
}

/** The enrichment recorded when ENABLE_ENRICHMENT=false. */
export const ENRICHMENT_DISABLED: Enrichment = {
  intent: 'unknown',
  urgency: 'medium',
  sentiment: 'neutral',
  score: 0.5,
};

/** Rule version reported by /ops/model-status; bump it when the lexicons or scoring change. */
export const ENRICHMENT_RULES_VERSION = '1.0.0';

/** Lower-cased words of a text (letters, digits and inner apostrophes). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu) ?? [];
}

/** The singular forms a token may stand for: itself, and with -s, -es or -ies undone. */
function baseForms(token: string): string[] {
  const forms = [token];
  if (token.length > 3 && token.endsWith('ies')) forms.push(`${token.slice(0, -3)}y`);
  if (token.length > 2 && token.endsWith('es')) forms.push(token.slice(0, -2));
  if (token.length > 1 && token.endsWith('s')) forms.push(token.slice(0, -1));
  return forms;
}

/** A set of words, matched whole, that also recognises simple plurals of its members. */
class Lexicon {
  private readonly words: ReadonlySet<string>;

  constructor(words: readonly string[]) {
    this.words = new Set(words);
  }

  /** Distinct lexicon words present in the tokens. */
  hits(tokens: readonly string[]): Set<string> {
    const found = new Set<string>();
    for (const token of tokens) {
      for (const form of baseForms(token)) if (this.words.has(form)) found.add(form);
    }
    return found;
  }
}

const intentLexicons = INTENTS.map((intent) => [intent, new Lexicon(INTENT_LEXICON[intent])] as const);
const urgent = new Lexicon(HIGH_URGENCY_WORDS);
const positive = new Lexicon(POSITIVE_WORDS);
const negative = new Lexicon(NEGATIVE_WORDS);

function intentOf(tokens: readonly string[]): Intent {
  let best: Intent = 'lead_capture';
  let bestHits = 0;
  for (const [intent, lexicon] of intentLexicons) {
    const hits = lexicon.hits(tokens).size;
    if (hits > bestHits) {
      best = intent;
      bestHits = hits;
    }
  }
  return best;
}

function sentimentOf(tokens: readonly string[]): Sentiment {
  const isPositive = positive.hits(tokens).size > 0;
  const isNegative = negative.hits(tokens).size > 0;
  if (isPositive && !isNegative) return 'positive';
  if (isNegative && !isPositive) return 'negative';
  return 'neutral';
}

/**
 * Deterministic, offline enrichment of a lead's text: `details`, or `name` when there are no
 * details. Intent by most distinct keyword hits (ties in lead_capture, support, info order;
 * no hit: lead_capture), urgency high on any urgency word, sentiment from positive/negative
 * words, and a score in [0, 1] with two decimals.
 */
export function enrich(details: string | null | undefined, name: string): Enrichment {
  const text = details && details.trim() !== '' ? details : name;
  const tokens = tokenize(text);
  const intent = intentOf(tokens);
  const urgency: Urgency = urgent.hits(tokens).size > 0 ? 'high' : 'normal';
  const sentiment = sentimentOf(tokens);
  let score = intent === 'lead_capture' ? 0.7 : 0.5;
  if (urgency === 'high') score += 0.1;
  if (sentiment === 'negative') score -= 0.1;
  return { intent, urgency, sentiment, score: Math.round(Math.min(1, Math.max(0, score)) * 100) / 100 };
}
