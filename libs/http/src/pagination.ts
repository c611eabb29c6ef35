import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MaxLength } from 'class-validator';
import { DomainError } from './errors';

/** `limit` of a page: an optional integer from 1 to 100, 20 when absent. */
export const DEFAULT_PAGE_SIZE = 20;

export function PageLimit(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(100),
  );
}

/** `cursor` of a page: the previous page's nextCursor. */
export function PageCursorParam(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description: 'nextCursor from the previous page' }),
    IsOptional(),
    IsString(),
    MaxLength(200),
  );
}

/** Position after the last item of a page: newest-first order is (time desc, id desc). */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

export class InvalidCursor extends DomainError {
  constructor() {
    super('bad_request', 'INVALID_CURSOR', 'cursor is not a value returned as nextCursor');
  }
}

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

export function decodeCursor(text: string): PageCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const createdAt = new Date(value[0]);
      const year = createdAt.getUTCFullYear();
      // Only instants a stored lead can have: the databases refuse far-off years.
      if (year >= 1970 && year <= 9999 && /^[0-9a-f-]{36}$/.test(value[1])) return { createdAt, id: value[1] };
    }
  } catch {
    // fall through
  }
  throw new InvalidCursor();
}
