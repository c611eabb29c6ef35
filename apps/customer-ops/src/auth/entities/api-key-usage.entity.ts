import { TimestampColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * When a key last authenticated a request, to the minute. One row per key of any source:
 * env and file key ids look like `env-1a2b3c4d5e6f`, minted ones are UUIDs.
 */
@Entity('api_key_usage')
export class ApiKeyUsageEntity {
  @PrimaryColumn({ name: 'key_id', type: 'varchar', length: 64 })
  keyId: string;

  @Index('idx_api_key_usage_tenant')
  @Column({ type: 'varchar', length: 64 })
  tenant: string;

  @TimestampColumn({ name: 'last_used_at' })
  lastUsedAt: Date;
}
