import type { Application } from 'express';
import { ContextualRequest, nodeRequestOf } from './request-context';
import { RouteTable } from './route-table';

/** The label used for requests that matched no route. */
export const UNMATCHED_ROUTE = 'unmatched';

interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/** Route tables by platform instance (the express app or the Fastify instance). */
const tables = new WeakMap<object, { table: RouteTable; layers: number }>();

function routerLayers(app: Application): RouterLayer[] {
  return ((app as unknown as { router?: { stack?: RouterLayer[] } }).router?.stack ?? []) as RouterLayer[];
}

/**
 * The express app's routes, read from its router once Nest has registered them (see
 * RouteTableRecorder); read again only if routes were added since.
 */
export function expressRouteTable(app: Application): RouteTable {
  const layers = routerLayers(app);
  const cached = tables.get(app);
  if (cached && cached.layers === layers.length) return cached.table;
  const table = new RouteTable({ caseSensitive: false, trailingSlash: true });
  for (const layer of layers) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    table.add(Object.keys(layer.route.methods), layer.route.path);
  }
  tables.set(app, { table, layers: layers.length });
  return table;
}

/** A Fastify instance's table, filled by its onRoute hook as routes register (configureFastify). */
export function fastifyRouteTable(instance: object): RouteTable {
  const cached = tables.get(instance);
  if (cached) return cached.table;
  const table = new RouteTable({ caseSensitive: true, trailingSlash: false });
  tables.set(instance, { table, layers: 0 });
  return table;
}

/** The route table of the platform instance an app runs on, whichever it is. */
export function routeTableOf(instance: object, platform: string): RouteTable {
  return platform === 'fastify' ? fastifyRouteTable(instance) : expressRouteTable(instance as Application);
}

/** The request path as sent, without the query string. */
export function requestPathOf(req: ContextualRequest): string {
  const node = nodeRequestOf(req);
  return (node.originalUrl ?? node.url ?? '').split('?')[0];
}

/**
 * The route template a request belongs to (`/v1/leads/:id`), or `unmatched`. Under Fastify the
 * adapter's onRequest hook records it; under express it is the matched route, and requests
 * answered before routing (rejected host, bad body) are looked up in the route table. Labels
 * never carry raw paths, ids or query strings.
 */
export function routeTemplateOf(req: ContextualRequest): string {
  const node = nodeRequestOf(req);
  if (node.routeTemplate) return node.routeTemplate;
  const routed = node.route?.path;
  if (typeof routed === 'string') return routed;
  const app = (node as { app?: Application }).app;
  if (!app) return UNMATCHED_ROUTE;
  return expressRouteTable(app).templateFor(node.method ?? 'GET', requestPathOf(req)) ?? UNMATCHED_ROUTE;
}
