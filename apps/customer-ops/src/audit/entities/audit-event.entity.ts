import { TimestampColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One admin mutation. Never holds a key, a digest or personal data. */
@Entity('audit_events')
@Index('idx_audit_events_at', ['at', 'id'])
@Index('idx_audit_events_tenant_at', ['tenant', 'at', 'id'])
export class AuditEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @TimestampColumn({ name: 'at' })
  at: Date;

  @Column({ type: 'varchar', length: 32 })
  action: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  tenant: string | null;

  /** A key id or fingerprint, when the action is about one key. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  target: string | null;

  /** Fingerprint of the admin key that made the change. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  actor: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  /** JSON: counts, old and new plan, scope; never secrets. */
  @Column({ type: 'text', nullable: true })
  details: string | null;
}
