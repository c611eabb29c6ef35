import { Inject, Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { AppConfig, EnvironmentReader } from '@app/config';
import { API_KEY_PREFIX, ApiKeyEntry, apiKeysFromEnvironment, KeysFileError, parseKeysFile } from '@app/api-keys';
import { PINO_LOGGER } from '@app/http';
import { ApiKeysRepository } from './api-keys.repository';
import { KeysFileInvalid, KeysFileUnreadable } from './auth.errors';
import { digestKey, fingerprintOf } from './key-material';
import { KeySource, RegisteredKey } from './registered-key';

/** API keys from the environment or the keys file must be at least this long in production. */
export const MIN_KEY_LENGTH = 16;

/** A configured key shorter than MIN_KEY_LENGTH: where it is, never the key. */
export interface ShortKey {
  tenant: string;
  source: 'env' | 'file';
  /** 1-based line in the keys file (file keys only). */
  line?: number;
}

/** What one source yielded: its keys, and which of them are too short for production. */
export interface LoadedKeys {
  keys: RegisteredKey[];
  short: ShortKey[];
}

/** The keys file's keys; `missing` when the file does not exist (then there are none). */
export interface LoadedFile extends LoadedKeys {
  missing: boolean;
}

/** The entries whose key is shorter than MIN_KEY_LENGTH, by tenant (and line), without the key. */
export function shortKeys(entries: ApiKeyEntry[], source: ShortKey['source']): ShortKey[] {
  return entries
    .filter((entry) => entry.key.length < MIN_KEY_LENGTH)
    .map((entry) => ({ tenant: entry.tenant, source, ...(entry.line !== undefined ? { line: entry.line } : {}) }));
}

/** Names where a short key is configured, for an operator: `API_KEY_ACME` or `API_KEY_ACME in the keys file … (line 3)`. */
export function describeShortKey(short: ShortKey, keysFile: string): string {
  const variable = `${API_KEY_PREFIX}${short.tenant}`;
  if (short.source === 'env') return variable;
  return `${variable} in the keys file ${keysFile}${short.line !== undefined ? ` (line ${short.line})` : ''}`;
}

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
  fromEnvironment(now: Date): LoadedKeys {
    const { entries, invalid } = apiKeysFromEnvironment(this.environment.read());
    if (invalid.length > 0) {
      this.logger.warn({ variables: invalid }, 'ignoring malformed API_KEY_* variables');
    }
    return { keys: entries.map((entry) => fromEntry(entry, 'env', now)), short: shortKeys(entries, 'env') };
  }

  /** The keys file; a missing file is an empty source (`missing`), a malformed one an error naming the line. */
  async fromFile(now: Date): Promise<LoadedFile> {
    let text: string;
    try {
      text = await readFile(this.config.apiKeysFile, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      if (code === 'ENOENT') return { keys: [], short: [], missing: true };
      throw new KeysFileUnreadable(this.config.apiKeysFile, code);
    }
    let entries: ApiKeyEntry[];
    try {
      entries = parseKeysFile(text);
    } catch (error) {
      if (error instanceof KeysFileError) throw new KeysFileInvalid(this.config.apiKeysFile, error.message);
      throw error;
    }
    return {
      keys: entries.map((entry) => fromEntry(entry, 'file', now)),
      short: shortKeys(entries, 'file'),
      missing: false,
    };
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
