import type { Application } from 'express';
import { match, MatchFunction } from 'path-to-regexp';
import { ContextualRequest, nodeRequestOf } from './request-context';

/** The label used for requests that matched no route. */
export const UNMATCHED_ROUTE = 'unmatched';

interface RouteEntry {
  template: string;
  methods: Set<string>;
  matches: MatchFunction<object>;
}

interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

const tables = new WeakMap<Application, { size: number; routes: RouteEntry[] }>();

function routeTable(app: Application): RouteEntry[] {
  const stack = ((app as unknown as { router?: { stack?: RouterLayer[] } }).router?.stack ?? []) as RouterLayer[];
  const cached = tables.get(app);
  if (cached && cached.size === stack.length) return cached.routes;
  const routes: RouteEntry[] = [];
  for (const layer of stack) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    routes.push({
      template: layer.route.path,
      methods: new Set(Object.keys(layer.route.methods).map((m) => m.toUpperCase())),
      matches: match(layer.route.path, { decode: false }),
    });
  }
  tables.set(app, { size: stack.length, routes });
  return routes;
}

/**
 * The route template a request belongs to (`/v1/leads/:id`), or `unmatched`. Under Fastify the
 * adapter's onRequest hook records it; under express it is the matched route, and requests
 * answered before routing (rejected host, bad body) are looked up in the router table. Labels
 * never carry raw paths, ids or query strings.
 */
export function routeTemplateOf(req: ContextualRequest): string {
  const node = nodeRequestOf(req);
  if (node.routeTemplate) return node.routeTemplate;
  const routed = node.route?.path;
  if (typeof routed === 'string') return routed;
  const app = (node as { app?: Application }).app;
  if (!app) return UNMATCHED_ROUTE;
  const path = (node.originalUrl ?? node.url ?? '').split('?')[0];
  const method = (node.method ?? 'GET').toUpperCase();
  for (const entry of routeTable(app)) {
    const methodOk =
      entry.methods.has(method) || entry.methods.has('_ALL') || (method === 'HEAD' && entry.methods.has('GET'));
    if (methodOk && entry.matches(path)) return entry.template;
  }
  return UNMATCHED_ROUTE;
}
