/** A rate limit as configured: `N/second|minute|hour|day`. */
export interface RateLimit {
  limit: number;
  ttlMs: number;
  /** The configured text, e.g. "5/minute". */
  text: string;
}

const UNIT_MS: Record<string, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};
export const RATE_LIMIT_PATTERN = /^\s*([1-9]\d{0,8})\s*\/\s*(second|minute|hour|day)s?\s*$/i;

export function parseRateLimit(text: string): RateLimit {
  const match = RATE_LIMIT_PATTERN.exec(text);
  if (!match || Number(match[1]) < 1) throw new Error(`not a rate limit: ${text}`);
  return { limit: Number(match[1]), ttlMs: UNIT_MS[match[2].toLowerCase()], text: text.trim() };
}
