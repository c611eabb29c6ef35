import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './unavailable';

const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', withCode('ECONNRESET')],
    ['connect timeout', withCode('ETIMEDOUT')],
    ['pg: socket closed', new Error('Connection terminated unexpectedly')],
    ['pg: connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pg-pool: no connection in time', new Error('timeout exceeded when trying to connect')],
    ['pg: no answer within query_timeout', new Error('Query read timeout')],
    ['pg: broken client', new Error('Client has encountered a connection error and is not queryable')],
    ['postgres shutting down', withCode('57P01', 'terminating connection due to administrator command')],
    ['postgres starting up', withCode('57P03', 'the database system is starting up')],
    ['postgres connection failure', withCode('08006')],
    ['postgres too many connections', withCode('53300')],
    ['sqlite busy', withCode('SQLITE_BUSY', 'database is locked')],
    ['sqlite I/O error', withCode('SQLITE_IOERR_SHORT_READ')],
    ['sqlite closed', new TypeError('The database connection is not open')],
    ['wrapped by TypeORM', new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly'))],
    ['as a cause', new Error('query failed', { cause: withCode('ECONNRESET') })],
    ['in an AggregateError', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect')],
  ])('recognises %s', (_name, error) => expect(isDatabaseUnavailable(error)).toBe(true));

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], withCode('23505', 'duplicate key value'))],
    ['a syntax error', new QueryFailedError('SELEC 1', [], withCode('42601', 'syntax error'))],
    ['a value out of range', new QueryFailedError('SELECT', [], withCode('22008', 'timestamp out of range'))],
    ['a sqlite constraint', withCode('SQLITE_CONSTRAINT_PRIMARYKEY')],
    ['a message that merely mentions a code', new Error('connect ECONNREFUSED db.internal:5432')],
    ['a plain error', new Error('boom')],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('does not take %s for an outage', (_name, error) => expect(isDatabaseUnavailable(error)).toBe(false));

  it('stops on cycles', () => {
    const error: Error & { cause?: unknown } = new Error('loop');
    error.cause = error;
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
