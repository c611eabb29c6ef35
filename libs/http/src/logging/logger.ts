import pino, { DestinationStream, Logger } from 'pino';

/** Injection token for the service's pino logger. */
export const PINO_LOGGER = Symbol('PINO_LOGGER');
/** Injection token for where log lines go (stdout by default; tests capture it). */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

export const REDACTED_HEADERS = ['x-api-key', 'x-admin-key', 'authorization', 'cookie', 'set-cookie'] as const;

/** Header secrets are redacted wherever a headers object appears in a log line. */
export const REDACT_PATHS = REDACTED_HEADERS.flatMap((h) => [
  `headers["${h}"]`,
  `req.headers["${h}"]`,
  `request.headers["${h}"]`,
  `*.headers["${h}"]`,
  `err.config.headers["${h}"]`,
]);

/**
 * Errors are logged with their type, message, code and stack only. Extra properties are
 * dropped on purpose: a database error carries the query parameters (phone numbers, e-mail
 * addresses, lead details) and a request error may carry headers.
 */
export function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const code = (error as { code?: unknown }).code;
  const driverCode = (error as { driverError?: { code?: unknown } }).driverError?.code;
  return {
    type: error.constructor?.name ?? error.name,
    message: error.message,
    ...(code !== undefined || driverCode !== undefined ? { code: code ?? driverCode } : {}),
    stack: error.stack,
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'customer-ops' },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { err: serializeError },
    },
    // Asynchronous writes keep logging off the request path; shutdown flushes them (flushLogs).
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** Waits until every buffered line has been written (call before the process exits). */
export function flushLogs(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}
