import { match, MatchFunction } from 'path-to-regexp';

interface RouteEntry {
  template: string;
  methods: Set<string>;
  matches: MatchFunction<object>;
}

export interface RouteTableOptions {
  /** Paths match templates case-sensitively (Fastify) or not (express). */
  caseSensitive: boolean;
  /** A trailing slash still matches (express) or not (Fastify). */
  trailingSlash: boolean;
}

/**
 * Fastify's wildcard `*` and its `:param(regex)` forms as path-to-regexp templates; templates
 * path-to-regexp cannot read are left out (they can only make a 405 a 404).
 */
function toMatcher(template: string, options: RouteTableOptions): MatchFunction<object> | null {
  const pattern = template.replace(/\(.*?\)/g, '').replace(/\*(?![A-Za-z_])/g, '*wildcard');
  try {
    return match(pattern, { decode: false, sensitive: options.caseSensitive, trailing: options.trailingSlash });
  } catch {
    return null;
  }
}

/**
 * The routes an HTTP platform registered, by template and method, filled once at start-up.
 * Answers which template a request belongs to (for logs and metrics) and which methods a path
 * accepts (for 405 and its Allow header).
 */
export class RouteTable {
  private readonly entries = new Map<string, RouteEntry>();

  constructor(private readonly options: RouteTableOptions) {}

  get size(): number {
    return this.entries.size;
  }

  add(methods: string | string[], template: string): void {
    let entry = this.entries.get(template);
    if (!entry) {
      const matches = toMatcher(template, this.options);
      if (!matches) return;
      entry = { template, methods: new Set(), matches };
      this.entries.set(template, entry);
    }
    for (const method of Array.isArray(methods) ? methods : [methods]) entry.methods.add(method.toUpperCase());
  }

  /** The template of the route that serves `method` on `path`, if any. */
  templateFor(method: string, path: string): string | undefined {
    const wanted = method.toUpperCase();
    for (const entry of this.entries.values()) {
      const { methods } = entry;
      const served = methods.has(wanted) || methods.has('_ALL') || (wanted === 'HEAD' && methods.has('GET'));
      if (served && entry.matches(path)) return entry.template;
    }
    return undefined;
  }

  /**
   * The methods some route accepts on `path`, in a stable order; empty when no route matches
   * it. HEAD is implied by GET and not listed.
   */
  allowedMethods(path: string): string[] {
    const allowed = new Set<string>();
    for (const entry of this.entries.values()) {
      if (!entry.matches(path)) continue;
      for (const method of entry.methods) if (method !== 'HEAD' && method !== '_ALL') allowed.add(method);
    }
    return [...allowed].sort((a, b) => methodRank(a) - methodRank(b) || a.localeCompare(b));
  }
}

const METHOD_ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const methodRank = (method: string) => {
  const rank = METHOD_ORDER.indexOf(method);
  return rank === -1 ? METHOD_ORDER.length : rank;
};
