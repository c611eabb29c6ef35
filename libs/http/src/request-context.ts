import type { Request } from 'express';

/** What the pipeline attaches to every request. */
export interface RequestContext {
  requestId: string;
  /** process.hrtime.bigint() at arrival. */
  startedAt: bigint;
  /** The resolved tenant, once an auth guard has identified the caller. */
  tenant?: string;
  /** Who is calling, for per-caller budgets: a tenant, the operator, or an anonymous client. */
  principal?: { kind: 'tenant' | 'admin' | 'anonymous'; id: string };
}

export type ContextualRequest = Request & { context?: RequestContext };

export const REQUEST_ID_HEADER = 'x-request-id';
const VALID_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && VALID_REQUEST_ID.test(value);
}

export function requestIdOf(req: ContextualRequest): string | undefined {
  return req.context?.requestId;
}

export function elapsedMs(context: RequestContext): number {
  return Number(process.hrtime.bigint() - context.startedAt) / 1e6;
}
