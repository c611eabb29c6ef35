import { DateUtils } from 'typeorm/util/DateUtils';
import { fromDatabaseDate, NativeStatement, toDatabaseDate } from './native-sql';

describe('NativeStatement', () => {
  const sql = 'SELECT 1 FROM t WHERE a = :a AND (b < :at OR (b = :at AND c < :c)) LIMIT :take';

  it('numbers each name once on Postgres, reusing the number of a repeated name', () => {
    const statement = new NativeStatement('postgres', sql);
    expect(statement.text).toBe('SELECT 1 FROM t WHERE a = $1 AND (b < $2 OR (b = $2 AND c < $3)) LIMIT $4');
    const at = new Date('2026-06-01T12:00:00.123Z');
    expect(statement.values({ a: 'x', at, c: 'y', take: 21 })).toEqual(['x', at, 'y', 21]);
  });

  it('writes ? per occurrence on SQLite, repeating the value, with dates as SQLite stores them', () => {
    const statement = new NativeStatement('sqlite', sql);
    expect(statement.text).toBe('SELECT 1 FROM t WHERE a = ? AND (b < ? OR (b = ? AND c < ?)) LIMIT ?');
    const at = new Date('2026-06-01T12:00:00.123Z');
    expect(statement.values({ a: 'x', at, c: 'y', take: 21 })).toEqual([
      'x',
      '2026-06-01 12:00:00.123',
      '2026-06-01 12:00:00.123',
      'y',
      21,
    ]);
  });

  it('passes null through and refuses a missing value', () => {
    const statement = new NativeStatement('postgres', 'SELECT :a, :b');
    expect(statement.values({ a: null, b: 0 })).toEqual([null, 0]);
    expect(() => statement.values({ a: 'x' } as unknown as Record<'a' | 'b', unknown>)).toThrow(':b');
  });
});

describe('timestamps as the databases hold them', () => {
  const instants = ['1970-01-01T00:00:00.000Z', '2026-02-28T23:59:59.999Z', '9999-12-31T23:59:59.001Z'];

  it.each(instants)('writes %s for SQLite exactly as TypeORM does, and reads it back', (iso) => {
    const date = new Date(iso);
    const stored = toDatabaseDate('sqlite', date);
    expect(stored).toBe(DateUtils.mixedDateToUtcDatetimeString(date));
    expect(fromDatabaseDate(stored)).toEqual(date);
  });

  it('hands Dates to pg as they are, and takes its Dates back as they are', () => {
    const date = new Date(instants[1]);
    expect(toDatabaseDate('postgres', date)).toBe(date);
    expect(fromDatabaseDate(date)).toBe(date);
  });

  it('reads the other shapes SQLite text may have as UTC, like TypeORM', () => {
    expect(fromDatabaseDate('2026-06-01 12:00:00')).toEqual(new Date('2026-06-01T12:00:00.000Z'));
    expect(fromDatabaseDate('2026-06-01 12:00')).toEqual(new Date('2026-06-01T12:00:00.000Z'));
    expect(fromDatabaseDate('2026-06-01T12:00:00.5+02:00')).toEqual(new Date('2026-06-01T10:00:00.500Z'));
  });
});
