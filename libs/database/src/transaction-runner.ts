import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs units of work in a transaction. On SQLite, TypeORM shares one connection between all
 * callers, so overlapping transactions would nest into each other: there they are queued and
 * run one at a time. On Postgres each transaction gets its own pooled connection.
 */
@Injectable()
export class TransactionRunner {
  private readonly serialize: boolean;
  private queue: Promise<void> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialize) return this.dataSource.transaction(work);
    const result = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
