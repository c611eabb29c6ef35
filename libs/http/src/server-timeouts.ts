import type { Server } from 'node:http';
import type { AppConfig } from '@app/config';

/** How often the server looks for requests past their limits, at most (Node's default is 30 s). */
const MAX_CHECK_INTERVAL_MS = 1000;

export interface ServerTimeouts {
  /** The request line and headers must arrive within this long, or the connection gets a 408 and is closed. */
  headersTimeout: number;
  /** The whole request, body included, must arrive within this long, or the same. */
  requestTimeout: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeout: number;
  /** How often the limits above are checked, so they are enforced within this much. */
  connectionsCheckingInterval: number;
}

/** The HTTP server settings for slow clients and idle connections, from HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS and KEEP_ALIVE_TIMEOUT_MS. */
export function serverTimeouts(config: AppConfig): ServerTimeouts {
  const { headersMs, requestMs, keepAliveMs } = config.serverTimeouts;
  return {
    headersTimeout: headersMs,
    requestTimeout: requestMs,
    keepAliveTimeout: keepAliveMs,
    connectionsCheckingInterval: Math.max(1, Math.min(MAX_CHECK_INTERVAL_MS, Math.floor(headersMs / 2))),
  };
}

/**
 * Applies the settings to the platform's node:http server (express and Fastify alike), before
 * it listens: the checking interval is read when listening starts.
 */
export function applyServerTimeouts(server: Server, config: AppConfig): void {
  Object.assign(server, serverTimeouts(config));
}
