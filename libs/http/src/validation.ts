import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldIssue, RequestValidationFailed } from './errors';

/** Flattens nested class-validator errors into `{ field: "a.b.0.c", messages }` entries. */
export function fieldIssues(errors: ValidationError[], prefix = ''): FieldIssue[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own: FieldIssue[] = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...fieldIssues(error.children ?? [], field)];
  });
}

/** The global validation pipe: strict DTOs, unknown fields rejected, issues per field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationFailed(fieldIssues(errors)),
  });
}
