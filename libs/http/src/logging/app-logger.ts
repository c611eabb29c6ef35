import { Inject, Injectable, LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';
import { PINO_LOGGER } from './logger';

/** Framework messages that are noise at info level (route mapping, module wiring). */
const CHATTY_CONTEXTS = new Set([
  'RoutesResolver',
  'RouterExplorer',
  'InstanceLoader',
  'NestFactory',
  'NestApplication',
]);

/** Nest's LoggerService on top of pino, so framework messages are JSON lines too. */
@Injectable()
export class AppLogger implements LoggerService {
  constructor(@Inject(PINO_LOGGER) private readonly pino: Logger) {}

  log(message: unknown, context?: string): void {
    if (context && CHATTY_CONTEXTS.has(context)) this.write('debug', message, context);
    else this.write('info', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    const ctx = context ?? (stackOrContext && !stackOrContext.includes('\n') ? stackOrContext : undefined);
    const stack = stackOrContext && stackOrContext.includes('\n') ? stackOrContext : undefined;
    if (message instanceof Error) this.pino.error({ context: ctx, err: message }, message.message);
    else this.pino.error({ context: ctx, stack }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, context?: string): void {
    if (typeof message === 'object' && message !== null) this.pino[level]({ context, ...message });
    else this.pino[level]({ context }, String(message));
  }
}
