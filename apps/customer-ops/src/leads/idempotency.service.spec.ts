import type { Logger } from 'pino';
import { AppConfig, Clock } from '@app/config';
import { TransactionRunner } from '@app/database';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotencyService, PURGE_BATCH_SIZE, PURGE_MAX_BATCHES } from './idempotency.service';

class FixedClock extends Clock {
  constructor(public current: number) {
    super();
  }
  override now(): number {
    return this.current;
  }
}

const INTERVAL_MS = 600_000;

describe('IdempotencyService purge', () => {
  let purgeExpired: jest.Mock<Promise<number>, [Date, number]>;
  let warn: jest.Mock;
  let clock: FixedClock;
  let service: IdempotencyService;

  beforeEach(() => {
    jest.useFakeTimers();
    purgeExpired = jest.fn<Promise<number>, [Date, number]>().mockResolvedValue(0);
    warn = jest.fn();
    clock = new FixedClock(Date.parse('2026-06-01T12:00:00.000Z'));
    service = new IdempotencyService(
      { purgeExpired } as unknown as IdempotencyRepository,
      {} as TransactionRunner,
      { idempotencyPurgeIntervalMs: INTERVAL_MS } as AppConfig,
      clock,
      { warn, debug: jest.fn() } as unknown as Logger,
    );
  });

  afterEach(async () => {
    await service.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('purges once at start-up, before the app serves, with the clock as now', async () => {
    await service.onApplicationBootstrap();
    expect(purgeExpired).toHaveBeenCalledTimes(1);
    expect(purgeExpired).toHaveBeenCalledWith(new Date(clock.current), PURGE_BATCH_SIZE);
  });

  it('then every interval, on an unref’d timer that shutdown stops', async () => {
    await service.onApplicationBootstrap();
    expect(jest.getTimerCount()).toBe(1);
    clock.current += INTERVAL_MS;
    await jest.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    expect(purgeExpired).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(purgeExpired).toHaveBeenCalledTimes(2);
    expect(purgeExpired).toHaveBeenLastCalledWith(new Date(clock.current), PURGE_BATCH_SIZE);
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(purgeExpired).toHaveBeenCalledTimes(3);

    await service.onApplicationShutdown();
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(purgeExpired).toHaveBeenCalledTimes(3);
  });

  it('does not keep the process alive', async () => {
    const setIntervalSpy = jest.spyOn(global, 'setInterval');
    await service.onApplicationBootstrap();
    const timer = setIntervalSpy.mock.results[0].value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    setIntervalSpy.mockRestore();
  });

  it('deletes in batches until one comes back short', async () => {
    purgeExpired.mockResolvedValueOnce(PURGE_BATCH_SIZE).mockResolvedValueOnce(PURGE_BATCH_SIZE).mockResolvedValue(7);
    expect(await service.purgeNow()).toBe(2 * PURGE_BATCH_SIZE + 7);
    expect(purgeExpired).toHaveBeenCalledTimes(3);
    // One "now" for the whole run.
    expect(new Set(purgeExpired.mock.calls.map(([now]) => now.getTime())).size).toBe(1);
  });

  it('stops after PURGE_MAX_BATCHES statements; the next run continues', async () => {
    purgeExpired.mockResolvedValue(PURGE_BATCH_SIZE);
    expect(await service.purgeNow()).toBe(PURGE_MAX_BATCHES * PURGE_BATCH_SIZE);
    expect(purgeExpired).toHaveBeenCalledTimes(PURGE_MAX_BATCHES);
  });

  it('a call while a purge runs joins it instead of starting another', async () => {
    let finish!: (n: number) => void;
    purgeExpired.mockReturnValueOnce(new Promise<number>((resolve) => (finish = resolve)));
    const first = service.purgeNow();
    const second = service.purgeNow();
    finish(3);
    expect(await Promise.all([first, second])).toEqual([3, 3]);
    expect(purgeExpired).toHaveBeenCalledTimes(1);
    await service.purgeNow();
    expect(purgeExpired).toHaveBeenCalledTimes(2);
  });

  it('a failing database is logged and retried on the next run; start-up goes on', async () => {
    purgeExpired.mockResolvedValueOnce(PURGE_BATCH_SIZE).mockRejectedValueOnce(new Error('connection refused'));
    await expect(service.onApplicationBootstrap()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ removed: PURGE_BATCH_SIZE }), expect.any(String));
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(purgeExpired).toHaveBeenCalledTimes(3);
  });

  it('shutdown waits for a running purge', async () => {
    let finish!: (n: number) => void;
    purgeExpired.mockReturnValueOnce(new Promise<number>((resolve) => (finish = resolve)));
    const running = service.purgeNow();
    let stopped = false;
    const stopping = service.onApplicationShutdown().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    finish(0);
    await stopping;
    await running;
    expect(stopped).toBe(true);
  });
});
