import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { timestampType } from './column-types';

/** Tenants known to the service. Written with the Table API so it runs on SQLite and Postgres. */
export class CreateTenants1764201600000 implements MigrationInterface {
  name = 'CreateTenants1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'tenants',
        columns: [
          { name: 'tenant', type: 'varchar', length: '64', isPrimary: true },
          { name: 'display_name', type: 'varchar', length: '200', isNullable: true },
          { name: 'created_at', type: timestampType(queryRunner), isNullable: false, default: 'CURRENT_TIMESTAMP' },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('tenants', true);
  }
}
