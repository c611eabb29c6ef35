/**
 * Durations in environment variables: an integer with a unit, `ms`, `s`, `m` or `h`
 * (`500ms`, `30s`, `10m`, `1h`); a bare integer is milliseconds.
 */
export const DURATION_PATTERN = /^\s*(\d{1,9})\s*(ms|s|m|h)?\s*$/i;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "10m" -> 600000; "30s" -> 30000; "1h" -> 3600000; "250" -> 250. Undefined when malformed. */
export function parseDuration(value: string): number | undefined {
  const match = DURATION_PATTERN.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[(match[2] ?? 'ms').toLowerCase()];
}
