import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppConfig } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { createRedisConnection, isCluster, REDIS_CLIENT, RedisClient, REDIS_STARTUP_WAIT_MS } from '@app/redis';
import { ApiKeysRepository } from './api-keys.repository';
import { KeysFileMissing } from './auth.errors';
import { KeyRegistry, ReloadOptions, ReloadScope } from './key-registry.service';
import { AuthReloader } from './reload-steps';

/** Without a message (no Redis, or one missed), minted and revoked keys are noticed this fast. */
export const DB_KEYS_POLL_INTERVAL_MS = 5000;

/** While the subscription is not confirmed on a ready connection, it is tried again this often. */
const SUBSCRIBE_RETRY_MS = 1000;

/** The channel auth changes are announced on, under REDIS_KEY_PREFIX. */
export const authChannel = (prefix: string): string => `${prefix}:auth:reload`;

interface ReloadMessage {
  origin: string;
  scope: ReloadScope;
  /** The operator accepted a missing keys file (POST /ops/reload-auth?allowMissingKeysFile=true). */
  allowMissingKeysFile?: boolean;
}

/**
 * Fleet-wide auth changes. After a reload, mint or revoke, the instance that made it
 * publishes on the auth channel; every other instance re-reads the same sources. As a
 * safety net (and the only path without Redis) every instance also polls the key table
 * and re-reads the database keys when they changed, so minted and revoked keys reach all
 * instances within DB_KEYS_POLL_INTERVAL_MS even when a message is lost. Start-up waits for the
 * subscription at most REDIS_STARTUP_WAIT_MS: past it the instance starts on the poll alone
 * and subscribes whenever Redis answers.
 */
@Injectable()
export class AuthSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly instanceId = randomUUID();
  private subscriber: RedisClient | null = null;
  private readonly channel: string;
  private pollTimer: NodeJS.Timeout | undefined;
  private lastSignature: string | null = null;
  private subscribed = false;
  /** Set once start-up went on without the subscription, so its arrival is logged. */
  private startedUnsubscribed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private onFirstSubscription: (() => void) | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: KeyRegistry,
    private readonly reloader: AuthReloader,
    private readonly keys: ApiKeysRepository,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {
    this.channel = authChannel(config.redisKeyPrefix);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.lastSignature = await this.keys.changeSignature().catch(() => null);
    this.pollTimer = setInterval(() => void this.pollDatabase(), DB_KEYS_POLL_INTERVAL_MS);
    this.pollTimer.unref();
    // A connection of its own, to the same Redis or Redis Cluster as the commands. On a cluster,
    // PUBLISH reaches every node, and the client subscribes on one node of its choice, moving
    // the subscription to another node by itself when that one goes away.
    const subscriber = createRedisConnection(this.config, 'auth-sync', REDIS_STARTUP_WAIT_MS);
    if (!subscriber) return;
    const firstSubscription = new Promise<void>((resolve) => (this.onFirstSubscription = resolve));
    // The connection subscribes whenever it is ready (again), so instances rejoin the channel by
    // themselves after an outage. Its handshake is bounded like any command, so a Redis that
    // accepts connections but never answers is reconnected to rather than waited on forever.
    this.subscriber = subscriber;
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('ready', () => void this.subscribe());
    this.subscriber.on('close', () => (this.subscribed = false));
    this.subscriber.on('message', (_channel: string, payload: string) => void this.onMessage(payload));
    // When the command connection did not answer either, the Redis module has logged the
    // degraded start: there is nothing to wait for.
    const wait = this.redis?.status === 'ready' ? REDIS_STARTUP_WAIT_MS : 0;
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      firstSubscription.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), wait))),
    ]);
    clearTimeout(timer);
    if (inTime) return;
    this.startedUnsubscribed = true;
    if (wait > 0) {
      this.logger.warn(
        { waitedMs: wait },
        'auth sync: Redis did not confirm the subscription at start-up; minted and revoked keys arrive by ' +
          'the database poll until it does',
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    this.subscriber?.disconnect();
  }

  /** Subscribes on a ready connection; retried while it stays ready without a confirmation. */
  private async subscribe(): Promise<void> {
    const subscriber = this.subscriber;
    if (!subscriber || this.subscribed) return;
    clearTimeout(this.retryTimer);
    try {
      await subscriber.subscribe(this.channel);
    } catch {
      if (subscriber.status === 'ready') {
        this.retryTimer = setTimeout(() => void this.subscribe(), SUBSCRIBE_RETRY_MS);
        this.retryTimer.unref();
      }
      return;
    }
    this.subscribed = true;
    this.onFirstSubscription?.();
    this.onFirstSubscription = undefined;
    if (this.startedUnsubscribed) {
      this.startedUnsubscribed = false;
      this.logger.info('auth sync: subscribed; reloads on other instances reach this one again');
    }
  }

  private async pollDatabase(): Promise<void> {
    try {
      const signature = await this.keys.changeSignature();
      if (signature === this.lastSignature) return;
      this.lastSignature = signature;
      await this.registry.reload('db');
    } catch (error) {
      this.logger.warn({ err: error }, 'auth sync: polling the key table failed');
    }
  }

  /** Tells the other instances to reload `scope`. Never fails the caller: the change is already local. */
  async publish(scope: ReloadScope, options: ReloadOptions = {}): Promise<void> {
    if (!this.redis) return;
    const message: ReloadMessage = {
      origin: this.instanceId,
      scope,
      ...(options.allowMissingKeysFile ? { allowMissingKeysFile: true } : {}),
    };
    try {
      await this.announce(this.redis, JSON.stringify(message));
    } catch (error) {
      this.logger.warn(
        { err: error, scope },
        'auth sync: publish failed; other instances keep their keys until their next reload',
      );
    }
  }

  /**
   * PUBLISH on the channel. A cluster forwards a message published on any node to every node,
   * so the masters are tried in turn: one that is down costs an attempt, not the announcement.
   */
  private async announce(redis: RedisClient, payload: string): Promise<void> {
    if (!isCluster(redis)) {
      await redis.publish(this.channel, payload);
      return;
    }
    let failure: unknown = new Error('no cluster node known');
    for (const node of redis.nodes('master')) {
      try {
        await node.publish(this.channel, payload);
        return;
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }

  private async onMessage(payload: string): Promise<void> {
    let message: ReloadMessage;
    try {
      message = JSON.parse(payload) as ReloadMessage;
    } catch {
      return;
    }
    if (message.origin === this.instanceId || (message.scope !== 'all' && message.scope !== 'db')) return;
    try {
      const { keys, tenants, steps } = await this.reloader.reload(message.scope, {
        allowMissingKeysFile: message.allowMissingKeysFile === true,
      });
      this.logger.info(
        { event: 'audit', action: 'reload', trigger: 'fleet', scope: message.scope, keys, tenants, ...steps },
        'audit',
      );
    } catch (error) {
      if (error instanceof KeysFileMissing) {
        // The same protection as an admin reload: a vanished file locks nobody out.
        this.logger.error(
          { code: error.code, keysFile: this.config.apiKeysFile, scope: message.scope },
          `auth sync: ${error.message}`,
        );
        return;
      }
      this.logger.error(
        { err: error, scope: message.scope },
        'auth sync: reload requested by another instance failed; previous keys stay in force',
      );
    }
  }
}
