import { decodeCursor, encodeCursor, InvalidCursor } from './pagination';

describe('page cursors', () => {
  it('round-trips', () => {
    const cursor = { createdAt: new Date('2026-05-01T10:00:00.123Z'), id: '3f0c8a8e-1a7b-4c55-9d1e-2f3a4b5c6d7e' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    '',
    'abc',
    '%%%',
    Buffer.from('[1,2]').toString('base64url'),
    Buffer.from('["x","y"]').toString('base64url'),
    Buffer.from('["2026-01-01T00:00:00Z","not-an-id"]').toString('base64url'),
    'x'.repeat(200),
  ])('rejects %p', (text) => expect(() => decodeCursor(text)).toThrow(InvalidCursor));
});
