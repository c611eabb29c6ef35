import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from './column-types';

/** When each API key (of any source) last authenticated a request, written at most once a minute. */
export class ApiKeyUsage1764633600000 implements MigrationInterface {
  name = 'ApiKeyUsage1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'api_key_usage',
        columns: [
          { name: 'key_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '64', isNullable: false },
          { name: 'last_used_at', type: ts, isNullable: false },
        ],
      }),
      true,
    );
    await queryRunner.createIndex(
      'api_key_usage',
      new TableIndex({ name: 'idx_api_key_usage_tenant', columnNames: ['tenant'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('api_key_usage', true);
  }
}
