import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import {
  IsIn,
  IsOptional,
  Matches,
  Max,
  Min,
  ValidationArguments,
  ValidationError,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  IsInt,
  Validate,
  validateSync,
} from 'class-validator';
import { Type } from 'class-transformer';
import { RATE_LIMIT_PATTERN } from './rate-limit';
import { BYTE_SIZE_PATTERN, HOST_PATTERN_RE, isBooleanString, isSet, isTrueWord, ORIGIN_RE, parseList } from './parse';
import { parseDuration } from './duration';
import { parseRedisNodes } from './redis-nodes';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

@ValidatorConstraint({ name: 'booleanString' })
class BooleanString implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isBooleanString(value);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be true or false`;
  }
}

@ValidatorConstraint({ name: 'originList' })
class OriginList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && parseList(value).every((o) => o === '*' || ORIGIN_RE.test(o));
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a comma-separated list of origins like https://app.example.com (or *)`;
  }
}

@ValidatorConstraint({ name: 'hostList' })
class HostList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && parseList(value).every((h) => HOST_PATTERN_RE.test(h));
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a comma-separated list of host names, optionally starting with "*." (no ports)`;
  }
}

/** A "true" word other than a hop count means "trust every proxy", which TRUST_PROXY refuses. */
const trustsEveryProxy = (v: string): boolean => !/^\d+$/.test(v) && isTrueWord(v);

/**
 * false, a hop count or proxy addresses/CIDRs. `true` is refused: it trusts every
 * X-Forwarded-For header, so any client could pick the address its per-IP limits count against.
 */
@ValidatorConstraint({ name: 'trustProxy' })
class TrustProxy implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    const v = value.trim().toLowerCase();
    if (/^\d{1,2}$/.test(v)) return true;
    if (trustsEveryProxy(v)) return false;
    if (isBooleanString(v)) return true;
    return parseList(value).every(
      (item) => /^[0-9a-f:.]+(\/\d{1,3})?$/i.test(item) || /^(loopback|linklocal|uniquelocal)$/.test(item),
    );
  }
  defaultMessage(args: ValidationArguments): string {
    const v = typeof args.value === 'string' ? args.value.trim().toLowerCase() : '';
    if (trustsEveryProxy(v)) {
      return (
        `${args.property}=${v} is refused: it would trust every X-Forwarded-For header, so any client could ` +
        'forge its address and dodge the per-IP limits. Set the number of proxies in front of the service ' +
        '(e.g. 1) or their addresses/CIDRs (e.g. loopback, 10.0.0.0/8)'
      );
    }
    return `${args.property} must be false, a hop count (e.g. 1), or a comma-separated list of proxy addresses/CIDRs (e.g. loopback, 10.0.0.0/8)`;
  }
}

@ValidatorConstraint({ name: 'redisNodes' })
class RedisNodeList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && parseRedisNodes(value) !== null;
  }
  defaultMessage(args: ValidationArguments): string {
    return (
      `${args.property} must be a comma-separated list of at least one host:port (port 1-65535), ` +
      'e.g. redis-1:6379,redis-2:6379,redis-3:6379'
    );
  }
}

export const MIN_IDEMPOTENCY_PURGE_INTERVAL_MS = 1000;
export const MAX_IDEMPOTENCY_PURGE_INTERVAL_MS = 24 * 3_600_000;

@ValidatorConstraint({ name: 'purgeInterval' })
class PurgeInterval implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    return ms !== undefined && ms >= MIN_IDEMPOTENCY_PURGE_INTERVAL_MS && ms <= MAX_IDEMPOTENCY_PURGE_INTERVAL_MS;
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a duration from 1s to 24h, like 30s, 10m or 1h (a bare number is milliseconds)`;
  }
}

const RATE_LIMIT_MESSAGE = (name: string) =>
  `${name} must look like N/second, N/minute, N/hour or N/day with N >= 1 (e.g. 60/minute)`;
