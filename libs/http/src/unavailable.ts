/**
 * Recognises errors that mean "the database cannot be reached right now", as opposed to a bad
 * query or a bug: the request may succeed if retried later, so it is answered 503, not 500.
 * Covers pg (and its pool), TypeORM's QueryFailedError wrapping them, and better-sqlite3.
 */

/** Socket-level failures, from connect() or on an established connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Postgres SQLSTATEs: class 08 (connection exception), 57P01-57P03 (the server is shutting
 * down, crashed, or not accepting connections yet) and 53300 (too many connections).
 */
const POSTGRES_STATE = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/;

/** SQLite: the file is locked past the busy timeout, cannot be opened, or I/O failed. */
const SQLITE_CODE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR)(_|$)/;

/** Messages of driver errors that carry no code. */
const MESSAGES = [
  /^Connection terminated/i, // pg: the socket closed (unexpectedly, or on connect timeout)
  /timeout exceeded when trying to connect/i, // pg-pool: no connection within connectionTimeoutMillis
  /^Query read timeout/i, // pg: no answer within query_timeout
  /^Client has encountered a connection error and is not queryable/i, // pg: a client broken earlier
  /^Client was closed and is not queryable/i,
  /^Cannot use a pool after calling end on the pool/i, // pg-pool during shutdown
  /^The database connection is not open/i, // better-sqlite3
];

function isUnavailableError(error: Record<string, unknown>): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  if (NETWORK_CODES.has(code) || POSTGRES_STATE.test(code) || SQLITE_CODE.test(code)) return true;
  const message = typeof error.message === 'string' ? error.message : '';
  return MESSAGES.some((pattern) => pattern.test(message));
}

/** True when `error`, or an error it wraps (driverError, cause, AggregateError), says the database is unreachable. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const candidate = error as Record<string, unknown>;
  if (isUnavailableError(candidate)) return true;
  const nested = [candidate.driverError, candidate.cause, ...(Array.isArray(candidate.errors) ? candidate.errors : [])];
  return nested.some((inner) => inner !== error && isDatabaseUnavailable(inner, depth + 1));
}
