/**
 * The shared Redis for integration suites (TEST_REDIS_URL). Locally, suites that need it are
 * skipped when it is unset; with CI=true an unset URL fails the suite instead.
 */
export function testRedisUrl(): string | null {
  const url = process.env.TEST_REDIS_URL;
  if (url) return url;
  if (process.env.CI === 'true') throw new Error('CI=true requires TEST_REDIS_URL (e.g. redis://127.0.0.1:6379)');
  return null;
}

/** describe() when the shared Redis is configured, describe.skip() otherwise (never in CI). */
export function describeWithRedis(name: string, fn: (redisUrl: string) => void): void {
  const url = testRedisUrl();
  if (url) describe(name, () => fn(url));
  else describe.skip(`${name} (set TEST_REDIS_URL to run)`, () => fn(''));
}

/** Polls `check` until it returns true or the deadline passes; returns the elapsed ms. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
