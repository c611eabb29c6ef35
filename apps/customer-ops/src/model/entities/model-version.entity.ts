import { TimestampColumn } from '@app/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('model_versions')
export class ModelVersionEntity {
  @PrimaryColumn({ type: 'integer' })
  version: number;

  @TimestampColumn({ name: 'trained_at' })
  trainedAt: Date;

  @Column({ type: 'integer' })
  samples: number;

  @Column({ type: 'integer' })
  positives: number;

  @Column({ type: 'double precision' })
  auc: number;

  /** JSON array of feature names, in the order the weights use. */
  @Column({ name: 'feature_names', type: 'text' })
  featureNames: string;

  /** JSON LogisticModel: weights, bias, means, stds. */
  @Column({ type: 'text' })
  params: string;

  /** JSON of training metrics (split sizes, seed, options). */
  @Column({ type: 'text' })
  metrics: string;

  @Column({ type: 'boolean', default: false })
  active: boolean;
}
