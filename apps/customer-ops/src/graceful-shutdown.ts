import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { flushLogs } from '@app/http';
import { LifecycleService } from './ops/lifecycle.service';

/** Stops accepting connections and resolves once in-flight requests are done or the grace period ends. */
function drain(server: Server, graceMs: number, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      logger.warn({ graceMs }, 'grace period over: closing remaining connections');
      server.closeAllConnections();
    }, graceMs);
    force.unref();
    // Keep-alive connections go idle once their response is sent: close them promptly
    // instead of waiting for the keep-alive timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    sweep.unref();
    server.close(() => {
      clearTimeout(force);
      clearInterval(sweep);
      resolve();
    });
  });
}

/**
 * On SIGTERM/SIGINT: readiness turns 503 at once, the listener closes, in-flight requests
 * complete (up to graceMs), then modules shut down (database last) and the process exits 0.
 */
export function installGracefulShutdown(app: INestApplication, graceMs: number, logger: Logger): void {
  const lifecycle = app.get(LifecycleService);
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    lifecycle.beginShutdown();
    logger.info({ signal, graceMs }, 'shutdown started: draining in-flight requests');
    try {
      await drain(app.getHttpServer() as Server, graceMs, logger);
      await app.close();
      logger.info('shutdown complete');
      await flushLogs(logger);
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      await flushLogs(logger);
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}