const PORT_RANGE = { message: 'PORT must be an integer from 0 to 65535' };
/** Deeper bodies would nest validation past what the call stack safely holds. */
export const MAX_JSON_MAX_DEPTH = 256;
const JSON_DEPTH_RANGE = { message: `JSON_MAX_DEPTH must be an integer from 1 to ${MAX_JSON_MAX_DEPTH}` };
const GRACE_RANGE = { message: 'SHUTDOWN_GRACE_MS must be an integer number of milliseconds from 0 to 600000' };
/** The message of an integer milliseconds variable with its range. */
const msRange = (name: string, min: number, max: number) => ({
  message: `${name} must be an integer number of milliseconds from ${min} to ${max}`,
});
const REDIS_COMMAND_TIMEOUT_RANGE = msRange('REDIS_COMMAND_TIMEOUT_MS', 10, 60000);
const STARTUP_TIMEOUT_RANGE = msRange('STARTUP_TIMEOUT_MS', 100, 3600000);
const HEADERS_TIMEOUT_RANGE = msRange('HEADERS_TIMEOUT_MS', 100, 600000);
const REQUEST_TIMEOUT_RANGE = msRange('REQUEST_TIMEOUT_MS', 100, 3600000);
const KEEP_ALIVE_TIMEOUT_RANGE = msRange('KEEP_ALIVE_TIMEOUT_MS', 100, 600000);

