import { ConfigValidationError, loadConfig } from './app-config';
import { parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['250', 250],
    ['250ms', 250],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    [' 2H ', 7_200_000],
    ['5 m', 300_000],
  ])('%s -> %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'm', '10 minutes', '1.5h', '-1s', '1d', '10m30s', '1e3', '1234567890'])('refuses %p', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('IDEMPOTENCY_PURGE_INTERVAL', () => {
  const problem = (value: string) => {
    try {
      loadConfig({ IDEMPOTENCY_PURGE_INTERVAL: value });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      return (error as ConfigValidationError).problems;
    }
    return [];
  };

  it('defaults to 10 minutes (also when blank)', () => {
    expect(loadConfig({}).idempotencyPurgeIntervalMs).toBe(600_000);
    expect(loadConfig({ IDEMPOTENCY_PURGE_INTERVAL: ' ' }).idempotencyPurgeIntervalMs).toBe(600_000);
  });

  it.each([
    ['30s', 30_000],
    ['1h', 3_600_000],
    ['90000', 90_000],
    ['1s', 1000],
    ['24h', 86_400_000],
  ])('parses %s', (value, ms) => {
    expect(loadConfig({ IDEMPOTENCY_PURGE_INTERVAL: value }).idempotencyPurgeIntervalMs).toBe(ms);
  });

  it.each(['ten minutes', '999', '0', '25h', '-5m', '1.5h'])('refuses %p, saying what it takes', (value) => {
    expect(problem(value)).toEqual([
      {
        variable: 'IDEMPOTENCY_PURGE_INTERVAL',
        reason: expect.stringContaining('must be a duration from 1s to 24h, like 30s, 10m or 1h'),
      },
    ]);
  });
});
