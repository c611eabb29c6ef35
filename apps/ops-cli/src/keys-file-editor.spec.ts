import { editKeysFile, KeysFileEditError, parseAddition } from './keys-file-editor';

describe('parseAddition', () => {
  it('splits TENANT:KEY and upper-cases the tenant', () => {
    expect(parseAddition('newco:NEWKEY123')).toEqual({ tenant: 'NEWCO', key: 'NEWKEY123' });
    expect(parseAddition('A:key:with:colons')).toEqual({ tenant: 'A', key: 'key:with:colons' });
  });
  it.each(['NOCOLON', ':KEY123456', 'T:short', 'bad name:abcdefgh'])('rejects %p', (spec) => {
    expect(() => parseAddition(spec)).toThrow(KeysFileEditError);
  });
});

describe('editKeysFile', () => {
  const file = '# production keys\nAPI_KEY_EXPERTCO=EXPERT-KEY-1\n\n# old\nAPI_KEY_OLDCO=OLDKEY1\n';

  it('adds a line and keeps everything else', () => {
    const edit = editKeysFile(file, [{ tenant: 'NEWCO', key: 'NEWKEY123' }], []);
    expect(edit.text).toBe(`${file}API_KEY_NEWCO=NEWKEY123\n`);
    expect(edit.added).toHaveLength(1);
  });

  it('removes by key value, keeping comments', () => {
    const edit = editKeysFile(file, [], ['OLDKEY1']);
    expect(edit.text).toBe('# production keys\nAPI_KEY_EXPERTCO=EXPERT-KEY-1\n\n# old\n');
    expect(edit.removed).toBe(1);
  });

  it('adds and removes in one edit (rotation)', () => {
    const edit = editKeysFile(file, [{ tenant: 'OLDCO', key: 'NEWOLDCO-KEY' }], ['OLDKEY1']);
    expect(edit.text).toContain('API_KEY_OLDCO=NEWOLDCO-KEY');
    expect(edit.text).not.toContain('OLDKEY1');
  });

  it('starts an empty file', () => {
    expect(editKeysFile('', [{ tenant: 'A', key: 'abcdefgh' }], []).text).toBe('API_KEY_A=abcdefgh\n');
  });

  it('does not duplicate a key the tenant already has', () => {
    const edit = editKeysFile(file, [{ tenant: 'EXPERTCO', key: 'EXPERT-KEY-1' }], []);
    expect(edit.text).toBe(file);
    expect(edit.alreadyPresent).toHaveLength(1);
  });

  it('refuses to give a key to a second tenant', () => {
    expect(() => editKeysFile(file, [{ tenant: 'OTHER', key: 'EXPERT-KEY-1' }], [])).toThrow(
      /belongs to tenant EXPERTCO/,
    );
  });

  it('refuses to remove a key that is not there', () => {
    expect(() => editKeysFile(file, [], ['MISSING-KEY'])).toThrow(/not in the keys file/);
  });

  it('refuses to edit a malformed file, naming the line', () => {
    expect(() => editKeysFile('API_KEY_A=abcdefgh\nnonsense\n', [], [])).toThrow(/line 2/);
  });

  it('never puts key values in error messages', () => {
    for (const run of [
      () => editKeysFile(file, [{ tenant: 'OTHER', key: 'EXPERT-KEY-1' }], []),
      () => editKeysFile(file, [], ['MISSING-KEY']),
    ]) {
      expect(run).toThrow(KeysFileEditError);
      try {
        run();
      } catch (error) {
        expect((error as Error).message).not.toMatch(/EXPERT-KEY-1|MISSING-KEY/);
      }
    }
  });
});
