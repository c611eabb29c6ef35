import type { Logger } from 'pino';
import { AppConfig, Clock } from '@app/config';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import { LeadEntity } from './entities/lead.entity';
import { ABANDONED_CLAIM_MS, IdempotencyRepository, KeyHolder, StoredRow } from './idempotency.repository';
import {
  IDEMPOTENCY_TTL_MS,
  IdempotencyService,
  PURGE_BATCH_SIZE,
  PURGE_MAX_BATCHES,
  requestHash,
} from './idempotency.service';
import { IdempotencyKeyInvalid, IdempotencyKeyReused, IdempotentRequestInFlight } from './leads.errors';

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

describe('IdempotencyService.execute', () => {
  const NOW = Date.parse('2026-06-01T12:00:00.000Z');
  const request = { name: 'Jane Roofer', email: 'jane@example.com' };
  const body = { id: 'lead-1', name: 'Jane Roofer' };
  const store = { target: LeadEntity, row: { id: 'lead-1' } } as unknown as StoredRow<LeadEntity>;
  let claimWith: jest.Mock<Promise<boolean>, [IdempotencyKeyEntity, StoredRow<LeadEntity>]>;
  let holder: jest.Mock<Promise<KeyHolder | null>, [string, string]>;
  let work: jest.Mock;
  let service: IdempotencyService;

  const record = (overrides: Partial<KeyHolder> = {}): KeyHolder => ({
    requestHash: requestHash(request),
    state: 'done',
    responseStatus: 201,
    responseBody: JSON.stringify({ id: 'first', name: 'Jane Roofer' }),
    createdAt: new Date(NOW - 60_000),
    expiresAt: new Date(NOW + 60_000),
    ...overrides,
  });
  const run = () => service.execute('ACME', 'order-1', request, 201, work);

  beforeEach(() => {
    claimWith = jest.fn<Promise<boolean>, [IdempotencyKeyEntity, StoredRow<LeadEntity>]>().mockResolvedValue(true);
    holder = jest.fn<Promise<KeyHolder | null>, [string, string]>().mockResolvedValue(null);
    work = jest.fn(() => ({ body, store }));
    service = new IdempotencyService(
      { claimWith, holder } as unknown as IdempotencyRepository,
      { idempotencyPurgeIntervalMs: INTERVAL_MS } as AppConfig,
      new FixedClock(NOW),
      { warn: jest.fn(), debug: jest.fn() } as unknown as Logger,
    );
  });

  it('a new key: one claim storing the row with the done record and its response, nothing else', async () => {
    expect(await run()).toEqual({ status: 201, body, replayed: false });
    expect(claimWith).toHaveBeenCalledTimes(1);
    expect(claimWith).toHaveBeenCalledWith(
      {
        tenant: 'ACME',
        key: 'order-1',
        requestHash: requestHash(request),
        state: 'done',
        responseStatus: 201,
        responseBody: JSON.stringify(body),
        createdAt: new Date(NOW),
        expiresAt: new Date(NOW + IDEMPOTENCY_TTL_MS),
      },
      store,
    );
    expect(holder).not.toHaveBeenCalled();
  });

  it('a held key with the same body: the stored response, replayed, without storing anything', async () => {
    claimWith.mockResolvedValue(false);
    holder.mockResolvedValue(record({ responseStatus: 201 }));
    expect(await run()).toEqual({ status: 201, body: { id: 'first', name: 'Jane Roofer' }, replayed: true });
    expect(claimWith).toHaveBeenCalledTimes(1);
    expect(holder).toHaveBeenCalledWith('ACME', 'order-1');
  });

  it('a held key with another body: 422', async () => {
    claimWith.mockResolvedValue(false);
    holder.mockResolvedValue(record({ requestHash: requestHash({ name: 'Someone Else' }) }));
    await expect(run()).rejects.toBeInstanceOf(IdempotencyKeyReused);
  });

  it('a claim still in flight: 409 until it is abandoned, then claimed again', async () => {
    claimWith.mockResolvedValue(false);
    holder.mockResolvedValue(record({ state: 'in_flight', responseBody: null, createdAt: new Date(NOW - 1000) }));
    await expect(run()).rejects.toBeInstanceOf(IdempotentRequestInFlight);

    claimWith.mockReset().mockResolvedValueOnce(false).mockResolvedValue(true);
    holder.mockResolvedValue(
      record({ state: 'in_flight', responseBody: null, createdAt: new Date(NOW - ABANDONED_CLAIM_MS - 1) }),
    );
    expect(await run()).toMatchObject({ status: 201, body, replayed: false });
    expect(claimWith).toHaveBeenCalledTimes(2);
  });

  it('a holder that vanished or expired between the two statements: claimed again', async () => {
    claimWith.mockResolvedValueOnce(false).mockResolvedValueOnce(false).mockResolvedValue(true);
    holder.mockResolvedValueOnce(null).mockResolvedValueOnce(record({ expiresAt: new Date(NOW) }));
    expect(await run()).toMatchObject({ replayed: false });
    expect(claimWith).toHaveBeenCalledTimes(3);
  });

  it('gives up after three claims that each found the key taken and then free', async () => {
    claimWith.mockResolvedValue(false);
    await expect(run()).rejects.toThrow('idempotency key could not be claimed');
    expect(claimWith).toHaveBeenCalledTimes(3);
  });

  it('an invalid key is refused before any work or statement', async () => {
    await expect(service.execute('ACME', 'has space', request, 201, work)).rejects.toBeInstanceOf(
      IdempotencyKeyInvalid,
    );
    expect(work).not.toHaveBeenCalled();
    expect(claimWith).not.toHaveBeenCalled();
  });

  it('a failing claim statement fails the request and leaves nothing to release', async () => {
    claimWith.mockRejectedValue(new Error('connection terminated'));
    await expect(run()).rejects.toThrow('connection terminated');
    expect(claimWith).toHaveBeenCalledTimes(1);
    expect(holder).not.toHaveBeenCalled();
  });
});
