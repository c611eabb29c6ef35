import { QuotaLimit, QuotaName, quotaPeriod, RouteFamily, WindowLimit } from './limits';

export interface LimitRequest {
  /** Who is counted: `tenant:ACME`, `admin`, `ip:10.0.0.1`; becomes the hash tag. */
  subject: string;
  /** The counter family: a route family, or another budget such as failed authentication. */
  family: RouteFamily | 'auth-tenant' | 'auth-admin';
  windows: WindowLimit[];
  /** Only the quotas that apply to this request. */
  quotas: QuotaLimit[];
  /** Epoch ms. */
  now: number;
}

export interface WindowState {
  name: string;
  limit: number;
  windowSeconds: number;
  used: number;
  remaining: number;
  resetSeconds: number;
}

export interface QuotaState {
  name: QuotaName;
  limit: number;
  used: number;
  remaining: number;
  /** Epoch ms. */
  resetsAt: number;
}

export interface LimitDecision {
  allowed: boolean;
  /** When refused: the limit that refused it (a quota wins over a window when both refuse). */
  refusedBy?: { kind: 'window' | 'quota'; name: string };
  /** Whole seconds until every refusing limit has freed up (≥ 1), when refused. */
  retryAfterSeconds?: number;
  /** Same order as the request; `used` includes this request when allowed. */
  windows: WindowState[];
  quotas: QuotaState[];
}

export interface LimiterStorage {
  /** Checks every window and quota; counts in all of them only when all allow. Atomic. */
  consume(request: LimitRequest): Promise<LimitDecision>;
  /** The same decision shape without counting anything (for the usage route). */
  peek(request: LimitRequest): Promise<LimitDecision>;
  /** Deletes the counters of these windows and quotas for the subject (usage reset). */
  reset(request: LimitRequest): Promise<void>;
}

/**
 * `<prefix>:{<subject>}`: the braces are the Redis Cluster hash tag, so every key of one
 * subject lands in one slot. Braces and `%` in the subject are percent-encoded (injective).
 */
export function subjectKey(prefix: string, subject: string): string {
  if (/[{}]/.test(prefix)) throw new Error(`rate-limit key prefix must not contain braces: ${prefix}`);
  if (!subject) throw new Error('rate-limit subject must not be empty');
  const tag = subject.replace(/[%{}]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${prefix}:{${tag}}`;
}

export function windowKey(prefix: string, request: LimitRequest, window: WindowLimit): string {
  return `${subjectKey(prefix, request.subject)}:${request.family}:w:${window.windowSeconds}`;
}

export function quotaKey(prefix: string, request: LimitRequest, quota: QuotaLimit): string {
  const period = quotaPeriod(quota.name, request.now);
  return `${subjectKey(prefix, request.subject)}:${request.family}:q:${quota.name}:${period.id}`;
}

/** A fixed window as both storages hold it; `resetAt` 0 means empty (nothing counted yet). */
export interface WindowCounter {
  count: number;
  resetAt: number;
}

export const EMPTY_WINDOW: WindowCounter = { count: 0, resetAt: 0 };

/** A window whose reset time has passed is empty again. */
export function liveWindow(counter: WindowCounter | undefined, now: number): WindowCounter {
  return counter && counter.resetAt > now ? counter : EMPTY_WINDOW;
}

export function admits(request: LimitRequest, windows: WindowCounter[], quotaUsed: number[]): boolean {
  return (
    request.windows.every((window, i) => windows[i].count + 1 <= window.limit) &&
    request.quotas.every((quota, i) => quotaUsed[i] + 1 <= quota.limit)
  );
}

const secondsUntil = (at: number, now: number): number => Math.max(1, Math.ceil((at - now) / 1000));

/**
 * The decision from live counters: after counting when allowed, as they were when refused.
 * Both storages build it here so they cannot disagree on shape or rounding.
 */
export function toDecision(
  request: LimitRequest,
  windows: WindowCounter[],
  quotaUsed: number[],
  allowed: boolean,
): LimitDecision {
  const { now } = request;
  const windowStates: WindowState[] = request.windows.map((window, i) => ({
    name: window.name,
    limit: window.limit,
    windowSeconds: window.windowSeconds,
    used: windows[i].count,
    remaining: Math.max(0, window.limit - windows[i].count),
    resetSeconds: windows[i].resetAt > now ? secondsUntil(windows[i].resetAt, now) : window.windowSeconds,
  }));
  const quotaStates: QuotaState[] = request.quotas.map((quota, i) => ({
    name: quota.name,
    limit: quota.limit,
    used: quotaUsed[i],
    remaining: Math.max(0, quota.limit - quotaUsed[i]),
    resetsAt: quotaPeriod(quota.name, now).resetsAtMs,
  }));
  if (allowed) return { allowed, windows: windowStates, quotas: quotaStates };

  const refusing = [
    ...windowStates
      .filter((state) => state.used + 1 > state.limit)
      .map((state) => ({ kind: 'window' as const, name: state.name, wait: state.resetSeconds })),
    ...quotaStates
      .filter((state) => state.used + 1 > state.limit)
      .map((state) => ({ kind: 'quota' as const, name: state.name, wait: secondsUntil(state.resetsAt, now) })),
  ];
  const longest = (kind: 'window' | 'quota') =>
    refusing.filter((limit) => limit.kind === kind).sort((a, b) => b.wait - a.wait)[0];
  const by = longest('quota') ?? longest('window');
  return {
    allowed,
    ...(by && { refusedBy: { kind: by.kind, name: by.name } }),
    retryAfterSeconds: Math.max(1, ...refusing.map((limit) => limit.wait)),
    windows: windowStates,
    quotas: quotaStates,
  };
}
