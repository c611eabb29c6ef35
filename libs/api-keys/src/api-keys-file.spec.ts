import { apiKeysFromEnvironment, KeysFileError, parseKeysFile, parseKeysFileLine } from './api-keys-file';

describe('keys file format', () => {
  it('parses keys, skipping blank lines and comments, upper-casing tenants', () => {
    const text = [
      '# keys',
      '',
      'API_KEY_EXPERTCO=abc123def',
      '  API_KEY_new_co = "NEWKEY123"  ',
      "export API_KEY_X='quoted-key'",
    ].join('\n');
    expect(parseKeysFile(text)).toEqual([
      { tenant: 'EXPERTCO', key: 'abc123def', line: 3 },
      { tenant: 'NEW_CO', key: 'NEWKEY123', line: 4 },
      { tenant: 'X', key: 'quoted-key', line: 5 },
    ]);
  });

  it('handles CRLF line endings', () => {
    expect(parseKeysFile('API_KEY_A=key-one\r\nAPI_KEY_B=key-two\r\n').map((e) => e.tenant)).toEqual(['A', 'B']);
  });

  it.each([
    ['FOO=bar', 'expected API_KEY_<TENANT>=<key>'],
    ['API_KEY_=abcdefg', 'expected API_KEY_<TENANT>=<key>'],
    ['API_KEY_A=', 'the key must be'],
    ['API_KEY_A=short', 'the key must be'],
    ['API_KEY_A=has space', 'the key must be'],
    ['API_KEY_-A=abcdefgh', 'invalid tenant name'],
    ['just text', 'expected'],
  ])('rejects %p naming the line', (line, reason) => {
    expect(() => parseKeysFile(`API_KEY_OK=abcdefgh\n\n${line}`)).toThrow(KeysFileError);
    try {
      parseKeysFile(`API_KEY_OK=abcdefgh\n\n${line}`);
    } catch (error) {
      expect((error as KeysFileError).line).toBe(3);
      expect((error as Error).message).toContain('line 3');
      expect((error as Error).message).toContain(reason);
    }
  });

  it('returns null for blank and comment lines', () => {
    expect(parseKeysFileLine('   ', 1)).toBeNull();
    expect(parseKeysFileLine('# API_KEY_A=abcdefgh', 1)).toBeNull();
  });

  it('never puts the key in an error message', () => {
    expect(() => parseKeysFile('API_KEY_A=sec ret-value')).toThrow(/^line 1: the key must be/);
    try {
      parseKeysFile('API_KEY_A=sec ret-value');
    } catch (error) {
      expect((error as Error).message).not.toContain('ret-value');
    }
  });
});

describe('apiKeysFromEnvironment', () => {
  it('takes API_KEY_<TENANT> variables and reports malformed ones by name only', () => {
    const { entries, invalid } = apiKeysFromEnvironment({
      API_KEY_EXPERTCO: 'expert-key-1',
      API_KEY_lower: 'lower-key-1',
      API_KEY_BAD: 'bad key',
      API_KEY_EMPTY: '',
      API_ADMIN_KEY: 'not-a-tenant-key',
      PATH: '/usr/bin',
    });
    expect(entries).toEqual([
      { tenant: 'EXPERTCO', key: 'expert-key-1' },
      { tenant: 'LOWER', key: 'lower-key-1' },
    ]);
    expect(invalid).toEqual(['API_KEY_BAD']);
  });
});
