import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from './column-types';

/** Keys minted through the admin API. Only SHA-256 digests are stored, never key material. */
export class CreateApiKeys1764288000000 implements MigrationInterface {
  name = 'CreateApiKeys1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '64', isNullable: false },
          { name: 'key_hash', type: 'varchar', length: '64', isNullable: false, isUnique: true },
          { name: 'fingerprint', type: 'varchar', length: '16', isNullable: false },
          { name: 'created_at', type: ts, isNullable: false },
          { name: 'expires_at', type: ts, isNullable: true },
          { name: 'revoked_at', type: ts, isNullable: true },
        ],
      }),
      true,
    );
    await queryRunner.createIndex('api_keys', new TableIndex({ name: 'idx_api_keys_tenant', columnNames: ['tenant'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('api_keys', true);
  }
}
