import {
  formatCheck,
  judgeRateLimit,
  missingMetrics,
  RateLimitObservation,
  resolveVerifyOptions,
  securityHeaderProblems,
  summarize,
} from './verify-checks';

const ok = (limit: number | null = 5): RateLimitObservation => ({ status: 200, limit, retryAfter: null });
const limited = (limit: number | null = 5): RateLimitObservation => ({ status: 429, limit, retryAfter: '42' });

describe('resolveVerifyOptions', () => {
  it('defaults to localhost and reads keys from the environment', () => {
    const options = resolveVerifyOptions({}, { API_ADMIN_KEY: 'adm', API_KEY_EXPERTCO: 'ten', METRICS_TOKEN: '' });
    expect(options).toEqual({
      url: 'http://localhost:8000',
      adminKey: 'adm',
      tenantKey: 'ten',
      metricsToken: null,
      corsOrigin: null,
      timeoutMs: 60000,
      maxRateLimitRequests: 100,
    });
  });

  it('prefers flags over the environment and trims the URL', () => {
    const options = resolveVerifyOptions(
      {
        url: 'https://api.example.com/',
        'admin-key': 'flag-adm',
        'tenant-key': 'flag-ten',
        'metrics-token': 'tok',
        'cors-origin': 'https://ui.example.com',
        'timeout-seconds': '30',
      },
      { API_ADMIN_KEY: 'env-adm', API_KEY_EXPERTCO: 'env-ten', CUSTOMER_OPS_URL: 'http://elsewhere:1' },
    );
    expect(options).toMatchObject({
      url: 'https://api.example.com',
      adminKey: 'flag-adm',
      tenantKey: 'flag-ten',
      metricsToken: 'tok',
      corsOrigin: 'https://ui.example.com',
      timeoutMs: 30000,
    });
  });

  it('takes the URL from CUSTOMER_OPS_URL when no flag is given', () => {
    expect(resolveVerifyOptions({}, { CUSTOMER_OPS_URL: 'http://10.0.0.5:8000' }).url).toBe('http://10.0.0.5:8000');
  });

  it('reads API_ADMIN_KEY_FILE and METRICS_TOKEN_FILE when the variables are unset', () => {
    const files: Record<string, string> = { 'secrets/api_admin_key': 'from-file\n', '/run/token': ' tok \n' };
    const readFile = (path: string) => {
      if (!(path in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return files[path];
    };
    const env = { API_ADMIN_KEY_FILE: 'secrets/api_admin_key', METRICS_TOKEN_FILE: '/run/token' };
    expect(resolveVerifyOptions({}, env, readFile)).toMatchObject({ adminKey: 'from-file', metricsToken: 'tok' });
    expect(resolveVerifyOptions({}, { ...env, API_ADMIN_KEY: 'direct' }, readFile).adminKey).toBe('direct');
    expect(() => resolveVerifyOptions({}, { API_ADMIN_KEY_FILE: 'nope' }, readFile)).toThrow(
      'API_ADMIN_KEY_FILE names nope, which cannot be read (ENOENT)',
    );
  });

  it('rejects a malformed URL, origin or timeout', () => {
    expect(() => resolveVerifyOptions({ url: 'localhost:8000' }, {})).toThrow('--url must be an http(s) URL');
    expect(() => resolveVerifyOptions({ url: 'not a url' }, {})).toThrow('--url must be an http(s) URL');
    expect(() => resolveVerifyOptions({ 'cors-origin': 'https://ui.example.com/path' }, {})).toThrow('--cors-origin');
    expect(() => resolveVerifyOptions({ 'timeout-seconds': '0' }, {})).toThrow('--timeout-seconds');
    expect(() => resolveVerifyOptions({ 'timeout-seconds': 'soon' }, {})).toThrow('--timeout-seconds');
  });
});

describe('missingMetrics', () => {
  it('lists required names without a TYPE line, labelled or not', () => {
    const text = [
      '# HELP api_tenants_count x',
      '# TYPE api_tenants_count gauge',
      'api_tenants_count 2',
      '# TYPE http_requests_total counter',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.1"} 1',
      'rate_limit_backend_up 1',
    ].join('\n');
    expect(missingMetrics(text)).toEqual(['rate_limit_backend_up']);
    expect(missingMetrics(`${text}\n# TYPE rate_limit_backend_up gauge\n`)).toEqual([]);
  });
});

describe('securityHeaderProblems', () => {
  const headers = (values: Record<string, string>) => (name: string) => values[name] ?? null;
  const good = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    'content-security-policy': "default-src 'self'",
    'referrer-policy': 'no-referrer',
  };

  it('accepts helmet defaults', () => {
    expect(securityHeaderProblems(headers(good))).toEqual([]);
  });

  it('names missing, wrong and leaking headers', () => {
    expect(
      securityHeaderProblems(
        headers({ ...good, 'x-content-type-options': 'sniff', 'x-powered-by': 'Express', 'referrer-policy': '' }),
      ),
    ).toEqual(['x-content-type-options is "sniff"', 'x-powered-by present']);
    const { 'x-frame-options': _dropped, ...withoutFrame } = good;
    expect(securityHeaderProblems(headers(withoutFrame))).toEqual(['x-frame-options missing']);
  });
});

describe('judgeRateLimit', () => {
  it('passes when a 429 comes within the advertised limit', () => {
    expect(judgeRateLimit([ok(), ok(), ok(), ok(), ok(), limited()], 100)).toEqual({
      name: 'rate limiting reaches 429 within the ops limit',
      ok: true,
      detail: '429 on request 6 (limit 5 per window), Retry-After 42s',
    });
    // Earlier calls may already have used part of the budget.
    expect(judgeRateLimit([ok(), limited()], 100).ok).toBe(true);
  });

  it('fails when the 429 comes later than the limit allows', () => {
    const result = judgeRateLimit([ok(2), ok(2), ok(2), limited(2)], 100);
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('later than the limit allows');
  });

  it('fails, naming the likely cause, when no 429 comes', () => {
    const unlimited = Array.from({ length: 100 }, () => ok(null));
    const result = judgeRateLimit(unlimited, 100);
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('no 429 after 100 requests');
    expect(result.detail).toContain('RATE_LIMIT_ENABLED=false');
    expect(judgeRateLimit([ok(1000), ok(1000)], 2).detail).toContain('the advertised limit is 1000');
  });

  it('fails on any other status', () => {
    expect(judgeRateLimit([ok(), { status: 401, limit: null, retryAfter: null }], 100)).toMatchObject({
      ok: false,
      detail: 'GET /ops/model-status answered 401',
    });
  });
});

describe('checklist output', () => {
  it('marks passes and failures and summarizes', () => {
    const results = [
      { name: 'health', ok: true, detail: 'ok' },
      { name: 'readyz', ok: false, detail: '503 not_ready' },
    ];
    expect(results.map(formatCheck)).toEqual(['✓ health: ok', '✗ readyz: 503 not_ready']);
    expect(summarize(results)).toBe('1 of 2 checks failed: readyz');
    expect(summarize([results[0]])).toBe('All 1 checks passed.');
  });
});
