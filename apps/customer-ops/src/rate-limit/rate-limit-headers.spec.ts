import type { LimitDecision, WindowState } from './limiter-storage';
import { mostRestrictiveWindow, rateLimitHeaders } from './rate-limit-headers';
import { parseSfList } from '../../../../test/support/structured-fields';

const window = (name: string, limit: number, windowSeconds: number, used: number, resetSeconds: number) =>
  ({ name, limit, windowSeconds, used, remaining: Math.max(0, limit - used), resetSeconds }) satisfies WindowState;

describe('parseSfList (the test parser itself)', () => {
  it('parses strings, tokens, integers, booleans and parameters', () => {
    expect(parseSfList('"a\\"b";q=1;w=-2, tok;flag, ?1')).toEqual([
      { value: 'a"b', params: { q: 1, w: -2 } },
      { value: { token: 'tok' }, params: { flag: true } },
      { value: true, params: {} },
    ]);
  });

  it.each(['"open', '"a";Q=1', '"a",', '"a" "b"', '"a";q=1.5.5', '"\\n"'])('refuses %j', (text) => {
    expect(() => parseSfList(text)).toThrow();
  });
});

describe('rateLimitHeaders', () => {
  const allowed: LimitDecision = {
    allowed: true,
    windows: [window('burst', 10, 1, 3, 1), window('hour', 600, 3600, 10, 3000)],
    quotas: [],
  };

  it('lists every window in RateLimit-Policy as sf-string items with q and w', () => {
    const policy = parseSfList(rateLimitHeaders(allowed)['RateLimit-Policy']);
    expect(policy).toEqual([
      { value: 'burst', params: { q: 10, w: 1 } },
      { value: 'hour', params: { q: 600, w: 3600 } },
    ]);
  });

  it('reports the window with the fewest remaining in RateLimit and X-RateLimit-*', () => {
    const headers = rateLimitHeaders(allowed);
    expect(parseSfList(headers['RateLimit'])).toEqual([{ value: 'burst', params: { r: 7, t: 1 } }]);
    expect(headers['X-RateLimit-Limit']).toBe('10');
    expect(headers['X-RateLimit-Remaining']).toBe('7');
    expect(headers['X-RateLimit-Reset']).toBe('1');
    expect(headers['Retry-After']).toBeUndefined();
  });

  it('breaks a tie on remaining by the window that resets last', () => {
    const windows = [
      window('burst', 5, 1, 5, 1),
      window('hour', 100, 3600, 100, 1800),
      window('day', 9, 86_400, 9, 60),
    ];
    expect(mostRestrictiveWindow(windows)?.name).toBe('hour');
    const headers = rateLimitHeaders({ allowed: true, windows, quotas: [] });
    expect(parseSfList(headers['RateLimit'])).toEqual([{ value: 'hour', params: { r: 0, t: 1800 } }]);
    expect(headers['X-RateLimit-Reset']).toBe('1800');
  });

  it('adds Retry-After when refused', () => {
    const refused: LimitDecision = {
      allowed: false,
      refusedBy: { kind: 'window', name: 'burst' },
      retryAfterSeconds: 1,
      windows: [window('burst', 10, 1, 10, 1), window('hour', 600, 3600, 10, 3000)],
      quotas: [],
    };
    const headers = rateLimitHeaders(refused);
    expect(headers['Retry-After']).toBe('1');
    expect(headers['X-RateLimit-Remaining']).toBe('0');
    expect(parseSfList(headers['RateLimit'])).toEqual([{ value: 'burst', params: { r: 0, t: 1 } }]);
  });

  it('escapes names so the fields always parse', () => {
    const odd: LimitDecision = { allowed: true, windows: [window('a"b\\c', 1, 60, 0, 60)], quotas: [] };
    expect(parseSfList(rateLimitHeaders(odd)['RateLimit-Policy'])[0].value).toBe('a"b\\c');
  });

  it('sends only Retry-After when a family has no windows', () => {
    expect(rateLimitHeaders({ allowed: true, windows: [], quotas: [] })).toEqual({});
    expect(rateLimitHeaders({ allowed: false, retryAfterSeconds: 42, windows: [], quotas: [] })).toEqual({
      'Retry-After': '42',
    });
  });
});
