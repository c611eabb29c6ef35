import {
  formatWindowDuration,
  namedWindows,
  parseWindowDuration,
  QUOTA_NAMES,
  quotaAppliesTo,
  quotaExhaustedMessage,
  quotaPeriod,
  windowName,
} from './limits';

describe('parseWindowDuration', () => {
  it.each([
    ['1s', 1],
    ['10s', 10],
    ['1m', 60],
    ['15m', 900],
    ['1h', 3600],
    ['1d', 86_400],
    ['7d', 604_800],
    ['31d', 2_678_400],
    ['744h', 2_678_400],
  ])('%s → %i seconds', (text, seconds) => {
    expect(parseWindowDuration(text)).toBe(seconds);
  });

  it.each(['', '0s', '01s', '1', 's', '1.5s', '1 s', ' 1s', '1S', '1w', '-1s', '32d', '2678401s', '1h30m', '10x'])(
    'refuses %j',
    (text) => {
      expect(parseWindowDuration(text)).toBeNull();
    },
  );
});

describe('window names', () => {
  it('names the well-known lengths and spells the others compactly', () => {
    const all = [1, 60, 3600, 86_400, 900, 604_800, 90];
    expect(all.map((seconds) => windowName(seconds, all))).toEqual([
      'burst',
      'minute',
      'hour',
      'day',
      '15m',
      '7d',
      '90s',
    ]);
  });

  it('calls only the shortest sub-minute window "burst"', () => {
    const all = [10, 1, 30];
    expect(all.map((seconds) => windowName(seconds, all))).toEqual(['10s', 'burst', '30s']);
  });

  it('gives distinct names to distinct lengths, all plain sf-string content', () => {
    const lengths = [1, 2, 59, 60, 61, 120, 3600, 5400, 86_400, 172_800, 2_678_400];
    const named = namedWindows(lengths.map((windowSeconds) => ({ limit: 1, windowSeconds })));
    expect(new Set(named.map((window) => window.name)).size).toBe(lengths.length);
    for (const window of named) expect(window.name).toMatch(/^[a-z0-9]+$/);
  });

  it('namedWindows sorts shortest first and keeps the limits', () => {
    expect(
      namedWindows([
        { limit: 600, windowSeconds: 3600 },
        { limit: 10, windowSeconds: 1 },
      ]),
    ).toEqual([
      { name: 'burst', limit: 10, windowSeconds: 1 },
      { name: 'hour', limit: 600, windowSeconds: 3600 },
    ]);
  });

  it('formatWindowDuration round-trips through parseWindowDuration', () => {
    for (const seconds of [1, 45, 60, 90, 900, 3600, 5400, 86_400, 604_800]) {
      expect(parseWindowDuration(formatWindowDuration(seconds))).toBe(seconds);
    }
  });
});

describe('quotaPeriod', () => {
  const at = (iso: string) => Date.parse(iso);

  it('requestsPerDay is the UTC calendar day', () => {
    expect(quotaPeriod('requestsPerDay', at('2026-12-02T23:59:59.999Z'))).toEqual({
      id: '2026-12-02',
      startsAtMs: at('2026-12-02T00:00:00.000Z'),
      resetsAtMs: at('2026-12-03T00:00:00.000Z'),
    });
    expect(quotaPeriod('requestsPerDay', at('2026-12-03T00:00:00.000Z')).id).toBe('2026-12-03');
    expect(quotaPeriod('requestsPerDay', at('2026-12-31T12:00:00Z')).resetsAtMs).toBe(at('2027-01-01T00:00:00Z'));
  });

  it.each(['requestsPerMonth', 'leadsPerMonth'] as const)('%s is the UTC calendar month', (name) => {
    expect(quotaPeriod(name, at('2026-12-02T10:00:00Z'))).toEqual({
      id: '2026-12',
      startsAtMs: at('2026-12-01T00:00:00.000Z'),
      resetsAtMs: at('2027-01-01T00:00:00.000Z'),
    });
    expect(quotaPeriod(name, at('2028-02-29T23:59:59.999Z'))).toEqual({
      id: '2028-02',
      startsAtMs: at('2028-02-01T00:00:00.000Z'),
      resetsAtMs: at('2028-03-01T00:00:00.000Z'),
    });
    // Back in time (a test clock): the period is computed again, not taken from the last one.
    expect(quotaPeriod(name, at('2026-11-30T23:59:59.999Z')).id).toBe('2026-11');
    expect(quotaPeriod(name, at('2027-01-01T00:00:00.000Z')).id).toBe('2027-01');
  });
});

describe('quotas', () => {
  it('leadsPerMonth applies only to lead captures; request quotas to every request', () => {
    expect(quotaAppliesTo('leadsPerMonth', { isLeadCapture: true })).toBe(true);
    expect(quotaAppliesTo('leadsPerMonth', { isLeadCapture: false })).toBe(false);
    for (const name of ['requestsPerDay', 'requestsPerMonth'] as const) {
      expect(quotaAppliesTo(name, { isLeadCapture: true })).toBe(true);
      expect(quotaAppliesTo(name, { isLeadCapture: false })).toBe(true);
    }
  });

  it('has a message for every quota', () => {
    expect(QUOTA_NAMES.map(quotaExhaustedMessage)).toEqual([
      'Daily request quota exhausted',
      'Monthly request quota exhausted',
      'Monthly lead quota exhausted',
    ]);
  });
});
