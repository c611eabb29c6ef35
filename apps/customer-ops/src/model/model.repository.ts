import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TransactionRunner } from '@app/database';
import { ModelVersionEntity } from './entities/model-version.entity';

/** Stored model versions; at most one is active. */
@Injectable()
export class ModelRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

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
