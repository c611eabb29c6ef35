import { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = ['created_at', 'updated_at'];

/**
 * Postgres keeps a `CURRENT_TIMESTAMP` default as written, while TypeORM compares entity
 * defaults in their `now()` form; the same default written as `now()` lets
 * `npm run migration:check` find no difference. Same meaning; nothing to do on SQLite.
 */
export class TenantTimestampDefaults1764720000000 implements MigrationInterface {
  name = 'TenantTimestampDefaults1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.setDefault(queryRunner, 'now()');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.setDefault(queryRunner, 'CURRENT_TIMESTAMP');
  }

  private async setDefault(queryRunner: QueryRunner, value: string): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'postgres') return;
    const changes = COLUMNS.map((column) => `ALTER COLUMN "${column}" SET DEFAULT ${value}`).join(', ');
    await queryRunner.query(`ALTER TABLE "tenants" ${changes}`);
  }
}
