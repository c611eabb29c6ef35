import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { TransactionRunner } from '@app/database';
import { LeadEntity } from '../leads/entities/lead.entity';
import { ModelVersionEntity } from './entities/model-version.entity';
import { NEGATIVE_OUTCOMES, POSITIVE_OUTCOMES } from './features';

const MAX_TRAINING_ROWS = 200_000;

/** Training data (labelled leads of every tenant) and stored model versions. */
@Injectable()
export class ModelRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  /**
   * Leads whose latest outcome is final (booked, ghosted, unqualified, spam), across all
   * tenants: the model is shared. In a stable order, so training is reproducible.
   */
  labelledLeads(): Promise<LeadEntity[]> {
    return this.dataSource.getRepository(LeadEntity).find({
      where: { outcome: In([...POSITIVE_OUTCOMES, ...NEGATIVE_OUTCOMES]) },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: MAX_TRAINING_ROWS,
    });
  }

  activeVersion(): Promise<ModelVersionEntity | null> {
    return this.dataSource
      .getRepository(ModelVersionEntity)
      .findOne({ where: { active: true }, order: { version: 'DESC' } });
  }

  async activeVersionNumber(): Promise<number | null> {
    const row = await this.dataSource
      .getRepository(ModelVersionEntity)
      .findOne({ select: { version: true }, where: { active: true }, order: { version: 'DESC' } });
    return row?.version ?? null;
  }

  /** Stores a new version as the only active one; numbers it after the latest version. */
  saveActive(version: Omit<ModelVersionEntity, 'version' | 'active'>): Promise<ModelVersionEntity> {
    return this.transactions.run(async (manager) => {
      const repository = manager.getRepository(ModelVersionEntity);
      const latest = await repository.findOne({ select: { version: true }, where: {}, order: { version: 'DESC' } });
      const row: ModelVersionEntity = { ...version, version: (latest?.version ?? 0) + 1, active: true };
      await repository.update({ active: true }, { active: false });
      await repository.insert(row);
      return row;
    });
  }
}
