import { describeShortKey, MIN_KEY_LENGTH, shortKeys } from './key-sources';

describe('shortKeys', () => {
  const long = 'x'.repeat(MIN_KEY_LENGTH);
  const short = 'x'.repeat(MIN_KEY_LENGTH - 1);

  it('names each entry shorter than 16 characters by tenant (and line), never by key', () => {
    const found = shortKeys(
      [
        { tenant: 'ACME', key: short, line: 3 },
        { tenant: 'LONGCO', key: long, line: 4 },
      ],
      'file',
    );
    expect(found).toEqual([{ tenant: 'ACME', source: 'file', line: 3 }]);
    expect(JSON.stringify(found)).not.toContain(short);
  });

  it('accepts a key of exactly 16 characters', () => {
    expect(shortKeys([{ tenant: 'ACME', key: long }], 'env')).toEqual([]);
  });

  it('has no line for an environment key', () => {
    expect(shortKeys([{ tenant: 'ACME', key: 'abcdef' }], 'env')).toEqual([{ tenant: 'ACME', source: 'env' }]);
  });
});

describe('describeShortKey', () => {
  it('names the variable of an environment key', () => {
    expect(describeShortKey({ tenant: 'ACME', source: 'env' }, '/etc/keys.env')).toBe('API_KEY_ACME');
  });

  it('names the variable, the file and the line of a keys-file key', () => {
    expect(describeShortKey({ tenant: 'ACME', source: 'file', line: 7 }, '/etc/keys.env')).toBe(
      'API_KEY_ACME in the keys file /etc/keys.env (line 7)',
    );
  });
});
