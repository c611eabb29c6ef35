import { TimestampColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('leads')
@Index('idx_leads_tenant_created', ['tenant', 'createdAt', 'id'])
@Index('idx_leads_tenant_outcome', ['tenant', 'outcome'])
export class LeadEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  tenant: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  phone: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  company: string | null;

  @Column({ type: 'text', nullable: true })
  details: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  source: string | null;

  /** Lower-cased name, company and details: what search matches, identically on every database. */
  @Column({ name: 'search_text', type: 'text', select: false })
  searchText: string;

  @Column({ type: 'varchar', length: 16 })
  intent: string;

  @Column({ type: 'varchar', length: 8 })
  urgency: string;

  @Column({ type: 'varchar', length: 8 })
  sentiment: string;

  @Column({ type: 'double precision' })
  score: number;

  @Column({ name: 'conversion_probability', type: 'double precision', nullable: true })
  conversionProbability: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  outcome: string | null;

  @TimestampColumn({ name: 'outcome_at', nullable: true })
  outcomeAt: Date | null;

  @Column({ name: 'time_to_conversion_seconds', type: 'integer', nullable: true })
  timeToConversionSeconds: number | null;

  @TimestampColumn({ name: 'created_at' })
  createdAt: Date;
}
