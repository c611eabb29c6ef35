import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { AppConfig } from '@app/config';
import { keySlot, RedisClient } from '@app/redis';
import { LimitRequest } from './limiter-storage';
import { BACKEND_RETRY_AFTER_MS, RateLimitStore } from './rate-limit.store';

/**
 * A stand-in for an ioredis Cluster: three masters sharing the slots, any of which can be
 * "down" (its commands fail), and a slot map that can move (a failover). The limiter script
 * answers "allowed, counted once" for whatever it is sent.
 */
class FakeCluster extends EventEmitter {
  readonly isCluster = true;
  status = 'ready';
  slots: string[][] = Array.from({ length: 16384 }, (_, slot) => [`10.0.0.${1 + (slot % 3)}:6379`]);
  readonly down = new Set<string>();
  readonly calls: string[] = [];

  defineCommand(): void {}

  async customerOpsLimit(_keyCount: number, firstKey: string): Promise<number[]> {
    const node = this.slots[keySlot(firstKey)][0];
    this.calls.push(node);
    if (this.down.has(node)) throw new Error('Command timed out');
    return [1, 1, 0];
  }

  nodeOf(subject: string): string {
    return this.slots[keySlot(subject)][0];
  }
}

describe('RateLimitStore on a Redis Cluster', () => {
  let cluster: FakeCluster;
  let store: RateLimitStore;
  let warnings: Array<[unknown, string?]>;
  let failOpen: Counter;
  let gauge: Gauge;
  let now: number;

  const request = (subject: string): LimitRequest => ({
    subject,
    family: 'default',
    windows: [{ name: 'minute', limit: 10, windowSeconds: 60 }],
    quotas: [],
    now: 0,
  });
  /** A tenant subject whose slot the fake maps to `node`. */
  const subjectOn = (node: string, avoid: string[] = []): string => {
    for (let i = 0; ; i++) {
      const subject = `tenant:T${i}`;
      if (cluster.nodeOf(subject) === node && !avoid.includes(subject)) return subject;
    }
  };
  const messages = () => warnings.map(([first, second]) => (typeof first === 'string' ? first : second));

  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    cluster = new FakeCluster();
    warnings = [];
    const logger = { warn: (...args: [unknown, string?]) => warnings.push(args) } as unknown as Logger;
    failOpen = new Counter({ name: 'test_fail_open_total', help: 'test', registers: [] });
    gauge = new Gauge({ name: 'test_backend_up', help: 'test', registers: [] });
    const config = { redisKeyPrefix: 'co', rateLimit: { fallback: 'open' } } as AppConfig;
    store = new RateLimitStore(config, cluster as unknown as RedisClient, logger, failOpen, gauge);
    store.onModuleInit();
  });
  afterEach(() => jest.restoreAllMocks());

  it('fails open only for the subjects on a failing master, and retries that master after the interval', async () => {
    const [a, b] = ['10.0.0.1:6379', '10.0.0.2:6379'];
    const onA = subjectOn(a);
    const onB = subjectOn(b);
    cluster.down.add(a);

    expect(await store.consume(request(onA))).toBeNull();
    expect(store.degraded()).toBe(true);
    expect(await store.consume(request(onB))).toMatchObject({ allowed: true });
    // Still degraded: the master of onA has not answered since.
    expect(store.degraded()).toBe(true);
    expect(await store.consume(request(subjectOn(a, [onA])))).toBeNull();
    // Within the interval the failing master is not asked again.
    expect(cluster.calls.filter((node) => node === a)).toHaveLength(1);
    expect((await failOpen.get()).values[0].value).toBe(2);
    expect((await gauge.get()).values[0].value).toBe(0);

    cluster.down.delete(a);
    expect(await store.consume(request(onA))).toBeNull();
    now += BACKEND_RETRY_AFTER_MS;
    expect(await store.consume(request(onA))).toMatchObject({ allowed: true });
    expect(store.degraded()).toBe(false);
    expect((await gauge.get()).values[0].value).toBe(1);
    expect(messages()).toEqual([
      'rate limiter: Redis unavailable, failing open: requests are not limited',
      'rate limiter: Redis is back, shared limits resume',
    ]);
    expect(warnings[0][0]).toMatchObject({ reason: 'Command timed out', clusterNode: a });
  });

  it('ends the outage when the failing master no longer serves slots (its slots failed over)', async () => {
    const [a, c] = ['10.0.0.1:6379', '10.0.0.3:6379'];
    const onA = subjectOn(a);
    cluster.down.add(a);
    expect(await store.consume(request(onA))).toBeNull();

    // A replica of a took over its slots under another address.
    cluster.slots = cluster.slots.map((nodes) => (nodes[0] === a ? ['10.0.0.4:6379'] : nodes));
    expect(await store.consume(request(subjectOn(c)))).toMatchObject({ allowed: true });
    expect(store.degraded()).toBe(false);
    expect(await store.consume(request(onA))).toMatchObject({ allowed: true });
    expect(messages()).toHaveLength(2);
  });

  it('stays degraded until every failing master has answered', async () => {
    const [a, b] = ['10.0.0.1:6379', '10.0.0.2:6379'];
    cluster.down.add(a);
    cluster.down.add(b);
    expect(await store.consume(request(subjectOn(a)))).toBeNull();
    expect(await store.consume(request(subjectOn(b)))).toBeNull();
    cluster.down.clear();
    now += BACKEND_RETRY_AFTER_MS;
    expect(await store.consume(request(subjectOn(a)))).not.toBeNull();
    expect(store.degraded()).toBe(true);
    expect(await store.consume(request(subjectOn(b)))).not.toBeNull();
    expect(store.degraded()).toBe(false);
    expect(messages()).toHaveLength(2);
  });

  it('treats a closed cluster connection as an outage of every subject until it is ready again', async () => {
    cluster.status = 'close';
    cluster.emit('close');
    expect(await store.consume(request(subjectOn('10.0.0.2:6379')))).toBeNull();
    expect(cluster.calls).toEqual([]);
    cluster.status = 'ready';
    cluster.emit('ready');
    expect(store.degraded()).toBe(false);
    expect(await store.consume(request(subjectOn('10.0.0.2:6379')))).toMatchObject({ allowed: true });
    expect(messages()).toHaveLength(2);
    expect(warnings[0][0]).toEqual({ reason: 'connection closed' });
  });
});
