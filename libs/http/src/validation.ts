import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldIssue, RequestValidationFailed, UnsupportedMediaType } from './errors';
import { NON_JSON_BODY } from './pipeline/json-body.middleware';

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

/**
 * Every reserved key found at any depth of a parsed body or query, as dotted paths, in
 * document order. Walks with an explicit stack, so depth cannot exhaust the call stack.
 */
export function reservedKeyIssues(value: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const frames: Array<{ object: Record<string, unknown>; keys: string[]; next: number; prefix: string }> = [];
  const enter = (candidate: unknown, prefix: string) => {
    if (candidate === null || typeof candidate !== 'object') return;
    const object = candidate as Record<string, unknown>;
    frames.push({ object, keys: Object.keys(object), next: 0, prefix });
  };
  enter(value, '');
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    if (frame.next === frame.keys.length) {
      frames.pop();
      continue;
    }
    const key = frame.keys[frame.next++];
    const field = frame.prefix ? `${frame.prefix}.${key}` : key;
    if (RESERVED_KEYS.has(key)) issues.push({ field, messages: [`property ${key} is not allowed`] });
    else enter(frame.object[key], field);
  }
  return issues;
}

/**
 * The pipe's own checks before class-validator runs: a body sent as anything but JSON is
 * refused (415) on the routes that take one, and class-transformer silently drops keys named
 * like Object.prototype members, so they are refused instead, like any other unknown property.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && value === NON_JSON_BODY) throw new UnsupportedMediaType();
    if (metadata.type === 'body' || metadata.type === 'query') {
      const issues = reservedKeyIssues(value);
      if (issues.length > 0) throw new RequestValidationFailed(issues);
    }
    return super.transform(value, metadata);
  }
}

/**
 * The global validation pipe: strict DTOs, unknown fields rejected, issues per field (at most
 * MAX_ERROR_DETAILS of them, then a count of the rest).
 */
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
