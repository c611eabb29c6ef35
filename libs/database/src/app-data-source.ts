import { Column, ColumnOptions, DataSource } from 'typeorm';

/** Per entity class, the properties declared with @TimestampColumn. */
const timestampColumns = new WeakMap<object, Set<string>>();

/**
 * A point in time. The migrations store it as `timestamptz` on Postgres and `datetime` on
 * SQLite; TypeORM has no one column type that means both, so the column is declared as a Date
 * here and AppDataSource gives it its Postgres type.
 */
export function TimestampColumn(options: Omit<ColumnOptions, 'type'> & { name: string }): PropertyDecorator {
  return (target, property) => {
    const entity = target.constructor;
    timestampColumns.set(entity, (timestampColumns.get(entity) ?? new Set()).add(String(property)));
    Column({ ...options, type: Date })(target, property);
  };
}

/**
 * The DataSource every part of the product builds (the API, the migration commands, the schema
 * check): on Postgres, @TimestampColumn columns are `timestamp with time zone`, as the
 * migrations create them, so `migration:generate --check` compares like with like.
 */
export class AppDataSource extends DataSource {
  protected override async buildMetadatas(): Promise<void> {
    await super.buildMetadatas();
    if (this.options.type !== 'postgres') return;
    for (const entity of this.entityMetadatas) {
      for (const column of entity.columns) {
        if (timestampColumns.get(column.target as object)?.has(column.propertyName)) {
          column.type = 'timestamp with time zone';
        }
      }
    }
  }
}
