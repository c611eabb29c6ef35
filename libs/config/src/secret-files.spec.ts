import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, loadConfig } from './app-config';

describe('<NAME>_FILE secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'co-secrets-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('reads API_ADMIN_KEY, DATABASE_URL, REDIS_URL and METRICS_TOKEN from files', () => {
    const config = loadConfig({
      API_ADMIN_KEY_FILE: file('admin', 'admin-key-from-a-docker-secret\n'),
      DATABASE_URL_FILE: file('db', 'postgres://app:pw@db:5432/co\n'),
      REDIS_URL_FILE: file('redis', 'redis://redis:6379'),
      METRICS_TOKEN_FILE: file('metrics', 'scrape-token\r\n'),
    });
    expect(config.adminKey).toBe('admin-key-from-a-docker-secret');
    expect(config.database).toMatchObject({ kind: 'postgres', url: 'postgres://app:pw@db:5432/co' });
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.metricsToken).toBe('scrape-token');
  });

  it('treats an empty variable next to its _FILE as unset', () => {
    expect(loadConfig({ API_ADMIN_KEY: '', API_ADMIN_KEY_FILE: file('a2', 'k-from-file') }).adminKey).toBe(
      'k-from-file',
    );
  });

  it('refuses both, a missing file and an empty file, without showing contents', () => {
    try {
      loadConfig({
        API_ADMIN_KEY: 'inline-secret',
        API_ADMIN_KEY_FILE: file('a3', 'file-secret'),
        REDIS_URL_FILE: join(dir, 'missing'),
        METRICS_TOKEN_FILE: file('empty', '\n'),
      });
      throw new Error('expected a ConfigValidationError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      const { problems, message } = error as ConfigValidationError;
      expect(problems.map((p) => p.variable).sort()).toEqual([
        'API_ADMIN_KEY_FILE',
        'METRICS_TOKEN_FILE',
        'REDIS_URL_FILE',
      ]);
      expect(message).toContain('not both');
      expect(message).toContain('ENOENT');
      expect(message).not.toContain('inline-secret');
      expect(message).not.toContain('file-secret');
    }
  });

  it('validates the content like the variable itself', () => {
    expect(() => loadConfig({ REDIS_URL_FILE: file('bad-redis', 'http://nope') })).toThrow(/REDIS_URL must be/);
  });
});
