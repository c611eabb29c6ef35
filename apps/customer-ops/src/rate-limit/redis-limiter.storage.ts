import type { Cluster, Redis } from 'ioredis';
import { LimitDecision, LimiterStorage, LimitRequest, quotaKey, toDecision, windowKey } from './limiter-storage';
import { quotaPeriod } from './limits';

/** Keys outlive their window or period by this much, so a few ms of clock skew never drops a live counter. */
const WINDOW_EXPIRY_SLACK_MS = 1000;
const QUOTA_EXPIRY_SLACK_MS = 3_600_000;

/**
 * Check-and-count in one call. KEYS: the window hashes ({c = count, r = resetAt ms}), then the
 * quota counters. ARGV: consume (1) or peek (0), now, the number of windows, then per window
 * its limit, its resetAt if it starts now and its key expiry (ms), then per quota its limit
 * and key expiry. `now` is the caller's clock, never Redis TIME. Counts in every key only
 * when every limit admits the request. Returns { allowed, count1, resetAt1, …, used1, … }:
 * the counters after counting, or as they are when refused (resetAt 0 = empty window).
 */
const LIMIT_LUA = `
local consume = ARGV[1] == '1'
local now = tonumber(ARGV[2])
local nw = tonumber(ARGV[3])
local nq = #KEYS - nw
local q0 = 4 + 3 * nw
local allowed = true
local counts, resets, used = {}, {}, {}
for i = 1, nw do
  local state = redis.call('HMGET', KEYS[i], 'c', 'r')
  local c, r = tonumber(state[1]) or 0, tonumber(state[2]) or 0
  if r <= now then c, r = 0, 0 end
  if c + 1 > tonumber(ARGV[1 + 3 * i]) then allowed = false end
  counts[i], resets[i] = c, r
end
for j = 1, nq do
  used[j] = tonumber(redis.call('GET', KEYS[nw + j])) or 0
  if used[j] + 1 > tonumber(ARGV[q0 + 2 * (j - 1)]) then allowed = false end
end
if consume and allowed then
  for i = 1, nw do
    if resets[i] == 0 then
      redis.call('HSET', KEYS[i], 'c', 1, 'r', ARGV[2 + 3 * i])
      redis.call('PEXPIRE', KEYS[i], ARGV[3 + 3 * i])
      resets[i] = tonumber(ARGV[2 + 3 * i])
    else
      redis.call('HINCRBY', KEYS[i], 'c', 1)
    end
    counts[i] = counts[i] + 1
  end
  for j = 1, nq do
    used[j] = redis.call('INCR', KEYS[nw + j])
    if used[j] == 1 then redis.call('PEXPIRE', KEYS[nw + j], ARGV[q0 + 2 * (j - 1) + 1]) end
  end
end
local reply = { allowed and 1 or 0 }
for i = 1, nw do
  reply[#reply + 1] = counts[i]
  reply[#reply + 1] = resets[i]
end
for j = 1, nq do reply[#reply + 1] = used[j] end
return reply
`;

const COMMAND = 'customerOpsLimit';

interface LimitClient {
  [COMMAND](keyCount: number, ...keysAndArgs: Array<string | number>): Promise<number[]>;
}

/** The limiter contract on Redis (standalone or Cluster): one EVALSHA per consume or peek. Errors propagate. */
export class RedisLimiterStorage implements LimiterStorage {
  constructor(
    private readonly redis: Redis | Cluster,
    /** e.g. `customer-ops:rl`; see `windowKey` / `quotaKey` for the layout. */
    private readonly keyPrefix: string,
  ) {
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: LIMIT_LUA });
  }

  consume(request: LimitRequest): Promise<LimitDecision> {
    return this.run(request, true);
  }

  peek(request: LimitRequest): Promise<LimitDecision> {
    return this.run(request, false);
  }

  async reset(request: LimitRequest): Promise<void> {
    const keys = this.keysOf(request);
    if (keys.length > 0) await this.redis.del(...keys);
  }

  private async run(request: LimitRequest, consume: boolean): Promise<LimitDecision> {
    const keys = this.keysOf(request);
    if (keys.length === 0) return toDecision(request, [], [], true);
    const { now } = request;
    const args: Array<string | number> = [consume ? 1 : 0, now, request.windows.length];
    for (const window of request.windows) {
      const windowMs = window.windowSeconds * 1000;
      args.push(window.limit, now + windowMs, windowMs + WINDOW_EXPIRY_SLACK_MS);
    }
    for (const quota of request.quotas) {
      args.push(quota.limit, quotaPeriod(quota.name, now).resetsAtMs - now + QUOTA_EXPIRY_SLACK_MS);
    }
    const reply = (await (this.redis as unknown as LimitClient)[COMMAND](keys.length, ...keys, ...args)).map(Number);
    const windows = request.windows.map((_, i) => ({ count: reply[1 + 2 * i], resetAt: reply[2 + 2 * i] }));
    const quotaUsed = reply.slice(1 + 2 * request.windows.length);
    return toDecision(request, windows, quotaUsed, reply[0] === 1);
  }

  private keysOf(request: LimitRequest): string[] {
    return [
      ...request.windows.map((window) => windowKey(this.keyPrefix, request, window)),
      ...request.quotas.map((quota) => quotaKey(this.keyPrefix, request, quota)),
    ];
  }
}
