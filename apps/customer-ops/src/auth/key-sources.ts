import { Inject, Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import {
  ApiKeyEntry,
  apiKeysFromEnvironment,
  AppConfig,
  EnvironmentReader,
  KeysFileError,
  parseKeysFile,
} from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { ApiKeysRepository } from '../tenants/api-keys.repository';
import { KeysFileInvalid, KeysFileUnreadable } from './auth.errors';
import { digestKey, fingerprintOf } from './key-material';
import { KeySource, RegisteredKey } from './registered-key';

function fromEntry(entry: ApiKeyEntry, source: KeySource, loadedAt: Date): RegisteredKey {
  const digest = digestKey(entry.key);
  return {
    id: `${source}-${digest.slice(0, 12)}`,
    tenant: entry.tenant,
    source,
    digest,
    fingerprint: fingerprintOf(digest),
    createdAt: loadedAt,
    expiresAt: null,
    revokedAt: null,
  };
}

/** Reads each of the three key sources afresh. Plaintext keys are digested at once and dropped. */
@Injectable()
export class KeySources {
  constructor(
    private readonly config: AppConfig,
    private readonly environment: EnvironmentReader,
    private readonly repository: ApiKeysRepository,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  get keysFilePath(): string {
    return this.config.apiKeysFile;
  }

  /** API_KEY_<TENANT> variables (the process environment with `.env` underneath). */
  fromEnvironment(now: Date): RegisteredKey[] {
    const { entries, invalid } = apiKeysFromEnvironment(this.environment.read());
    if (invalid.length > 0) {
      this.logger.warn({ variables: invalid }, 'ignoring malformed API_KEY_* variables');
    }
    return entries.map((entry) => fromEntry(entry, 'env', now));
  }

  /** The keys file; a missing file is an empty source, a malformed one an error naming the line. */
  async fromFile(now: Date): Promise<RegisteredKey[]> {
    let text: string;
    try {
      text = await readFile(this.config.apiKeysFile, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      if (code === 'ENOENT') return [];
      throw new KeysFileUnreadable(this.config.apiKeysFile, code);
    }
    try {
      return parseKeysFile(text).map((entry) => fromEntry(entry, 'file', now));
    } catch (error) {
      if (error instanceof KeysFileError) throw new KeysFileInvalid(this.config.apiKeysFile, error.message);
      throw error;
    }
  }

  /** Keys minted through the admin API that can still authenticate. */
  async fromDatabase(now: Date): Promise<RegisteredKey[]> {
    const rows = await this.repository.listUsable(now);
    return rows.map((row) => ({
      id: row.id,
      tenant: row.tenant,
      source: 'db',
      digest: row.keyHash,
      fingerprint: row.fingerprint,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      revokedAt: row.revokedAt,
    }));
  }
}
