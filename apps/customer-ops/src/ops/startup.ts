import type { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { AppConfig, ConfigValidationError, isLoopbackHost } from '@app/config';
import { AppLogger, createLogger } from '@app/http';

/** The message of the one line a failed start-up prints. */
export const STARTUP_FAILED_MESSAGE = 'customer-ops cannot start';

/** A logger that writes synchronously to stdout: start-up lines must be out before the process exits. */
export function createStartupLogger(level: string): Logger {
  return createLogger(level, pino.destination({ dest: 1, sync: true }));
}

/** Start-up did not finish within STARTUP_TIMEOUT_MS. */
export class StartupTimeout extends Error {
  constructor(timeoutMs: number, phase: string) {
    super(`start-up did not finish within STARTUP_TIMEOUT_MS=${timeoutMs} ms (still ${phase})`);
    this.name = 'StartupTimeout';
  }
}

function lastString(params: unknown[]): string | undefined {
  const last = params[params.length - 1];
  return typeof last === 'string' ? last : undefined;
}

/** Framework contexts whose error lines, during start-up, are the failure itself (reported once, by reportStartupFailure). */
const FAILURE_CONTEXTS = new Set(['ExceptionHandler', 'NestApplication']);

/**
 * Nest's logger until the listener is up: JSON lines like every other. The failure itself is
 * left to reportStartupFailure, so that one line carries it: Nest's ExceptionHandler line and
 * its listen error are dropped, and TypeORM's connection retries are warnings without the
 * driver's stack.
 */
export class StartupLogger implements LoggerService {
  private readonly inner: AppLogger;

  constructor(logger: Logger) {
    this.inner = new AppLogger(logger);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.inner.log(message, lastString(params));
  }
  error(message: unknown, ...params: unknown[]): void {
    const context = lastString(params);
    if (context && FAILURE_CONTEXTS.has(context)) return;
    if (context === 'TypeOrmModule') return this.inner.warn(String(message), context);
    const [stackOrContext, ctx] = params as [string | undefined, string | undefined];
    this.inner.error(message, stackOrContext, ctx);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, lastString(params));
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug(message, lastString(params));
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose(message, lastString(params));
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.inner.fatal(message, lastString(params));
  }
}

/** Values of the configuration that must never reach a log line, longest first. */
function secretsOf(config: AppConfig | null): string[] {
  if (!config) return [];
  const secrets = [config.database.url, config.redisUrl, config.adminKey, config.metricsToken];
  for (const url of [config.database.url, config.redisUrl]) {
    try {
      if (url) secrets.push(decodeURIComponent(new URL(url).password));
    } catch {
      // not a URL (sqlite:…): nothing more to hide
    }
  }
  return secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4).sort((a, b) => b.length - a.length);
}

function scrub(text: string, secrets: string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('[REDACTED]'), text);
}

/** Why start-up failed, as fields of the failure line. */
function describe(error: unknown): Record<string, unknown> {
  if (error instanceof ConfigValidationError) return { reason: error.message, problems: error.problems };
  if (error instanceof StartupTimeout) return { reason: error.message };
  if (!(error instanceof Error)) return { reason: String(error) };
  const code = (error as { code?: unknown }).code;
  // A connection refused on every address of a host is an AggregateError without a message.
  const nested = error instanceof AggregateError ? error.errors.map((e: Error) => e?.message).filter(Boolean) : [];
  const reason = error.message || nested.join('; ') || String(code ?? error.name);
  return { reason, error: error.name, ...(code !== undefined ? { code } : {}), stack: error.stack };
}

/** Writes out what `logger` still holds (its lines are asynchronous), so that they come first. */
function writeOut(logger: Logger): void {
  const stream = (logger as unknown as Record<symbol, { flushSync?: () => void } | undefined>)[pino.symbols.streamSym];
  try {
    stream?.flushSync?.();
  } catch {
    // Not open yet: its lines are written when the process exits.
  }
}

/**
 * The one line of a failed start-up: `{"level":"fatal","msg":"customer-ops cannot start","reason":…}`
 * on stdout like every log line, whatever LOG_LEVEL says, with configured secrets removed,
 * after the lines the application's logger (when there is one yet) still holds.
 */
export function reportStartupFailure(error: unknown, config: AppConfig | null, logger: Logger | null): void {
  if (logger) writeOut(logger);
  const secrets = secretsOf(config);
  const fields = describe(error);
  for (const key of ['reason', 'stack'] as const) {
    if (typeof fields[key] === 'string') fields[key] = scrub(fields[key] as string, secrets);
  }
  createStartupLogger('fatal').fatal(fields, STARTUP_FAILED_MESSAGE);
}

/**
 * The start-up warning for a listener that other machines can reach while tenant routes
 * accept callers without a key, or null.
 */
export function exposureWarning(config: AppConfig): string | null {
  if (config.requireApiKey || isLoopbackHost(config.host)) return null;
  return (
    `REQUIRE_API_KEY is off and the API listens on ${config.host}, reachable from other machines: ` +
    'callers without an API key are all served as tenant `public` and share its data. Set ' +
    'REQUIRE_API_KEY=true, or HOST=127.0.0.1 to keep the instance local'
  );
}
