import { isValidRequestId } from './request-context';

describe('isValidRequestId', () => {
  it.each(['a', 'abc-123', 'A.B_C-d', 'x'.repeat(128)])('accepts %s', (id) => expect(isValidRequestId(id)).toBe(true));
  it.each(['', 'x'.repeat(129), 'a b', 'a/b', 'a\nb', 'é', undefined, ['a']])('rejects %p', (id) =>
    expect(isValidRequestId(id)).toBe(false),
  );
});
