import type { IncomingMessage } from 'node:http';

/** What the pipeline attaches to every request. */
export interface RequestContext {
  requestId: string;
  /** process.hrtime.bigint() at arrival. */
  startedAt: bigint;
  /** The resolved tenant, once an auth guard has identified the caller. */
  tenant?: string;
  /** Who is calling, for per-caller budgets: a tenant, the operator, or an anonymous client. */
  principal?: { kind: 'tenant' | 'admin' | 'anonymous'; id: string };
  /** Fingerprint of the admin key, on admin routes: the actor of audit rows. */
  actor?: string;
}

/**
 * A request as the pipeline sees it: the Node request itself in middleware (both adapters),
 * express' request in express handlers, or Fastify's request (wrapping `raw`) in Fastify
 * handlers. The context always lives on the Node request.
 */
export type ContextualRequest = IncomingMessage & {
  context?: RequestContext;
  /** Set by the Fastify adapter's onRequest hook: the matched route's path. */
  routeTemplate?: string;
  raw?: ContextualRequest;
  ip?: string;
  route?: { path?: unknown };
  routeOptions?: { url?: string };
  originalUrl?: string;
  path?: string;
};

/** The Node request under whichever request object a handler or guard was given. */
export function nodeRequestOf(req: ContextualRequest): ContextualRequest {
  return req.raw ?? req;
}

export function contextOf(req: ContextualRequest): RequestContext | undefined {
  return nodeRequestOf(req).context;
}

export const REQUEST_ID_HEADER = 'x-request-id';
const VALID_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && VALID_REQUEST_ID.test(value);
}

export function requestIdOf(req: ContextualRequest): string | undefined {
  return contextOf(req)?.requestId;
}

export function elapsedMs(context: RequestContext): number {
  return Number(process.hrtime.bigint() - context.startedAt) / 1e6;
}

/** What handlers need of a response, on both adapters (express Response, Fastify reply). */
export interface ReplyWriter {
  status(code: number): unknown;
  header(name: string, value: string): unknown;
}
