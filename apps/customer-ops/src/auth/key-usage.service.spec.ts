import type { Logger } from 'pino';
import { Clock } from '@app/config';
import { ApiKeyUsageEntity } from './entities/api-key-usage.entity';
import { KeyUsageRepository } from './key-usage.repository';
import { KEY_USAGE_RESOLUTION_MS, KeyUsageRecorder } from './key-usage.service';
import { RegisteredKey } from './registered-key';

class FixedClock extends Clock {
  constructor(public current: number) {
    super();
  }
  override now(): number {
    return this.current;
  }
}

const key = (id: string, tenant = 'ACME'): RegisteredKey => ({
  id,
  tenant,
  source: 'env',
  digest: id,
  fingerprint: 'sha256:00000000',
  createdAt: new Date(0),
  expiresAt: null,
  revokedAt: null,
});

function setup() {
  const writes: ApiKeyUsageEntity[][] = [];
  let fail = false;
  const repository = {
    record: jest.fn(async (rows: ApiKeyUsageEntity[]) => {
      if (fail) throw new Error('database down');
      writes.push(rows);
    }),
  } as unknown as KeyUsageRepository;
  const warn = jest.fn();
  const logger = { warn, info: jest.fn(), error: jest.fn() } as unknown as Logger;
  const clock = new FixedClock(Date.parse('2026-06-01T12:00:00Z'));
  const recorder = new KeyUsageRecorder(repository, clock, logger);
  return { recorder, writes, clock, warn, failWrites: (value: boolean) => (fail = value) };
}

describe('KeyUsageRecorder', () => {
  it('queues at most one write per key per minute and writes the batch on flush', async () => {
    const { recorder, writes, clock } = setup();
    const start = clock.current;
    recorder.used(key('a'), clock.now());
    recorder.used(key('b', 'BETA'), clock.now());
    clock.current += 30_000;
    recorder.used(key('a'), clock.now());
    await recorder.flush();
    expect(writes).toEqual([
      [
        { keyId: 'a', tenant: 'ACME', lastUsedAt: new Date(start) },
        { keyId: 'b', tenant: 'BETA', lastUsedAt: new Date(start) },
      ],
    ]);

    clock.current += 20_000; // 50 s after the first use: still within its minute
    recorder.used(key('a'), clock.now());
    await recorder.flush();
    expect(writes).toHaveLength(1);

    clock.current = start + KEY_USAGE_RESOLUTION_MS;
    recorder.used(key('a'), clock.now());
    await recorder.flush();
    expect(writes[1]).toEqual([{ keyId: 'a', tenant: 'ACME', lastUsedAt: new Date(clock.current) }]);
  });

  it('writes nothing when nothing was used', async () => {
    const { recorder, writes } = setup();
    await recorder.flush();
    expect(writes).toEqual([]);
  });

  it('logs a failed write once and retries it with the next flush', async () => {
    const { recorder, writes, clock, warn, failWrites } = setup();
    failWrites(true);
    recorder.used(key('a'), clock.now());
    await recorder.flush();
    await recorder.flush();
    expect(warn).toHaveBeenCalledTimes(1);
    failWrites(false);
    await recorder.flush();
    expect(writes).toEqual([[expect.objectContaining({ keyId: 'a' })]]);
  });

  it("forgets the queued uses of an erased tenant's keys", async () => {
    const { recorder, writes, clock } = setup();
    recorder.used(key('a'), clock.now());
    recorder.used(key('b', 'BETA'), clock.now());
    recorder.forgetTenant('ACME');
    await recorder.flush();
    expect(writes).toEqual([[expect.objectContaining({ keyId: 'b' })]]);
  });

  it('drops queued uses of keys the registry no longer holds', async () => {
    const { recorder, writes, clock } = setup();
    recorder.used(key('a'), clock.now());
    recorder.used(key('b'), clock.now());
    recorder.retain(new Set(['b']));
    await recorder.flush();
    expect(writes).toEqual([[expect.objectContaining({ keyId: 'b' })]]);
  });

  it('flushes what is queued at shutdown', async () => {
    const { recorder, writes, clock } = setup();
    recorder.onApplicationBootstrap();
    recorder.used(key('a'), clock.now());
    await recorder.beforeApplicationShutdown();
    expect(writes).toHaveLength(1);
  });
});
