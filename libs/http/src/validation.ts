import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldIssue, RequestValidationFailed } from './errors';

/** Flattens nested class-validator errors into `{ field: "a.b.0.c", messages }` entries. */
export function fieldIssues(errors: ValidationError[], prefix = ''): FieldIssue[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own: FieldIssue[] = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...fieldIssues(error.children ?? [], field)];
  });
}

/** Key names an object inherits (`__proto__`, `constructor`, `toString`, …) plus `prototype`. */
const RESERVED_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** Every reserved key found at any depth of a parsed body or query, as dotted paths. */
export function reservedKeyIssues(value: unknown, prefix = '', depth = 0): FieldIssue[] {
  if (value === null || typeof value !== 'object' || depth > 32) return [];
  return Object.keys(value).flatMap((key) => {
    const field = prefix ? `${prefix}.${key}` : key;
    if (RESERVED_KEYS.has(key)) return [{ field, messages: [`property ${key} is not allowed`] }];
    return reservedKeyIssues((value as Record<string, unknown>)[key], field, depth + 1);
  });
}

/**
 * class-transformer silently drops keys named like Object.prototype members before
 * validation sees them; refuse them instead, like any other unknown property.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const issues = reservedKeyIssues(value);
      if (issues.length > 0) throw new RequestValidationFailed(issues);
    }
    return super.transform(value, metadata);
  }
}

/** The global validation pipe: strict DTOs, unknown fields rejected, issues per field. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationFailed(fieldIssues(errors)),
  });
}
