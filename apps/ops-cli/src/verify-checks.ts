import { readFileSync } from 'node:fs';
import { isSet } from '@app/config';

/** The pure parts of `verify`: options, verdicts and the printed checklist. */

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VerifyOptions {
  /** Base URL without a trailing slash. */
  url: string;
  adminKey: string | null;
  tenantKey: string | null;
  metricsToken: string | null;
  /** An origin the API should admit (CORS_ORIGINS); the foreign-origin check runs regardless. */
  corsOrigin: string | null;
  /** Whole-run budget. */
  timeoutMs: number;
  /** Requests sent to reach a 429 before giving up. */
  maxRateLimitRequests: number;
}

export interface VerifyFlags {
  url?: string;
  'admin-key'?: string;
  'tenant-key'?: string;
  'metrics-token'?: string;
  'cors-origin'?: string;
  'timeout-seconds'?: string;
}

export const DEFAULT_URL = 'http://localhost:8000';
export const DEFAULT_TENANT_KEY_VARIABLE = 'API_KEY_EXPERTCO';
export const FOREIGN_ORIGIN = 'https://verify.invalid';

/** The metric names a deployment must export from its first scrape. */
export const REQUIRED_METRICS = [
  'api_tenants_count',
  'http_requests_total',
  'http_request_duration_seconds',
  'rate_limit_backend_up',
];

/** Headers helmet sets on every response; a proxy that strips them weakens the browser protections. */
export const SECURITY_HEADERS: Array<{ name: string; pattern?: RegExp }> = [
  { name: 'x-content-type-options', pattern: /^nosniff$/i },
  { name: 'x-frame-options', pattern: /^(deny|sameorigin)$/i },
  { name: 'content-security-policy' },
  { name: 'referrer-policy' },
];

function blankToNull(value: string | undefined): string | null {
  return isSet(value) ? value.trim() : null;
}

/**
 * A secret from its variable, or else from the file its `<NAME>_FILE` variable names (as the
 * API itself accepts, e.g. API_ADMIN_KEY_FILE=secrets/api_admin_key).
 */
function secretFrom(
  env: Record<string, string | undefined>,
  name: string,
  readFile: (path: string) => string,
): string | undefined {
  if (blankToNull(env[name])) return env[name];
  const file = blankToNull(env[`${name}_FILE`]);
  if (!file) return undefined;
  try {
    return readFile(file).trim();
  } catch (error) {
    throw new Error(`${name}_FILE names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
}

/** Flags win over the environment. Throws on a malformed URL, origin or timeout, or an unreadable *_FILE. */
export function resolveVerifyOptions(
  flags: VerifyFlags,
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): VerifyOptions {
  const rawUrl = flags.url ?? env.CUSTOMER_OPS_URL ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new Error(`--url must be an http(s) URL such as ${DEFAULT_URL}, got "${rawUrl}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`--url must be an http(s) URL such as ${DEFAULT_URL}, got "${rawUrl}"`);
  }
  const corsOrigin = blankToNull(flags['cors-origin']);
  if (corsOrigin && !/^https?:\/\/[^/\s]+$/i.test(corsOrigin)) {
    throw new Error(`--cors-origin must be an origin such as https://ui.example.com, got "${corsOrigin}"`);
  }
  const seconds = Number(flags['timeout-seconds'] ?? 60);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new Error(`--timeout-seconds must be between 1 and 600, got "${flags['timeout-seconds']}"`);
  }
  return {
    url: url.toString().replace(/\/+$/, ''),
    adminKey: blankToNull(flags['admin-key'] ?? secretFrom(env, 'API_ADMIN_KEY', readFile)),
    tenantKey: blankToNull(flags['tenant-key'] ?? env[DEFAULT_TENANT_KEY_VARIABLE]),
    metricsToken: blankToNull(flags['metrics-token'] ?? secretFrom(env, 'METRICS_TOKEN', readFile)),
    corsOrigin,
    timeoutMs: seconds * 1000,
    maxRateLimitRequests: 100,
  };
}

/** Required names that have no `# TYPE` line in a Prometheus text exposition. */
export function missingMetrics(exposition: string, names: string[] = REQUIRED_METRICS): string[] {
  const declared = new Set(
    exposition
      .split('\n')
      .filter((line) => line.startsWith('# TYPE '))
      .map((line) => line.split(' ')[2]),
  );
  return names.filter((name) => !declared.has(name));
}

/** What is wrong with a response's security headers (empty when all is well). */
export function securityHeaderProblems(get: (name: string) => string | null): string[] {
  const problems: string[] = [];
  for (const { name, pattern } of SECURITY_HEADERS) {
    const value = get(name);
    if (value === null) problems.push(`${name} missing`);
    else if (pattern && !pattern.test(value.trim())) problems.push(`${name} is "${value}"`);
  }
  if (get('x-powered-by') !== null) problems.push('x-powered-by present');
  return problems;
}

export interface RateLimitObservation {
  status: number;
  /** X-RateLimit-Limit, when the response carried it. */
  limit: number | null;
  retryAfter: string | null;
}

/**
 * Whether a run of requests against one budget proved the limit: a 429 must come, and no
 * later than one request past the advertised limit (earlier calls may have used some of it).
 */
export function judgeRateLimit(observations: RateLimitObservation[], maxRequests: number): CheckResult {
  const name = 'rate limiting reaches 429 within the ops limit';
  const limit = observations.find((o) => o.limit !== null)?.limit ?? null;
  const rejectedAt = observations.findIndex((o) => o.status === 429) + 1;
  const unexpected = observations.find((o) => o.status !== 200 && o.status !== 429);
  if (unexpected) {
    return { name, ok: false, detail: `GET /ops/model-status answered ${unexpected.status}` };
  }
  if (rejectedAt === 0) {
    const why =
      limit === null
        ? 'no X-RateLimit-* headers: rate limiting is off (RATE_LIMIT_ENABLED=false), or Redis is down with RATE_LIMIT_FALLBACK=open'
        : `the advertised limit is ${limit}`;
    return { name, ok: false, detail: `no 429 after ${Math.min(observations.length, maxRequests)} requests; ${why}` };
  }
  const retry = observations[rejectedAt - 1].retryAfter;
  const detail =
    `429 on request ${rejectedAt}` +
    (limit === null ? '' : ` (limit ${limit} per window)`) +
    (retry === null ? '' : `, Retry-After ${retry}s`);
  if (limit !== null && rejectedAt > limit + 1) {
    return { name, ok: false, detail: `${detail}: later than the limit allows` };
  }
  return { name, ok: true, detail };
}

export function formatCheck(result: CheckResult): string {
  return `${result.ok ? '✓' : '✗'} ${result.name}${result.detail ? `: ${result.detail}` : ''}`;
}

export function summarize(results: CheckResult[]): string {
  const failed = results.filter((r) => !r.ok).length;
  return failed === 0
    ? `All ${results.length} checks passed.`
    : `${failed} of ${results.length} checks failed: ${results
        .filter((r) => !r.ok)
        .map((r) => r.name)
        .join('; ')}`;
}
