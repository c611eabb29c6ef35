import { randomBytes } from 'node:crypto';
import Redis, { Cluster } from 'ioredis';
import { createRedisCluster } from '@app/redis';
import { RedisCluster, redisClusterAvailable } from '../../../../test/support/redis-cluster';
import { LimitDecision, LimiterStorage, LimitRequest } from './limiter-storage';
import { QuotaLimit, quotaAppliesTo, RouteFamily, WindowLimit } from './limits';
import { MemoryLimiterStorage } from './memory-limiter.storage';
import { RedisLimiterStorage } from './redis-limiter.storage';

/*
 * One contract, three storages. The Redis half runs against TEST_REDIS_URL (required when
 * CI=true) under a random key prefix, and deletes only its own keys afterwards. The Redis
 * Cluster half runs against a private cluster of three masters that it starts and stops
 * (redis-server and redis-cli are required when CI=true), through the service's own cluster
 * client. Time is the `now` of each request: the tests move it, they never sleep.
 */
const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl && process.env.CI === 'true') throw new Error('CI=true requires TEST_REDIS_URL');

interface Harness {
  prefix: string;
  storage: LimiterStorage;
  /** Another storage over the same counters (for Redis: another connection, as another instance would hold). */
  peer(): LimiterStorage;
  keys(): Promise<string[]>;
  pttl?(key: string): Promise<number>;
  /** A cluster's masters, each a connection of its own. */
  masters?(): Redis[];
  close(): Promise<void>;
}

/** A storage kind: a harness per test, and what its tests share (a private cluster). */
interface Kind {
  make(): Harness | Promise<Harness>;
  beforeAll?(): Promise<void>;
  afterAll?(): Promise<void>;
}

const randomPrefix = () => `co-limiter-test-${randomBytes(6).toString('hex')}`;

const harnesses: Array<[string, Kind]> = [
  [
    'memory',
    {
      make: () => {
        const prefix = randomPrefix();
        const storage = new MemoryLimiterStorage(prefix);
        return { prefix, storage, peer: () => storage, keys: async () => storage.keys(), close: async () => {} };
      },
    },
  ],
];
if (redisUrl) {
  harnesses.push([
    'Redis',
    {
      make: () => {
        const prefix = randomPrefix();
        const clients: Redis[] = [];
        const connect = () => {
          const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
          clients.push(client);
          return client;
        };
        const main = connect();
        const keys = async () => {
          const found: string[] = [];
          for await (const batch of main.scanStream({ match: `${prefix}:*`, count: 500 })) found.push(...batch);
          return found;
        };
        return {
          prefix,
          storage: new RedisLimiterStorage(main, prefix),
          peer: () => new RedisLimiterStorage(connect(), prefix),
          keys,
          pttl: (key) => main.pttl(key),
          close: async () => {
            for (const key of await keys()) await main.del(key);
            clients.forEach((client) => client.disconnect());
          },
        };
      },
    },
  ]);
}
if (redisClusterAvailable()) {
  let cluster: RedisCluster;
  harnesses.push([
    'Redis Cluster',
    {
      beforeAll: async () => {
        cluster = await RedisCluster.start();
      },
      afterAll: async () => {
        await cluster?.stop();
      },
      make: async () => {
        const prefix = randomPrefix();
        const clients: Cluster[] = [];
        // The service's cluster client (no offline queue: commands wait for nothing), with a
        // command timeout that a loaded test machine never reaches.
        const connect = async () => {
          const client = createRedisCluster(
            cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
            'contract-test',
            5000,
          );
          client.on('error', () => undefined);
          clients.push(client);
          if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
          return client;
        };
        const main = await connect();
        const peers = await Promise.all([connect(), connect(), connect()]);
        const keys = async () => {
          const found: string[] = [];
          for (const node of main.nodes('master')) {
            for await (const batch of node.scanStream({ match: `${prefix}:*`, count: 500 })) found.push(...batch);
          }
          return found;
        };
        return {
          prefix,
          storage: new RedisLimiterStorage(main, prefix),
          peer: () => {
            const peer = peers.shift();
            if (!peer) throw new Error('the cluster harness has three peers');
            return new RedisLimiterStorage(peer, prefix);
          },
          keys,
          pttl: (key) => main.pttl(key),
          masters: () => main.nodes('master'),
          close: async () => {
            for (const key of await keys()) await main.del(key);
            clients.forEach((client) => client.disconnect());
          },
        };
      },
    },
  ]);
}