/**
 * The raw environment as the service accepts it. Every field is a string (as in process.env)
 * except where a @Type converts it; defaults are applied later, in loadConfig.
 */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(NODE_ENVS, { message: `NODE_ENV must be one of ${NODE_ENVS.join(', ')}` })
  NODE_ENV?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt(PORT_RANGE)
  @Min(0, PORT_RANGE)
  @Max(65535, PORT_RANGE)
  PORT?: number;

  @IsOptional()
  @Matches(/^[A-Za-z0-9.:-]+$/, { message: 'HOST must be an interface address or host name' })
  HOST?: string;

  @IsOptional()
  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'DATABASE_URL must be sqlite:<path> or postgres://user@host:port/database',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @Validate(BooleanString)
  MIGRATIONS_RUN?: string;

  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: string;

  @IsOptional()
  @Validate(OriginList)
  CORS_ORIGINS?: string;

  @IsOptional()
  @Validate(HostList)
  ALLOWED_HOSTS?: string;

  @IsOptional()
  @Validate(TrustProxy)
  TRUST_PROXY?: string;

  @IsOptional()
  @Matches(BYTE_SIZE_PATTERN, { message: 'BODY_LIMIT must be a size like 100kb, 1mb or 2048' })
  BODY_LIMIT?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt(JSON_DEPTH_RANGE)
  @Min(1, JSON_DEPTH_RANGE)
  @Max(MAX_JSON_MAX_DEPTH, JSON_DEPTH_RANGE)
  JSON_MAX_DEPTH?: number;

  @IsOptional()
  @Validate(BooleanString)
  SWAGGER_ENABLED?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt(GRACE_RANGE)
  @Min(0, GRACE_RANGE)
  @Max(600000, GRACE_RANGE)
  SHUTDOWN_GRACE_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt(STARTUP_TIMEOUT_RANGE)
  @Min(100, STARTUP_TIMEOUT_RANGE)
  @Max(3600000, STARTUP_TIMEOUT_RANGE)
  STARTUP_TIMEOUT_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt(HEADERS_TIMEOUT_RANGE)
  @Min(100, HEADERS_TIMEOUT_RANGE)
  @Max(600000, HEADERS_TIMEOUT_RANGE)
  HEADERS_TIMEOUT_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt(REQUEST_TIMEOUT_RANGE)
  @Min(100, REQUEST_TIMEOUT_RANGE)
  @Max(3600000, REQUEST_TIMEOUT_RANGE)
  REQUEST_TIMEOUT_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt(KEEP_ALIVE_TIMEOUT_RANGE)
  @Min(100, KEEP_ALIVE_TIMEOUT_RANGE)
  @Max(600000, KEEP_ALIVE_TIMEOUT_RANGE)
  KEEP_ALIVE_TIMEOUT_MS?: number;

  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,512}$/, { message: 'METRICS_TOKEN must be 1-512 printable characters without spaces' })
  METRICS_TOKEN?: string;

  @IsOptional()
  @Validate(BooleanString)
  REQUIRE_API_KEY?: string;

  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,512}$/, { message: 'API_ADMIN_KEY must be 1-512 printable characters without spaces' })
  API_ADMIN_KEY?: string;

  @IsOptional()
  @Matches(/^[^\0]{1,1024}$/, { message: 'API_KEYS_FILE must be a file path' })
  API_KEYS_FILE?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be redis://[user:password@]host:port[/db] (or rediss://)' })
  REDIS_URL?: string;

  @IsOptional()
  @Validate(RedisNodeList)
  REDIS_CLUSTER_NODES?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9:_-]{1,64}$/, { message: 'REDIS_KEY_PREFIX must be 1-64 letters, digits, :, _ or -' })
  REDIS_KEY_PREFIX?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt(REDIS_COMMAND_TIMEOUT_RANGE)
  @Min(10, REDIS_COMMAND_TIMEOUT_RANGE)
  @Max(60000, REDIS_COMMAND_TIMEOUT_RANGE)
  REDIS_COMMAND_TIMEOUT_MS?: number;

  @IsOptional()
  @Validate(BooleanString)
  RATE_LIMIT_ENABLED?: string;

  @IsOptional()
  @Matches(RATE_LIMIT_PATTERN, { message: RATE_LIMIT_MESSAGE('RATE_LIMIT_OPS') })
  RATE_LIMIT_OPS?: string;

  @IsOptional()
  @Matches(RATE_LIMIT_PATTERN, { message: RATE_LIMIT_MESSAGE('RATE_LIMIT_DEFAULT') })
  RATE_LIMIT_DEFAULT?: string;

  @IsOptional()
  @IsIn(['open', 'memory'], { message: 'RATE_LIMIT_FALLBACK must be open or memory' })
  RATE_LIMIT_FALLBACK?: string;

  @IsOptional()
  @Matches(/^[^\0]{1,1024}$/, { message: 'PLANS_FILE must be a file path' })
  PLANS_FILE?: string;

  @IsOptional()
  @Matches(RATE_LIMIT_PATTERN, { message: RATE_LIMIT_MESSAGE('AUTH_FAILURE_LIMIT') })
  AUTH_FAILURE_LIMIT?: string;

  @IsOptional()
  @Matches(RATE_LIMIT_PATTERN, { message: RATE_LIMIT_MESSAGE('ADMIN_AUTH_FAILURE_LIMIT') })
  ADMIN_AUTH_FAILURE_LIMIT?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'METRICS_TENANT_LABEL_LIMIT must be an integer from 0 to 100000' })
  @Min(0, { message: 'METRICS_TENANT_LABEL_LIMIT must be an integer from 0 to 100000' })
  @Max(100_000, { message: 'METRICS_TENANT_LABEL_LIMIT must be an integer from 0 to 100000' })
  METRICS_TENANT_LABEL_LIMIT?: number;

  @IsOptional()
  @Validate(BooleanString)
  METRICS_DEFAULT?: string;

  @IsOptional()
  @Validate(BooleanString)
  ENABLE_ENRICHMENT?: string;

  @IsOptional()
  @Validate(PurgeInterval)
  IDEMPOTENCY_PURGE_INTERVAL?: string;

  @IsOptional()
  @IsIn(['express', 'fastify'], { message: 'HTTP_ADAPTER must be express or fastify' })
  HTTP_ADAPTER?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'MODEL_MIN_SAMPLES must be an integer from 2 to 1000000' })
  @Min(2, { message: 'MODEL_MIN_SAMPLES must be an integer from 2 to 1000000' })
  @Max(1_000_000, { message: 'MODEL_MIN_SAMPLES must be an integer from 2 to 1000000' })
  MODEL_MIN_SAMPLES?: number;

  @IsOptional()
  @Type(() => Number)
  @Min(0, { message: 'MODEL_MIN_AUC must be a number from 0 to 1' })
  @Max(1, { message: 'MODEL_MIN_AUC must be a number from 0 to 1' })
  MODEL_MIN_AUC?: number;

  @IsOptional()
  @Type(() => Number)
  @Min(1, { message: 'MODEL_STALE_HOURS must be a number of hours from 1 to 87600' })
  @Max(87_600, { message: 'MODEL_STALE_HOURS must be a number of hours from 1 to 87600' })
  MODEL_STALE_HOURS?: number;
}

export interface EnvironmentProblem {
  variable: string;
  reason: string;
}

function flatten(errors: ValidationError[]): EnvironmentProblem[] {
  return errors.flatMap((error) =>
    Object.values(error.constraints ?? {}).map((reason) => ({ variable: error.property, reason })),
  );
}

/** Drops empty strings so that `FOO=` in a .env file means "use the default". */
function withoutBlanks(raw: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (isSet(value)) out[key] = value.trim();
  }
  return out;
}

export function validateEnvironment(raw: Record<string, string | undefined>): {
  env: EnvironmentVariables;
  problems: EnvironmentProblem[];
} {
  const env = plainToInstance(EnvironmentVariables, withoutBlanks(raw));
  const problems = flatten(validateSync(env, { whitelist: false, forbidUnknownValues: false, stopAtFirstError: true }));
  return { env, problems };
}
