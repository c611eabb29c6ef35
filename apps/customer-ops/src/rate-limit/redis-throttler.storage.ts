import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';

/**
 * One round trip per request. KEYS[1] counts hits in the current window (expires after ttl);
 * KEYS[2] marks a block (expires after blockDuration). Crossing the limit sets the block and
 * clears the counter, so when the block ends the caller starts a fresh window, as the
 * library's in-memory storage does. Returns { hits, windowPttl, blocked, blockPttl } in ms.
 */
const THROTTLE_LUA = `
local ttl = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local blockDuration = tonumber(ARGV[3])

local blockPttl = redis.call('PTTL', KEYS[2])
if blockPttl > 0 then
  local pttl = redis.call('PTTL', KEYS[1])
  if pttl < 0 then pttl = blockPttl end
  return { limit + 1, pttl, 1, blockPttl }
end

if blockDuration <= 0 then
  local current = tonumber(redis.call('GET', KEYS[1]) or '0')
  local pttl = redis.call('PTTL', KEYS[1])
  if current >= limit and pttl > 0 then
    return { current + 1, pttl, 1, pttl }
  end
end

local hits = redis.call('INCR', KEYS[1])
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  pttl = ttl
end
if blockDuration > 0 and hits > limit then
  redis.call('SET', KEYS[2], '1', 'PX', blockDuration)
  redis.call('DEL', KEYS[1])
  return { hits, pttl, 1, blockDuration }
end
return { hits, pttl, 0, 0 }
`;

/** What ThrottlerStorage.increment resolves to (the library does not export the type by name). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

type ThrottleReply = [number, number, number, number];

interface ThrottleClient {
  coThrottle(
    hitsKey: string,
    blockKey: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottleReply>;
}

const toSeconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/** The ThrottlerStorage contract on Redis: ttl/blockDuration in ms in, seconds out. Errors propagate. */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly redis: Redis,
    /** e.g. `customer-ops:rl`; keys are `<prefix>:<throttler>:<key>:hits|block`. */
    private readonly keyPrefix: string,
  ) {
    if (!(redis as unknown as Partial<ThrottleClient>).coThrottle) {
      redis.defineCommand('coThrottle', { numberOfKeys: 2, lua: THROTTLE_LUA });
    }
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const base = `${this.keyPrefix}:${throttlerName}:${key}`;
    const [hits, windowPttl, blocked, blockPttl] = await (this.redis as unknown as ThrottleClient).coThrottle(
      `${base}:hits`,
      `${base}:block`,
      ttl,
      limit,
      blockDuration,
    );
    return {
      totalHits: Number(hits),
      timeToExpire: toSeconds(Number(windowPttl)),
      isBlocked: Number(blocked) === 1,
      timeToBlockExpire: Number(blocked) === 1 ? toSeconds(Number(blockPttl)) : 0,
    };
  }
}
