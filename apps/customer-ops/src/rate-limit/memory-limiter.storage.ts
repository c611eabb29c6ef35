import {
  admits,
  LimitDecision,
  LimiterStorage,
  LimitRequest,
  liveWindow,
  quotaKey,
  toDecision,
  WindowCounter,
  windowKey,
} from './limiter-storage';
import { quotaPeriod } from './limits';

/** Sweep expired counters once per this many calls, or per `size()` calls when larger (amortised O(1)). */
const SWEEP_EVERY = 1000;

/**
 * The limiter contract in one process: one counter per window key and per quota period,
 * whatever the number of hits. Each call runs synchronously, so it is atomic within the process.
 * A quota counter lives in the same shape as a window: its `resetAt` is the period's end.
 */
export class MemoryLimiterStorage implements LimiterStorage {
  private readonly counters = new Map<string, WindowCounter>();
  private callsSinceSweep = 0;

  constructor(private readonly keyPrefix = 'rl') {}

  async consume(request: LimitRequest): Promise<LimitDecision> {
    this.maybeSweep(request.now);
    const { windowKeys, quotaKeys, windows, quotaUsed } = this.read(request);
    const allowed = admits(request, windows, quotaUsed);
    if (!allowed) return toDecision(request, windows, quotaUsed, false);

    const counted = request.windows.map((window, i) => ({
      count: windows[i].count + 1,
      resetAt: windows[i].resetAt || request.now + window.windowSeconds * 1000,
    }));
    counted.forEach((counter, i) => this.counters.set(windowKeys[i], counter));
    const used = request.quotas.map((quota, i) => {
      this.counters.set(quotaKeys[i], {
        count: quotaUsed[i] + 1,
        resetAt: quotaPeriod(quota.name, request.now).resetsAtMs,
      });
      return quotaUsed[i] + 1;
    });
    return toDecision(request, counted, used, true);
  }

  async peek(request: LimitRequest): Promise<LimitDecision> {
    const { windows, quotaUsed } = this.read(request);
    return toDecision(request, windows, quotaUsed, admits(request, windows, quotaUsed));
  }

  async reset(request: LimitRequest): Promise<void> {
    const { windowKeys, quotaKeys } = this.read(request);
    for (const key of [...windowKeys, ...quotaKeys]) this.counters.delete(key);
  }

  /** Drops every counter whose window or period has ended. */
  sweep(now: number): void {
    this.callsSinceSweep = 0;
    for (const [key, counter] of this.counters) if (counter.resetAt <= now) this.counters.delete(key);
  }

  /** How many counters are held (expired ones included until the next sweep). */
  size(): number {
    return this.counters.size;
  }

  keys(): string[] {
    return [...this.counters.keys()];
  }

  private read(request: LimitRequest) {
    const windowKeys = request.windows.map((window) => windowKey(this.keyPrefix, request, window));
    const quotaKeys = request.quotas.map((quota) => quotaKey(this.keyPrefix, request, quota));
    const windows = windowKeys.map((key) => liveWindow(this.counters.get(key), request.now));
    const quotaUsed = quotaKeys.map((key) => liveWindow(this.counters.get(key), request.now).count);
    return { windowKeys, quotaKeys, windows, quotaUsed };
  }

  private maybeSweep(now: number): void {
    if (++this.callsSinceSweep >= Math.max(SWEEP_EVERY, this.counters.size)) this.sweep(now);
  }
}
