import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, LessThan } from 'typeorm';
import { isUniqueViolation } from '@app/database';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';

/** Storage of Idempotency-Key records, per tenant. */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims (tenant, key) for a new request. Returns null when claimed, or the record that
   * already holds the key. An expired record is replaced.
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
      if (existing && existing.expiresAt > record.createdAt) return existing;
      await repository.delete({ tenant: record.tenant, key: record.key, expiresAt: LessThan(record.createdAt) });
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

  async purgeExpired(now: Date): Promise<number> {
    const result = await this.dataSource.getRepository(IdempotencyKeyEntity).delete({ expiresAt: LessThan(now) });
    return result.affected ?? 0;
  }
}
