import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { Clock } from '@app/config';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, PINO_LOGGER } from '@app/http';
import { AuditActor, AuditEvent } from './audit.actions';
import { AuditRepository } from './audit.repository';
import { AuditPageDto, AuditQuery } from './dto/audit.dto';
import { AuditEventEntity } from './entities/audit-event.entity';

/**
 * The audit trail of admin mutations. `record` writes the row in the caller's transaction,
 * so a change and its audit row commit or roll back together; the log line is written once
 * the caller's transaction has committed (`logCommitted`).
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly clock: Clock,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  async record(manager: EntityManager, actor: AuditActor, event: AuditEvent): Promise<AuditEventEntity> {
    const row: AuditEventEntity = {
      id: randomUUID(),
      at: this.clock.date(),
      action: event.action,
      tenant: event.tenant ?? null,
      target: event.target ?? null,
      actor: actor.actor,
      requestId: actor.requestId,
      details: event.details ? JSON.stringify(event.details) : null,
    };
    await this.repository.insert(row, manager);
    return row;
  }

  /** The audit line in the log, for a row whose transaction has committed. */
  logCommitted(row: AuditEventEntity): void {
    this.logger.info(
      {
        event: 'audit',
        action: row.action,
        tenant: row.tenant ?? undefined,
        target: row.target ?? undefined,
        actor: row.actor ?? undefined,
        ...(row.details ? (JSON.parse(row.details) as object) : {}),
      },
      'audit',
    );
  }

  async list(query: AuditQuery): Promise<AuditPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    const rows = await this.repository.page(
      { tenant: query.tenant?.toUpperCase(), action: query.action },
      cursor ? { at: cursor.createdAt, id: cursor.id } : null,
      limit,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((row) => ({
        id: row.id,
        at: row.at.toISOString(),
        action: row.action,
        tenant: row.tenant,
        target: row.target,
        actor: row.actor,
        requestId: row.requestId,
        details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.at, id: last.id }) : null,
    };
  }
}