const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const burst = (limit: number): WindowLimit => ({ name: 'burst', limit, windowSeconds: 1 });
const minute = (limit: number): WindowLimit => ({ name: 'minute', limit, windowSeconds: 60 });
const hour = (limit: number): WindowLimit => ({ name: 'hour', limit, windowSeconds: 3600 });

describe.each(harnesses)('LimiterStorage contract: %s', (kind, { make, beforeAll: setUp, afterAll: tearDown }) => {
  let harness: Harness;
  let storage: LimiterStorage;
  const subject = () => `tenant:T${randomBytes(4).toString('hex')}`;
  const request = (
    who: string,
    now: number,
    windows: WindowLimit[],
    quotas: QuotaLimit[] = [],
    family: RouteFamily = 'default',
  ): LimitRequest => ({ subject: who, family, windows, quotas, now });
  const used = async (limits: LimitRequest) => {
    const state = await storage.peek(limits);
    return { windows: state.windows.map((w) => w.used), quotas: state.quotas.map((q) => q.used) };
  };

  if (setUp) beforeAll(setUp, 30000);
  if (tearDown) afterAll(tearDown);
  beforeEach(async () => {
    harness = await make();
    storage = harness.storage;
  });
  afterEach(() => harness?.close());

  it('checks a burst and an hourly window together; refused requests count nowhere', async () => {
    const who = subject();
    const at = (now: number) => request(who, now, [burst(3), hour(5)]);

    for (let hit = 1; hit <= 3; hit++) {
      const decision = await storage.consume(at(T0 + hit - 1));
      expect(decision.allowed).toBe(true);
      expect(decision.windows.map((w) => w.used)).toEqual([hit, hit]);
      expect(decision.windows.map((w) => w.remaining)).toEqual([3 - hit, 5 - hit]);
    }
    for (let refused = 0; refused < 5; refused++) {
      const decision = await storage.consume(at(T0 + 500));
      expect(decision).toMatchObject({ allowed: false, refusedBy: { kind: 'window', name: 'burst' } });
      expect(decision.retryAfterSeconds).toBe(1);
      expect(decision.windows.map((w) => [w.used, w.remaining, w.resetSeconds])).toEqual([
        [3, 0, 1],
        [3, 2, 3600],
      ]);
    }
    expect(await used(at(T0 + 500))).toEqual({ windows: [3, 3], quotas: [] });

    const afterBurst = await storage.consume(at(T0 + 1000));
    expect(afterBurst.allowed).toBe(true);
    expect(afterBurst.windows.map((w) => [w.used, w.resetSeconds])).toEqual([
      [1, 1],
      [4, 3599],
    ]);
    expect((await storage.consume(at(T0 + 1000))).allowed).toBe(true);

    const byHour = await storage.consume(at(T0 + 1000));
    expect(byHour).toMatchObject({ allowed: false, refusedBy: { kind: 'window', name: 'hour' } });
    expect(byHour.retryAfterSeconds).toBe(3599);
    expect((await storage.consume(at(T0 + 2500))).refusedBy?.name).toBe('hour');
    expect(await used(at(T0 + 2500))).toEqual({ windows: [0, 5], quotas: [] });

    const nextHour = await storage.consume(at(T0 + 3_600_000));
    expect(nextHour.allowed).toBe(true);
    expect(nextHour.windows.map((w) => w.used)).toEqual([1, 1]);
  });

  it('refuses once a quota runs out and admits again from the first ms of the next UTC month', async () => {
    const who = subject();
    const late = Date.UTC(2026, 11, 31, 23, 59, 0);
    const at = (now: number) => request(who, now, [hour(100)], [{ name: 'requestsPerMonth', limit: 2 }]);

    for (let hit = 1; hit <= 2; hit++) {
      const decision = await storage.consume(at(late));
      expect(decision.allowed).toBe(true);
      expect(decision.quotas).toEqual([
        { name: 'requestsPerMonth', limit: 2, used: hit, remaining: 2 - hit, resetsAt: Date.UTC(2027, 0, 1) },
      ]);
    }
    const refused = await storage.consume(at(late + 30_000));
    expect(refused).toMatchObject({ allowed: false, refusedBy: { kind: 'quota', name: 'requestsPerMonth' } });
    expect(refused.retryAfterSeconds).toBe(30);
    expect(refused.windows[0].used).toBe(2);
    expect(refused.quotas[0]).toMatchObject({ used: 2, remaining: 0 });

    expect((await storage.consume(at(Date.UTC(2027, 0, 1) - 1))).allowed).toBe(false);
    const nextMonth = await storage.consume(at(Date.UTC(2027, 0, 1)));
    expect(nextMonth.allowed).toBe(true);
    expect(nextMonth.quotas[0]).toMatchObject({ used: 1, remaining: 1, resetsAt: Date.UTC(2027, 1, 1) });
    expect(nextMonth.windows[0].used).toBe(3);
  });

  it('names the quota when a quota and a window both refuse; Retry-After waits for both', async () => {
    const who = subject();
    const at = (now: number) => request(who, now, [hour(1)], [{ name: 'requestsPerDay', limit: 1 }]);
    const lateEvening = Date.UTC(2026, 11, 2, 23, 30);
    expect((await storage.consume(at(lateEvening))).allowed).toBe(true);
    const refused = await storage.consume(at(lateEvening));
    expect(refused).toMatchObject({ allowed: false, refusedBy: { kind: 'quota', name: 'requestsPerDay' } });
    expect(refused.retryAfterSeconds).toBe(3600);
  });

  it('counts a lead quota only for the requests it applies to', async () => {
    const who = subject();
    const quotas: QuotaLimit[] = [
      { name: 'requestsPerMonth', limit: 10 },
      { name: 'leadsPerMonth', limit: 1 },
    ];
    const at = (isLeadCapture: boolean) =>
      request(
        who,
        T0,
        [minute(100)],
        quotas.filter((quota) => quotaAppliesTo(quota.name, { isLeadCapture })),
      );

    expect((await storage.consume(at(true))).quotas.map((q) => q.used)).toEqual([1, 1]);
    const secondLead = await storage.consume(at(true));
    expect(secondLead).toMatchObject({ allowed: false, refusedBy: { kind: 'quota', name: 'leadsPerMonth' } });
    const search = await storage.consume(at(false));
    expect(search.allowed).toBe(true);
    expect(search.quotas).toEqual([expect.objectContaining({ name: 'requestsPerMonth', used: 2 })]);
    expect(search.windows[0].used).toBe(2);
  });

  it('peek reports the same decision without counting', async () => {
    const who = subject();
    const limits = request(who, T0, [minute(1)], [{ name: 'requestsPerDay', limit: 5 }]);
    for (let peek = 0; peek < 3; peek++) {
      const state = await storage.peek(limits);
      expect(state.allowed).toBe(true);
      expect(state.windows[0]).toMatchObject({ used: 0, remaining: 1, resetSeconds: 60 });
      expect(state.quotas[0]).toMatchObject({ used: 0, remaining: 5 });
    }
    expect((await storage.consume(limits)).allowed).toBe(true);
    const full = await storage.peek({ ...limits, now: T0 + 15_000 });
    expect(full).toMatchObject({
      allowed: false,
      refusedBy: { kind: 'window', name: 'minute' },
      retryAfterSeconds: 45,
    });
    expect(full.windows[0]).toMatchObject({ used: 1, remaining: 0, resetSeconds: 45 });
    expect(full.quotas[0].used).toBe(1);
  });

  it('reset clears the windows and quotas of the subject', async () => {
    const who = subject();
    const limits = request(who, T0, [burst(1), hour(1)], [{ name: 'requestsPerMonth', limit: 1 }]);
    expect((await storage.consume(limits)).allowed).toBe(true);
    expect((await storage.consume(limits)).allowed).toBe(false);
    await storage.reset(limits);
    expect(await harness.keys()).toEqual([]);
    expect(await used(limits)).toEqual({ windows: [0, 0], quotas: [0] });
    expect((await storage.consume(limits)).allowed).toBe(true);
    expect(await used(limits)).toEqual({ windows: [1, 1], quotas: [1] });
  });

  it('keeps subjects and route families apart', async () => {
    const [a, b] = [subject(), subject()];
    const limits = (who: string, family: RouteFamily = 'default') =>
      request(who, T0, [minute(1)], [{ name: 'requestsPerDay', limit: 1 }], family);
    expect((await storage.consume(limits(a))).allowed).toBe(true);
    expect((await storage.consume(limits(a))).allowed).toBe(false);
    expect((await storage.consume(limits(b))).allowed).toBe(true);
    expect((await storage.consume(limits(a, 'ops'))).allowed).toBe(true);
    await storage.reset(limits(b));
    expect((await storage.consume(limits(a))).allowed).toBe(false);
  });

  it('names every key of a subject with one hash tag', async () => {
    const subjects = ['tenant:ACME', 'ip:2001:db8::1', 'admin', 'tenant:{odd}'];
    for (const who of subjects) {
      await storage.consume(
        request(
          who,
          T0,
          [burst(5), hour(5)],
          [
            { name: 'requestsPerDay', limit: 5 },
            { name: 'leadsPerMonth', limit: 5 },
          ],
        ),
      );
      await storage.consume(request(who, T0, [minute(5)], [], 'ops'));
    }
    const keys = await harness.keys();
    expect(keys).toHaveLength(subjects.length * 5);
    const tags = new Map<string, number>();
    for (const key of keys) {
      const found = [...key.matchAll(/\{[^}]*\}/g)].map((match) => match[0]);
      expect(key).toMatch(/\{[^}]+\}/);
      expect(found).toHaveLength(1);
      tags.set(found[0], (tags.get(found[0]) ?? 0) + 1);
    }
    expect([...tags.values()]).toEqual([5, 5, 5, 5]);
    expect(keys).toEqual(
      expect.arrayContaining([
        `${harness.prefix}:{tenant:ACME}:default:w:1`,
        `${harness.prefix}:{tenant:ACME}:default:w:3600`,
        `${harness.prefix}:{tenant:ACME}:default:q:requestsPerDay:2026-12-02`,
        `${harness.prefix}:{tenant:ACME}:default:q:leadsPerMonth:2026-12`,
        `${harness.prefix}:{tenant:ACME}:ops:w:60`,
        `${harness.prefix}:{tenant:%7Bodd%7D}:ops:w:60`,
      ]),
    );
  });

  it('admits exactly the limit out of 200 concurrent requests, across instances', async () => {
    const who = subject();
    const peers = [storage, harness.peer(), harness.peer(), harness.peer()];
    const limits = request(who, T0, [minute(50)], [{ name: 'requestsPerMonth', limit: 1000 }]);
    const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => peers[i % peers.length].consume(limits)));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(50);
    expect(await used(limits)).toEqual({ windows: [50], quotas: [50] });
  });

  if (kind === 'Redis Cluster') {
    it('keeps every key of a subject on one master, and spreads subjects over the masters', async () => {
      const subjects = Array.from({ length: 12 }, subject);
      for (const who of subjects) {
        await storage.consume(request(who, T0, [burst(5), hour(5)], [{ name: 'requestsPerDay', limit: 5 }]));
      }
      const mastersOf = new Map<string, Set<string>>();
      for (const node of harness.masters?.() ?? []) {
        const address = `${node.options.host}:${node.options.port}`;
        for await (const batch of node.scanStream({ match: `${harness.prefix}:*`, count: 500 })) {
          for (const key of batch as string[]) {
            const who = /\{([^}]*)\}/.exec(key)?.[1] ?? '';
            mastersOf.set(who, (mastersOf.get(who) ?? new Set()).add(address));
          }
        }
      }
      expect([...mastersOf.keys()].sort()).toEqual([...subjects].sort());
      expect([...mastersOf.values()].every((masters) => masters.size === 1)).toBe(true);
      expect(new Set([...mastersOf.values()].map((masters) => [...masters][0])).size).toBeGreaterThan(1);
    });
  }

  if (kind === 'Redis' || kind === 'Redis Cluster') {
    it('lets Redis expire window keys after the window and quota keys after the period', async () => {
      const who = subject();
      const now = Date.UTC(2026, 11, 31, 12);
      await storage.consume(request(who, now, [hour(5)], [{ name: 'requestsPerMonth', limit: 5 }]));
      const [windowKey, quotaKey] = [
        `${harness.prefix}:{${who}}:default:w:3600`,
        `${harness.prefix}:{${who}}:default:q:requestsPerMonth:2026-12`,
      ];
      const pttl = harness.pttl;
      if (!pttl) throw new Error('the Redis harness reads PTTL');
      const windowTtl = await pttl(windowKey);
      expect(windowTtl).toBeGreaterThan(3_600_000);
      expect(windowTtl).toBeLessThanOrEqual(3_601_000);
      const quotaTtl = await pttl(quotaKey);
      expect(quotaTtl).toBeGreaterThan(12 * 3_600_000);
      expect(quotaTtl).toBeLessThanOrEqual(13 * 3_600_000);
    });
  }
});

