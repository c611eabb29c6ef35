import { QueryRunner } from 'typeorm';

/** Column types that differ between SQLite and Postgres, chosen per driver. */
export function timestampType(queryRunner: QueryRunner): string {
  return queryRunner.connection.driver.options.type === 'postgres' ? 'timestamptz' : 'datetime';
}
