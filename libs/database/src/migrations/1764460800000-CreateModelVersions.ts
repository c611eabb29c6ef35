import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { timestampType } from './column-types';

/** Trained conversion-model versions: parameters, feature list and hold-out metrics. */
export class CreateModelVersions1764460800000 implements MigrationInterface {
  name = 'CreateModelVersions1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'model_versions',
        columns: [
          { name: 'version', type: 'integer', isPrimary: true },
          { name: 'trained_at', type: timestampType(queryRunner), isNullable: false },
          { name: 'samples', type: 'integer', isNullable: false },
          { name: 'positives', type: 'integer', isNullable: false },
          { name: 'auc', type: 'double precision', isNullable: false },
          { name: 'feature_names', type: 'text', isNullable: false },
          { name: 'params', type: 'text', isNullable: false },
          { name: 'metrics', type: 'text', isNullable: false },
          { name: 'active', type: 'boolean', isNullable: false, default: false },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('model_versions', true);
  }
}
