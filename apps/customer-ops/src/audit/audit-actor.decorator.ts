import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { contextOf, type ContextualRequest } from '@app/http';
import { AuditActor as Actor } from './audit.actions';

/** The admin making this request, for the audit row of the change it makes. */
export const AuditActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const context = contextOf(ctx.switchToHttp().getRequest<ContextualRequest>());
  return { actor: context?.actor ?? null, requestId: context?.requestId ?? null };
});