describe('MemoryLimiterStorage', () => {
  it('holds one counter per window and quota, whatever the number of hits', async () => {
    const storage = new MemoryLimiterStorage();
    const limits = (now: number): LimitRequest => ({
      subject: 'tenant:BIG',
      family: 'default',
      windows: [hour(100_000_000)],
      quotas: [{ name: 'requestsPerMonth', limit: 100_000_000 }],
      now,
    });
    let last: LimitDecision | undefined;
    for (let hit = 0; hit < 100_000; hit++) last = await storage.consume(limits(T0 + (hit % 1000)));
    expect(last?.allowed).toBe(true);
    expect(last?.windows[0].used).toBe(100_000);
    expect(storage.size()).toBe(2);
  });

  it('sweeps counters whose window or period has ended', async () => {
    const storage = new MemoryLimiterStorage();
    for (let i = 0; i < 10; i++) {
      await storage.consume({ subject: `ip:10.0.0.${i}`, family: 'ops', windows: [minute(5)], quotas: [], now: T0 });
    }
    await storage.consume({
      subject: 'tenant:Q',
      family: 'default',
      windows: [burst(5)],
      quotas: [{ name: 'requestsPerDay', limit: 5 }],
      now: T0,
    });
    expect(storage.size()).toBe(12);
    storage.sweep(T0 + 60_000);
    expect(storage.size()).toBe(1);
    storage.sweep(Date.UTC(2026, 11, 3));
    expect(storage.size()).toBe(0);
  });

  it('sweeps by itself as calls go by', async () => {
    const storage = new MemoryLimiterStorage();
    for (let i = 0; i < 500; i++) {
      await storage.consume({ subject: `ip:10.0.1.${i}`, family: 'ops', windows: [burst(5)], quotas: [], now: T0 });
    }
    for (let i = 0; i < 1000; i++) {
      await storage.consume({ subject: 'admin', family: 'ops', windows: [hour(5000)], quotas: [], now: T0 + 5000 });
    }
    expect(storage.size()).toBe(1);
  });
});

if (redisUrl) {
  describe('RedisLimiterStorage', () => {
    it('propagates Redis errors to the caller', async () => {
      const client = new Redis(redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
      const storage = new RedisLimiterStorage(client, randomPrefix());
      await expect(
        storage.consume({ subject: 'admin', family: 'ops', windows: [minute(1)], quotas: [], now: T0 }),
      ).rejects.toThrow();
      client.disconnect();
    });
  });
}
