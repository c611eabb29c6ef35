import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '@app/database';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';

/**
 * A claim still in flight after this long belongs to a request that died before it could
 * release it (e.g. the database went away mid-request): it is taken over.
 */
export const ABANDONED_CLAIM_MS = 30_000;

/** Storage of Idempotency-Key records, per tenant. */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims (tenant, key) for a new request. Returns null when claimed, or the record that
   * already holds the key. An expired record, or an abandoned in-flight claim, is replaced.
   */
  async claim(record: IdempotencyKeyEntity): Promise<IdempotencyKeyEntity | null> {
    const repository = this.dataSource.getRepository(IdempotencyKeyEntity);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await repository.insert(record);
        return null;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      const existing = await repository.findOneBy({ tenant: record.tenant, key: record.key });
      if (!existing) continue;
      const now = record.createdAt.getTime();
      const abandoned = existing.state === 'in_flight' && existing.createdAt.getTime() < now - ABANDONED_CLAIM_MS;
      if (existing.expiresAt.getTime() > now && !abandoned) return existing;
      // Conditional on the very record read, so two takers cannot both win.
      await repository.delete({
        tenant: record.tenant,
        key: record.key,
        createdAt: existing.createdAt,
        state: existing.state,
      });
    }
    const holder = await repository.findOneBy({ tenant: record.tenant, key: record.key });
    if (!holder) throw new Error('idempotency key could not be claimed');
    return holder;
  }

  async complete(manager: EntityManager, tenant: string, key: string, status: number, body: string): Promise<void> {
    await manager
      .getRepository(IdempotencyKeyEntity)
      .update({ tenant, key }, { state: 'done', responseStatus: status, responseBody: body });
  }

  async release(tenant: string, key: string): Promise<void> {
    await this.dataSource.getRepository(IdempotencyKeyEntity).delete({ tenant, key, state: 'in_flight' });
  }

  /**
   * Deletes up to `batch` records that expired before `now`, in one statement (the oldest
   * first, through idx_idempotency_expires), and returns how many it deleted.
   */
  async purgeExpired(now: Date, batch: number): Promise<number> {
    const repository = this.dataSource.getRepository(IdempotencyKeyEntity);
    const expired = repository
      .createQueryBuilder('expired')
      .select(['expired.tenant', 'expired.key'])
      .where('expired.expiresAt < :now')
      .orderBy('expired.expiresAt', 'ASC')
      .limit(batch);
    const column = (name: string) => this.dataSource.driver.escape(name);
    const result = await repository
      .createQueryBuilder()
      .delete()
      .where(`(${column('tenant')}, ${column('key')}) IN (${expired.getQuery()})`, { now })
      .execute();
    return result.affected ?? 0;
  }
}
