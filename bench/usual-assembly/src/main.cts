import 'reflect-metadata';
import {
  CallHandler,
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  Injectable,
  Module,
  NestInterceptor,
  RequestMethod,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import {
  InjectMetric,
  makeCounterProvider,
  makeHistogramProvider,
  PrometheusModule,
} from '@willsoto/nestjs-prometheus';
import Redis from 'ioredis';
import { Logger, LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Counter, Histogram } from 'prom-client';
import { Observable, tap } from 'rxjs';

/*
 * The usual NestJS assembly for an authenticated, rate-limited, metered, logged JSON route, as
 * the libraries' READMEs put it together: @nestjs/throttler with @nest-lab/throttler-storage-redis
 * (a budget never reached), @willsoto/nestjs-prometheus (default metrics, plus a request counter
 * and a duration histogram recorded by an interceptor), nestjs-pino (pino-http access line per
 * request, the key header redacted, a UUID request id) and an `x-api-key` guard.
 *
 *   node -r ts-node/register/transpile-only bench/usual-assembly/src/main.cts <express|fastify> <port>
 *   env: USUAL_REDIS_URL, USUAL_REDIS_KEY_PREFIX, USUAL_API_KEY
 */

const API_KEYS = new Set((process.env.USUAL_API_KEY ?? '').split(',').filter(Boolean));
const API_KEY_TENANT = 'BENCH';

@Injectable()
class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IncomingMessage & { tenant?: string }>();
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || !API_KEYS.has(key)) throw new UnauthorizedException('invalid API key');
    request.tenant = API_KEY_TENANT;
    return true;
  }
}

@Injectable()
class HttpMetricsInterceptor implements NestInterceptor {
  constructor(
    @InjectMetric('http_requests_total') private readonly requests: Counter<string>,
    @InjectMetric('http_request_duration_seconds') private readonly duration: Histogram<string>,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<{ method: string; route?: { path: string }; routeOptions?: { url?: string } }>();
    const stop = this.duration.startTimer();
    return next.handle().pipe(
      tap(() => {
        const response = http.getResponse<{ statusCode: number }>();
        const labels = {
          method: request.method,
          route: request.route?.path ?? request.routeOptions?.url ?? 'unknown',
          status_code: String(response.statusCode),
        };
        this.requests.inc(labels);
        stop(labels);
      }),
    );
  }
}

@Controller('ops')
class ModelStatusController {
  @Get('model-status')
  status(): Record<string, unknown> {
    return {
      loaded: false,
      model: 'lead-conversion',
      version: null,
      trainedAt: null,
      samples: null,
      auc: null,
      ageHours: null,
      health: 'no_model',
      enrichment: { kind: 'rules', version: '1.0.0' },
      tenant: API_KEY_TENANT,
    };
  }
}

const labelNames = ['method', 'route', 'status_code'];

@Module({
  imports: [
    LoggerModule.forRoot({
      // Explicit: the default route pattern ('{/*splat}') matches nothing under Fastify with
      // @nestjs/platform-fastify 12.5.0, so no request would be logged there.
      forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
      pinoHttp: {
        level: 'info',
        genReqId: (request) => {
          const incoming = request.headers['x-request-id'];
          return typeof incoming === 'string' ? incoming : randomUUID();
        },
        redact: ['req.headers["x-api-key"]', 'req.headers.authorization', 'req.headers.cookie'],
      },
    }),
    PrometheusModule.register(),
    ThrottlerModule.forRoot({
      throttlers: [{ ttl: 60_000, limit: 1_000_000_000 }],
      storage: new ThrottlerStorageRedisService(
        new Redis(process.env.USUAL_REDIS_URL ?? 'redis://127.0.0.1:6379', {
          keyPrefix: `${process.env.USUAL_REDIS_KEY_PREFIX ?? 'usual-assembly'}:`,
        }),
      ),
    }),
  ],
  controllers: [ModelStatusController],
  providers: [
    makeCounterProvider({ name: 'http_requests_total', help: 'HTTP requests', labelNames }),
    makeHistogramProvider({ name: 'http_request_duration_seconds', help: 'HTTP request duration', labelNames }),
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor },
  ],
})
class UsualAssemblyModule {}

async function main(): Promise<void> {
  const adapter = process.argv[2] === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  const app = await NestFactory.create(UsualAssemblyModule, adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  await app.listen(Number(process.argv[3] ?? 0), '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`${JSON.stringify({ msg: 'usual assembly started', port: address.port })}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
