import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { timestampType } from './column-types';

/**
 * Tenants become data with a lifecycle and a plan (existing tenants: active, plan default),
 * and admin changes get an audit trail.
 */
export class TenantLifecycle1764547200000 implements MigrationInterface {
  name = 'TenantLifecycle1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.addColumns('tenants', [
      new TableColumn({ name: 'status', type: 'varchar', length: '16', isNullable: false, default: "'active'" }),
      new TableColumn({ name: 'plan', type: 'varchar', length: '64', isNullable: false, default: "'default'" }),
      new TableColumn({ name: 'limits', type: 'text', isNullable: true }),
      new TableColumn({ name: 'revision', type: 'integer', isNullable: false, default: 0 }),
      new TableColumn({ name: 'updated_at', type: ts, isNullable: false, default: 'CURRENT_TIMESTAMP' }),
    ]);
    await queryRunner.query('UPDATE tenants SET updated_at = created_at');

    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'at', type: ts, isNullable: false },
          { name: 'action', type: 'varchar', length: '32', isNullable: false },
          { name: 'tenant', type: 'varchar', length: '64', isNullable: true },
          { name: 'target', type: 'varchar', length: '64', isNullable: true },
          { name: 'actor', type: 'varchar', length: '32', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'details', type: 'text', isNullable: true },
        ],
      }),
      true,
    );
    await queryRunner.createIndex(
      'audit_events',
      new TableIndex({ name: 'idx_audit_events_at', columnNames: ['at', 'id'] }),
    );
    await queryRunner.createIndex(
      'audit_events',
      new TableIndex({ name: 'idx_audit_events_tenant_at', columnNames: ['tenant', 'at', 'id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_events', true);
    for (const column of ['updated_at', 'revision', 'limits', 'plan', 'status']) {
      await queryRunner.dropColumn('tenants', column);
    }
  }
}
