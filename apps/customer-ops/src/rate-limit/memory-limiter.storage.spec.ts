import { LimitRequest } from './limiter-storage';
import { MemoryLimiterStorage } from './memory-limiter.storage';

/** A Map that counts every read and write made through it. */
class CountingMap<K, V> extends Map<K, V> {
  operations = 0;
  override get(key: K): V | undefined {
    this.operations++;
    return super.get(key);
  }
  override set(key: K, value: V): this {
    this.operations++;
    return super.set(key, value);
  }
}

describe('MemoryLimiterStorage: the cost of a call does not grow with the hits in a window', () => {
  const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
  const request = (now: number): LimitRequest => ({
    subject: 'tenant:ACME',
    family: 'default',
    windows: [{ name: 'minute', limit: 100_000_000, windowSeconds: 60 }],
    quotas: [],
    now,
  });

  it('does the same work for the 100,000th hit as for the first, and keeps one counter', async () => {
    const storage = new MemoryLimiterStorage('rl');
    const counters = new CountingMap<string, unknown>();
    (storage as unknown as { counters: Map<string, unknown> }).counters = counters;
    const workOf = async (from: number, calls: number): Promise<number> => {
      const before = counters.operations;
      for (let i = 0; i < calls; i++) await storage.consume(request(T0 + Math.floor(((from + i) * 50_000) / 100_000)));
      return (counters.operations - before) / calls;
    };

    const first = await workOf(0, 1_000);
    await workOf(1_000, 98_000);
    const last = await workOf(99_000, 1_000);

    expect(last).toBe(first);
    expect(first).toBeLessThanOrEqual(3);
    expect(storage.keys()).toHaveLength(1);
    const decision = await storage.peek(request(T0 + 50_000));
    expect(decision.windows[0]).toMatchObject({ limit: 100_000_000, remaining: 100_000_000 - 100_000 });
  });
});
