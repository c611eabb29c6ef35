export type RouteFamily = 'ops' | 'default';
export const ROUTE_FAMILIES: readonly RouteFamily[] = ['ops', 'default'];
export const QUOTA_NAMES = ['requestsPerDay', 'requestsPerMonth', 'leadsPerMonth'] as const;
export type QuotaName = (typeof QUOTA_NAMES)[number];

export interface WindowLimit {
  /** Unique within the family; the item name in the RateLimit-Policy header. */
  name: string;
  limit: number;
  windowSeconds: number;
}
export interface QuotaLimit {
  name: QuotaName;
  limit: number;
}
export interface FamilyLimits {
  windows: WindowLimit[];
  quotas: QuotaLimit[];
}
export type PlanLimits = Record<RouteFamily, FamilyLimits>;

export const MAX_WINDOW_SECONDS = 31 * 86_400;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION_PATTERN = /^([1-9]\d{0,7})([smhd])$/;

/** "10s", "15m", "1h", "7d" → seconds (1 s to 31 days); anything else null. */
export function parseWindowDuration(text: string): number | null {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return null;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]];
  return seconds <= MAX_WINDOW_SECONDS ? seconds : null;
}

/** The shortest exact spelling: 90 → "90s", 900 → "15m", 604800 → "7d". */
export function formatWindowDuration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

const WELL_KNOWN: Record<number, string> = { 60: 'minute', 3600: 'hour', 86_400: 'day' };

/**
 * The name of one window among the (distinct) window lengths of its family: the shortest
 * sub-minute window is "burst", 1m/1h/1d are "minute"/"hour"/"day", every other one its
 * compact duration. Distinct lengths give distinct names, all plain sf-string content.
 */
export function windowName(windowSeconds: number, all: readonly number[]): string {
  if (windowSeconds < 60) return windowSeconds === Math.min(...all) ? 'burst' : formatWindowDuration(windowSeconds);
  return WELL_KNOWN[windowSeconds] ?? formatWindowDuration(windowSeconds);
}

/** Names a family's windows, shortest first. */
export function namedWindows(windows: ReadonlyArray<{ limit: number; windowSeconds: number }>): WindowLimit[] {
  const lengths = windows.map((window) => window.windowSeconds);
  return [...windows]
    .sort((a, b) => a.windowSeconds - b.windowSeconds)
    .map(({ limit, windowSeconds }) => ({ name: windowName(windowSeconds, lengths), limit, windowSeconds }));
}

/** Quota periods are UTC calendar days and months. */
export interface QuotaPeriod {
  id: string;
  startsAtMs: number;
  resetsAtMs: number;
}

/** The last period computed per quota: every request of a day or month shares it. */
const CURRENT_PERIOD = new Map<QuotaName, QuotaPeriod>();

/** The UTC day (requestsPerDay) or month (the monthly quotas) that `nowMs` falls in. */
export function quotaPeriod(name: QuotaName, nowMs: number): QuotaPeriod {
  const cached = CURRENT_PERIOD.get(name);
  if (cached && nowMs >= cached.startsAtMs && nowMs < cached.resetsAtMs) return cached;
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const iso = now.toISOString();
  const period =
    name === 'requestsPerDay'
      ? {
          id: iso.slice(0, 10),
          startsAtMs: Date.UTC(year, month, now.getUTCDate()),
          resetsAtMs: Date.UTC(year, month, now.getUTCDate() + 1),
        }
      : { id: iso.slice(0, 7), startsAtMs: Date.UTC(year, month, 1), resetsAtMs: Date.UTC(year, month + 1, 1) };
  CURRENT_PERIOD.set(name, period);
  return period;
}

export function quotaAppliesTo(name: QuotaName, request: { isLeadCapture: boolean }): boolean {
  return name !== 'leadsPerMonth' || request.isLeadCapture;
}

const EXHAUSTED: Record<QuotaName, string> = {
  requestsPerDay: 'Daily request quota exhausted',
  requestsPerMonth: 'Monthly request quota exhausted',
  leadsPerMonth: 'Monthly lead quota exhausted',
};

export function quotaExhaustedMessage(name: QuotaName): string {
  return EXHAUSTED[name];
}
