import { Gauge } from 'prom-client';
import type { Logger } from 'pino';
import { AppConfig, Clock } from '@app/config';
import { ApiKeyTooShort, KeysFileMissing } from './auth.errors';
import { digestKey } from './key-material';
import { KeyRegistry } from './key-registry.service';
import { KeySources, LoadedFile, LoadedKeys, ShortKey } from './key-sources';
import { KeyUsageRecorder } from './key-usage.service';
import { KeySource, RegisteredKey } from './registered-key';

const KEYS_FILE = '/srv/keys.env';

function registered(tenant: string, key: string, source: KeySource): RegisteredKey {
  const digest = digestKey(key);
  return {
    id: `${source}-${digest.slice(0, 12)}`,
    tenant,
    source,
    digest,
    fingerprint: `sha256:${digest.slice(0, 8)}`,
    createdAt: new Date(0),
    expiresAt: null,
    revokedAt: null,
  };
}

/** Sources the test rewrites between loads. */
class FakeSources {
  env: LoadedKeys = { keys: [], short: [] };
  file: LoadedFile = { keys: [], short: [], missing: true };
  readonly keysFilePath = KEYS_FILE;
  fromEnvironment = () => this.env;
  fromFile = async () => this.file;
  fromDatabase = async () => [];
}

function setup(isProduction: boolean) {
  const sources = new FakeSources();
  const warnings: Array<{ fields: unknown; msg: string }> = [];
  const logger = {
    info: () => undefined,
    warn: (fields: unknown, msg: string) => warnings.push({ fields, msg }),
    error: () => undefined,
  } as unknown as Logger;
  const usage = { used: jest.fn(), retain: jest.fn() } as unknown as KeyUsageRecorder;
  const registry = new KeyRegistry(
    sources as unknown as KeySources,
    { isProduction } as AppConfig,
    new Clock(),
    usage,
    { set: () => undefined } as unknown as Gauge,
    logger,
  );
  return { sources, registry, warnings, usage };
}

const SHORT_KEY = 'short-key';
const shortEnv = (tenant: string): LoadedKeys => ({
  keys: [registered(tenant, SHORT_KEY, 'env')],
  short: [{ tenant, source: 'env' } satisfies ShortKey],
});

describe('KeyRegistry: short keys', () => {
  it('in production, stops the first load naming the tenant, never the key', async () => {
    const { sources, registry } = setup(true);
    sources.env = shortEnv('ACME');
    const load = registry.onModuleInit();
    await expect(load).rejects.toBeInstanceOf(ApiKeyTooShort);
    await expect(load).rejects.toThrow(/^API_KEY_ACME is shorter than 16 characters; use a longer key in production$/);
  });

  it('in production, names every short key, file keys with their file and line', async () => {
    const { sources, registry } = setup(true);
    sources.env = shortEnv('ACME');
    sources.file = {
      keys: [registered('BETA', 'beta-key', 'file')],
      short: [{ tenant: 'BETA', source: 'file', line: 2 }],
      missing: false,
    };
    await expect(registry.reload('all')).rejects.toThrow(
      `API_KEY_ACME, API_KEY_BETA in the keys file ${KEYS_FILE} (line 2) are shorter than 16 characters`,
    );
  });

  it('in production, refuses a later reload with a 400 and keeps the previous keys', async () => {
    const { sources, registry } = setup(true);
    const good = 'a-long-enough-key-0123456789';
    sources.env = { keys: [registered('ACME', good, 'env')], short: [] };
    await registry.reload('all');
    sources.env = shortEnv('ACME');
    const error = await registry.reload('all').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiKeyTooShort);
    expect(error).toMatchObject({ kind: 'bad_request', code: 'API_KEY_TOO_SHORT' });
    expect((error as Error).message).toContain('API_KEY_ACME is shorter than 16 characters');
    expect((error as Error).message).toContain('The previous keys stay in force');
    expect(registry.resolve(good)?.tenant).toBe('ACME');
    expect(registry.resolve(SHORT_KEY)).toBeNull();
  });

  it('outside production, loads the key and warns once per tenant without key material', async () => {
    const { sources, registry, warnings } = setup(false);
    sources.env = shortEnv('ACME');
    await registry.reload('all');
    expect(registry.resolve(SHORT_KEY)?.tenant).toBe('ACME');
    const short = warnings.filter((w) => w.msg.includes('shorter than 16'));
    expect(short).toEqual([
      {
        fields: { tenant: 'ACME', source: 'env' },
        msg: 'API_KEY_ACME is shorter than 16 characters; use a longer key in production',
      },
    ]);
    expect(JSON.stringify(warnings)).not.toContain(SHORT_KEY);
  });
});

describe('KeyRegistry: a missing keys file', () => {
  const fileKey = 'file-key-0123456789abcdef';
  const withFileKey = (): LoadedFile => ({ keys: [registered('FILECO', fileKey, 'file')], short: [], missing: false });
  const missing: LoadedFile = { keys: [], short: [], missing: true };

  it('at start-up, warns once naming the path and loads the other sources', async () => {
    const { sources, registry, warnings } = setup(false);
    sources.env = { keys: [registered('ENVCO', 'env-key-0123456789abcdef', 'env')], short: [] };
    await registry.onModuleInit();
    expect(warnings.filter((w) => w.msg.includes(KEYS_FILE))).toHaveLength(1);
    expect(registry.tenants()).toEqual(['ENVCO']);
  });

  it('refuses a reload (409) and keeps every key while the last load had keys from it', async () => {
    const { sources, registry } = setup(false);
    sources.file = withFileKey();
    await registry.reload('all');
    sources.file = missing;
    const error = await registry.reload('all').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeysFileMissing);
    expect(error).toMatchObject({
      kind: 'conflict',
      code: 'KEYS_FILE_MISSING',
      message: `Keys file ${KEYS_FILE} is missing; previous keys kept`,
    });
    expect(registry.resolve(fileKey)?.tenant).toBe('FILECO');
  });

  it('accepts the removal with allowMissingKeysFile', async () => {
    const { sources, registry } = setup(false);
    sources.file = withFileKey();
    await registry.reload('all');
    sources.file = missing;
    await registry.reload('all', { allowMissingKeysFile: true });
    expect(registry.resolve(fileKey)).toBeNull();
    // Nothing left to protect: a further reload without the option succeeds.
    await expect(registry.reload('all')).resolves.toEqual({ keys: 0, tenants: 0 });
  });

  it('is an empty source when the last load had no keys from it', async () => {
    const { sources, registry } = setup(false);
    sources.file = { keys: [], short: [], missing: false };
    await registry.reload('all');
    sources.file = missing;
    await expect(registry.reload('all')).resolves.toEqual({ keys: 0, tenants: 0 });
  });
});

describe('KeyRegistry.resolve', () => {
  it('notes the use of a usable key, and nothing for an unknown one', async () => {
    const { sources, registry, usage } = setup(false);
    const key = 'env-key-0123456789abcdef';
    sources.env = { keys: [registered('ENVCO', key, 'env')], short: [] };
    await registry.reload('all');
    registry.resolve('unknown-key-0123456789');
    expect(usage.used).not.toHaveBeenCalled();
    registry.resolve(key);
    expect(usage.used).toHaveBeenCalledWith(expect.objectContaining({ tenant: 'ENVCO' }), expect.any(Number));
  });
});
