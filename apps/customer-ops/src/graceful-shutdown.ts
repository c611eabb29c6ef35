import type { INestApplication } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { flushLogs } from '@app/http';
import { LifecycleService } from './ops/lifecycle.service';

/** How long the listener stays open after the signal while keep-alive clients are told to close. */
const LINGER_MS = 500;

/**
 * Drains the server. First, for a short linger, every response says `Connection: close`, so
 * keep-alive clients stop reusing their connections instead of racing a request against the
 * server closing an idle one (which they would see as a reset). Then the listener closes,
 * idle connections are closed promptly, and in-flight requests complete, up to graceMs.
 */
async function drain(server: Server, graceMs: number, logger: Logger): Promise<void> {
  const closeAfterResponse = (_req: IncomingMessage, res: ServerResponse) => res.setHeader('connection', 'close');
  server.prependListener('request', closeAfterResponse);
  await new Promise((resolve) => setTimeout(resolve, Math.min(LINGER_MS, graceMs / 2)));
  await new Promise<void>((resolve) => {
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
 * On SIGTERM/SIGINT: readiness turns 503 at once, keep-alive clients are told to close, the
 * listener closes, in-flight requests complete (up to graceMs), then modules shut down
 * (database last) and the process exits 0.
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
