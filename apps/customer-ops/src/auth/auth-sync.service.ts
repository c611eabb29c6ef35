import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { AppConfig } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { createRedisClient, REDIS_CLIENT } from '@app/redis';
import { KeyRegistry, ReloadScope } from './key-registry.service';

/** The channel auth changes are announced on, under REDIS_KEY_PREFIX. */
export const authChannel = (prefix: string): string => `${prefix}:auth:reload`;

interface ReloadMessage {
  origin: string;
  scope: ReloadScope;
}

/**
 * Fleet-wide auth changes. After a reload, mint or revoke, the instance that made it
 * publishes on the auth channel; every other instance re-reads the same sources. Without
 * REDIS_URL this is a no-op and changes stay local.
 */
@Injectable()
export class AuthSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly instanceId = randomUUID();
  private subscriber: Redis | null = null;
  private readonly channel: string;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: KeyRegistry,
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {
    this.channel = authChannel(config.redisKeyPrefix);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.redisUrl) return;
    // A subscriber connection queues its SUBSCRIBE until connected and re-subscribes after
    // every reconnect, so instances rejoin the channel by themselves after a Redis outage.
    this.subscriber = createRedisClient(this.config.redisUrl, 'auth-sync', {
      enableOfflineQueue: true,
      commandTimeout: undefined,
    });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, payload: string) => void this.onMessage(payload));
    await this.subscriber.subscribe(this.channel).catch((error: Error) => {
      this.logger.warn({ err: error }, 'auth sync: subscribe failed; will retry on reconnect');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber?.disconnect();
  }

  /** Tells the other instances to reload `scope`. Never fails the caller: the change is already local. */
  async publish(scope: ReloadScope): Promise<void> {
    if (!this.redis) return;
    const message: ReloadMessage = { origin: this.instanceId, scope };
    try {
      await this.redis.publish(this.channel, JSON.stringify(message));
    } catch (error) {
      this.logger.warn(
        { err: error, scope },
        'auth sync: publish failed; other instances keep their keys until their next reload',
      );
    }
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
      const summary = await this.registry.reload(message.scope);
      this.logger.info(
        { event: 'audit', action: 'reload', trigger: 'fleet', scope: message.scope, ...summary },
        'audit',
      );
    } catch (error) {
      this.logger.error(
        { err: error, scope: message.scope },
        'auth sync: reload requested by another instance failed; previous keys stay in force',
      );
    }
  }
}
