import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { TransactionRunner } from '@app/database';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import { EntityColumns, fromDatabaseDate, NativeStatement, sqlDialect, SqlDialect, Stored } from './native-sql';

/**
 * A claim still in flight after this long belongs to a request that died before it could
 * release it (e.g. the database went away mid-request): it is taken over.
 */
export const ABANDONED_CLAIM_MS = 30_000;

/** The one row an idempotent request stores: written with its claim, or not at all. */
export interface StoredRow<E extends ObjectLiteral> {
  target: EntityTarget<E>;
  row: E;
}

/** What a request that finds its key taken needs to know of the record holding it. */
export type KeyHolder = Pick<
  IdempotencyKeyEntity,
  'requestHash' | 'state' | 'responseStatus' | 'responseBody' | 'createdAt' | 'expiresAt'
>;

/**
 * Whether `holder` still holds its key at `now`: not expired, and not an in-flight claim
 * abandoned ABANDONED_CLAIM_MS ago. The same rule as the claim statement's takeover condition.
 */
export function holdsKey(holder: Pick<KeyHolder, 'state' | 'createdAt' | 'expiresAt'>, now: Date): boolean {
  const abandoned = holder.state === 'in_flight' && holder.createdAt.getTime() < now.getTime() - ABANDONED_CLAIM_MS;
  return holder.expiresAt.getTime() > now.getTime() && !abandoned;
}

/** The upsert's takeover condition: the record found no longer holds its key (see holdsKey). */
const TAKEOVER =
  '"idempotency_keys"."expires_at" <= :now OR ' +
  `("idempotency_keys"."state" = 'in_flight' AND "idempotency_keys"."created_at" < :abandonedBefore)`;

interface ClaimStatements {
  /** Postgres: the claim and the row in one statement; returns a row when claimed. */
  together?: NativeStatement<string>;
  /** SQLite: the claim (returns a row when claimed), then the row, in one transaction. */
  claim?: NativeStatement<string>;
  insert?: NativeStatement<string>;
  columns: EntityColumns<ObjectLiteral>;
}

/** Storage of Idempotency-Key records, per tenant. */
@Injectable()
export class IdempotencyRepository {
  private readonly dialect: SqlDialect;
  private readonly keyColumns: EntityColumns<IdempotencyKeyEntity>;
  private readonly claims = new Map<EntityTarget<ObjectLiteral>, ClaimStatements>();
  private readonly holderStatement: NativeStatement<'tenant' | 'key'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {
    this.dialect = sqlDialect(dataSource);
    this.keyColumns = new EntityColumns(dataSource, IdempotencyKeyEntity, 'claim');
    this.holderStatement = new NativeStatement(
      this.dialect,
      'SELECT "request_hash" AS "requestHash", "state", "response_status" AS "responseStatus", ' +
        '"response_body" AS "responseBody", "created_at" AS "createdAt", "expires_at" AS "expiresAt" ' +
        'FROM "idempotency_keys" WHERE "tenant" = :tenant AND "key" = :key',
    );
  }

  /**
   * Claims (record.tenant, record.key) with `record` (its response included) and stores
   * `stored` with it, atomically: true when claimed, false (storing nothing) when a record
   * holding the key is there. An expired record, or an abandoned in-flight claim, is taken
   * over. On Postgres this is one statement, so a new key costs one round trip; a concurrent
   * claim of the same key waits for it and then finds the key held. On SQLite it is one
   * transaction.
   */
  async claimWith<E extends ObjectLiteral>(record: IdempotencyKeyEntity, stored: StoredRow<E>): Promise<boolean> {
    const statements = this.claimStatements(stored.target);
    const params = {
      ...this.keyColumns.values(record),
      ...statements.columns.values(stored.row),
      now: record.createdAt,
      abandonedBefore: new Date(record.createdAt.getTime() - ABANDONED_CLAIM_MS),
    };
    if (statements.together) {
      const rows = await this.dataSource.query<unknown[]>(statements.together.text, statements.together.values(params));
      return rows.length > 0;
    }
    const { claim, insert } = statements as Required<ClaimStatements>;
    return this.transactions.run(async (manager) => {
      const claimed = await manager.query<unknown[]>(claim.text, claim.values(params));
      if (claimed.length === 0) return false;
      await manager.query(insert.text, insert.values(params));
      return true;
    });
  }

  /** The record holding (tenant, key), if any. */
  async holder(tenant: string, key: string): Promise<KeyHolder | null> {
    const statement = this.holderStatement;
    const rows = await this.dataSource.query<Stored<KeyHolder>[]>(statement.text, statement.values({ tenant, key }));
    if (rows.length === 0) return null;
    const row = rows[0];
    return { ...row, createdAt: fromDatabaseDate(row.createdAt), expiresAt: fromDatabaseDate(row.expiresAt) };
  }

  /**
   * Deletes up to `batch` records that expired before `now`, in one statement (the oldest
   * first, through idx_idempotency_expires), and returns how many it deleted.
   */
  async purgeExpired(now: Date, batch: number): Promise<number> {
    const repository = this.dataSource.getRepository(IdempotencyKeyEntity);
    const expired = repository
      .createQueryBuilder('expired')
      .select(['expired.tenant', 'expired.key'])
      .where('expired.expiresAt < :now')
      .orderBy('expired.expiresAt', 'ASC')
      .limit(batch);
    const column = (name: string) => this.dataSource.driver.escape(name);
    const result = await repository
      .createQueryBuilder()
      .delete()
      .where(`(${column('tenant')}, ${column('key')}) IN (${expired.getQuery()})`, { now })
      .execute();
    return result.affected ?? 0;
  }

  private claimStatements(target: EntityTarget<ObjectLiteral>): ClaimStatements {
    let statements = this.claims.get(target);
    if (statements) return statements;
    const key = this.keyColumns;
    const columns = new EntityColumns<ObjectLiteral>(this.dataSource, target, 'row');
    const claim =
      `INSERT INTO ${key.table} (${key.names}) VALUES (${key.parameters}) ` +
      `ON CONFLICT ("tenant", "key") DO UPDATE SET ${key.excludedExcept(['tenant', 'key'])} WHERE ${TAKEOVER}`;
    if (this.dialect === 'postgres') {
      // Data-modifying CTEs run once, whether or not read, all in the statement's one snapshot:
      // the row is inserted only when the claim returned one.
      statements = {
        columns,
        together: new NativeStatement(
          this.dialect,
          `WITH "claimed" AS (${claim} RETURNING 1) ` +
            `INSERT INTO ${columns.table} (${columns.names}) SELECT ${columns.parameters} ` +
            'WHERE EXISTS (SELECT 1 FROM "claimed") RETURNING 1 AS "stored"',
        ),
      };
    } else {
      statements = {
        columns,
        claim: new NativeStatement(this.dialect, `${claim} RETURNING 1 AS "claimed"`),
        insert: new NativeStatement(
          this.dialect,
          `INSERT INTO ${columns.table} (${columns.names}) VALUES (${columns.parameters})`,
        ),
      };
    }
    this.claims.set(target, statements);
    return statements;
  }
}
