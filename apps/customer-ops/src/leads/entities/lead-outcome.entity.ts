import { TimestampColumn } from '@app/database';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { LeadEntity } from './lead.entity';

/** One recorded outcome; a lead's history is every row with its id, ordered by (recordedAt, id). */
@Entity('lead_outcomes')
@Index('idx_lead_outcomes_tenant_lead', ['tenant', 'leadId', 'recordedAt'])
export class LeadOutcomeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  tenant: string;

  @Column({ name: 'lead_id', type: 'varchar', length: 36 })
  leadId: string;

  /** The foreign key only (erasing a lead erases its history); never loaded. */
  @ManyToOne(() => LeadEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'lead_id' })
  lead?: never;

  @Column({ type: 'varchar', length: 16 })
  outcome: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  notes: string | null;

  @Column({ name: 'time_to_conversion_seconds', type: 'integer', nullable: true })
  timeToConversionSeconds: number | null;

  @TimestampColumn({ name: 'recorded_at' })
  recordedAt: Date;
}
