import { TimestampColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type IdempotencyState = 'in_flight' | 'done';

/** An Idempotency-Key seen on POST /v1/leads, with the response it produced. */
@Entity('idempotency_keys')
@Index('idx_idempotency_expires', ['expiresAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tenant: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key: string;

  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ type: 'varchar', length: 16 })
  state: IdempotencyState;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody: string | null;

  @TimestampColumn({ name: 'created_at' })
  createdAt: Date;

  @TimestampColumn({ name: 'expires_at' })
  expiresAt: Date;
}
