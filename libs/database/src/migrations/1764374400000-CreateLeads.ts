import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from './column-types';

/**
 * Leads with their stored enrichment, the history of recorded outcomes, and the
 * Idempotency-Key records of lead captures. Every table carries an indexed tenant column.
 */
export class CreateLeads1764374400000 implements MigrationInterface {
  name = 'CreateLeads1764374400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'leads',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '64', isNullable: false },
          { name: 'name', type: 'varchar', length: '200', isNullable: false },
          { name: 'phone', type: 'varchar', length: '32', isNullable: true },
          { name: 'email', type: 'varchar', length: '254', isNullable: true },
          { name: 'company', type: 'varchar', length: '200', isNullable: true },
          { name: 'details', type: 'text', isNullable: true },
          { name: 'source', type: 'varchar', length: '64', isNullable: true },
          { name: 'search_text', type: 'text', isNullable: false },
          { name: 'intent', type: 'varchar', length: '16', isNullable: false },
          { name: 'urgency', type: 'varchar', length: '8', isNullable: false },
          { name: 'sentiment', type: 'varchar', length: '8', isNullable: false },
          { name: 'score', type: 'double precision', isNullable: false },
          { name: 'conversion_probability', type: 'double precision', isNullable: true },
          { name: 'outcome', type: 'varchar', length: '16', isNullable: true },
          { name: 'outcome_at', type: ts, isNullable: true },
          { name: 'time_to_conversion_seconds', type: 'integer', isNullable: true },
          { name: 'created_at', type: ts, isNullable: false },
        ],
      }),
      true,
    );
    await queryRunner.createIndex(
      'leads',
      new TableIndex({ name: 'idx_leads_tenant_created', columnNames: ['tenant', 'created_at', 'id'] }),
    );
    await queryRunner.createIndex(
      'leads',
      new TableIndex({ name: 'idx_leads_tenant_outcome', columnNames: ['tenant', 'outcome'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'lead_outcomes',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '64', isNullable: false },
          { name: 'lead_id', type: 'varchar', length: '36', isNullable: false },
          { name: 'outcome', type: 'varchar', length: '16', isNullable: false },
          { name: 'notes', type: 'varchar', length: '500', isNullable: true },
          { name: 'time_to_conversion_seconds', type: 'integer', isNullable: true },
          { name: 'recorded_at', type: ts, isNullable: false },
        ],
        foreignKeys: [
          {
            columnNames: ['lead_id'],
            referencedTableName: 'leads',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
      true,
    );
    await queryRunner.createIndex(
      'lead_outcomes',
      new TableIndex({ name: 'idx_lead_outcomes_tenant_lead', columnNames: ['tenant', 'lead_id', 'recorded_at'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'tenant', type: 'varchar', length: '64', isPrimary: true },
          { name: 'key', type: 'varchar', length: '255', isPrimary: true },
          { name: 'request_hash', type: 'varchar', length: '64', isNullable: false },
          { name: 'state', type: 'varchar', length: '16', isNullable: false },
          { name: 'response_status', type: 'integer', isNullable: true },
          { name: 'response_body', type: 'text', isNullable: true },
          { name: 'created_at', type: ts, isNullable: false },
          { name: 'expires_at', type: ts, isNullable: false },
        ],
      }),
      true,
    );
    await queryRunner.createIndex(
      'idempotency_keys',
      new TableIndex({ name: 'idx_idempotency_expires', columnNames: ['expires_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_keys', true);
    await queryRunner.dropTable('lead_outcomes', true);
    await queryRunner.dropTable('leads', true);
  }
}
