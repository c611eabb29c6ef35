import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/*
 * The same contract for the library's in-memory storage and our Redis storage: ttl and
 * blockDuration in milliseconds in, times in seconds out, blocking as the guard expects.
 * The Redis half runs against TEST_REDIS_URL (required when CI=true).
 */
const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl && process.env.CI === 'true') throw new Error('CI=true requires TEST_REDIS_URL');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Factory = () => { storage: ThrottlerStorage; close: () => Promise<void> };

const factories: Array<[string, Factory]> = [
  [
    'memory (ThrottlerStorageService)',
    () => {
      const storage = new ThrottlerStorageService();
      return { storage, close: async () => storage.onApplicationShutdown() };
    },
  ],
];
if (redisUrl) {
  factories.push([
    'Redis (RedisThrottlerStorage)',
    () => {
      const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      const storage = new RedisThrottlerStorage(client, `co-contract-${randomBytes(6).toString('hex')}`);
      return { storage, close: async () => void client.disconnect() };
    },
  ]);
}

describe.each(factories)('ThrottlerStorage contract: %s', (_, make) => {
  let storage: ThrottlerStorage;
  let close: () => Promise<void>;
  const key = () => `k-${randomBytes(6).toString('hex')}`;

  beforeEach(() => {
    ({ storage, close } = make());
  });
  afterEach(async () => {
    await close();
  });

  it('counts hits up to the limit without blocking; times are seconds', async () => {
    const k = key();
    for (let hit = 1; hit <= 3; hit++) {
      const record = await storage.increment(k, 60_000, 3, 60_000, 'default');
      expect(record.totalHits).toBe(hit);
      expect(record.isBlocked).toBe(false);
      // timeToBlockExpire is only meaningful while blocked (the memory storage returns <= 0).
      expect(record.timeToBlockExpire).toBeLessThanOrEqual(0);
      expect(record.timeToExpire).toBeGreaterThan(55);
      expect(record.timeToExpire).toBeLessThanOrEqual(60);
    }
  });

  it('blocks the hit after the limit for blockDuration, and stays blocked', async () => {
    const k = key();
    for (let hit = 0; hit < 2; hit++) await storage.increment(k, 60_000, 2, 30_000, 'default');
    const blocked = await storage.increment(k, 60_000, 2, 30_000, 'default');
    expect(blocked.isBlocked).toBe(true);
    expect(blocked.totalHits).toBeGreaterThan(2);
    expect(blocked.timeToBlockExpire).toBeGreaterThan(25);
    expect(blocked.timeToBlockExpire).toBeLessThanOrEqual(30);
    const again = await storage.increment(k, 60_000, 2, 30_000, 'default');
    expect(again.isBlocked).toBe(true);
    expect(again.timeToBlockExpire).toBeLessThanOrEqual(30);
  });

  it('starts a fresh window once the window and the block have expired', async () => {
    const k = key();
    for (let hit = 0; hit < 3; hit++) await storage.increment(k, 300, 2, 300, 'default');
    await sleep(450);
    const fresh = await storage.increment(k, 300, 2, 300, 'default');
    expect(fresh).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(fresh.timeToExpire).toBe(1);
  });

  it('keeps keys apart', async () => {
    const k = key();
    for (let hit = 0; hit < 3; hit++) await storage.increment(k, 60_000, 2, 60_000, 'ops');
    expect((await storage.increment(k, 60_000, 2, 60_000, 'ops')).isBlocked).toBe(true);
    const other = await storage.increment(key(), 60_000, 2, 60_000, 'ops');
    expect(other).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('with blockDuration 0, rejects over the limit only until the window ends', async () => {
    const k = key();
    for (let hit = 0; hit < 2; hit++) expect((await storage.increment(k, 400, 2, 0, 'default')).isBlocked).toBe(false);
    const over = await storage.increment(k, 400, 2, 0, 'default');
    expect(over.isBlocked).toBe(true);
    expect(over.timeToBlockExpire).toBe(1);
    await sleep(500);
    expect(await storage.increment(k, 400, 2, 0, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
