import { TimestampColumn } from '@app/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const TENANT_STATUSES = ['active', 'suspended'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

@Entity('tenants')
export class TenantEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tenant: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200, nullable: true })
  displayName: string | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: TenantStatus;

  @Column({ type: 'varchar', length: 64, default: 'default' })
  plan: string;

  /** JSON: this tenant's overrides of its plan's windows or quotas. */
  @Column({ type: 'text', nullable: true })
  limits: string | null;

  /** Bumped by every change, so instances notice changes with one cheap query. */
  @Column({ type: 'integer', default: 0 })
  revision: number;

  @TimestampColumn({ name: 'created_at', default: () => 'CURRENT_TIMESTAMP' })
  createdAt: Date;

  @TimestampColumn({ name: 'updated_at', default: () => 'CURRENT_TIMESTAMP' })
  updatedAt: Date;
}
