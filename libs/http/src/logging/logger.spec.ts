import { createLogger } from './logger';

function capture() {
  const chunks: string[] = [];
  return { chunks, stream: { write: (c: string) => chunks.push(c) } };
}

describe('createLogger', () => {
  it('redacts credential headers wherever a headers object is logged', () => {
    const { chunks, stream } = capture();
    const logger = createLogger('info', stream);
    const headers = { 'x-api-key': 'k1', 'x-admin-key': 'k2', authorization: 'Bearer k3', cookie: 'k4', accept: '*/*' };
    logger.info({ req: { headers } }, 'a');
    logger.info({ headers }, 'b');
    logger.info({ upstream: { headers } }, 'c');
    logger.info({ request: { headers } }, 'd');
    const text = chunks.join('');
    for (const secret of ['"k1"', '"k2"', 'Bearer k3', '"k4"']) expect(text).not.toContain(secret);
    expect(text.match(/\[REDACTED\]/g)?.length).toBe(16);
    expect(text).toContain('*/*');
  });

  it('writes level names and the service name', () => {
    const { chunks, stream } = capture();
    createLogger('warn', stream).warn('careful');
    createLogger('warn', stream).info('dropped');
    expect(chunks).toHaveLength(1);
    expect(JSON.parse(chunks[0])).toMatchObject({ level: 'warn', service: 'customer-ops', msg: 'careful' });
  });

  it('logs errors without their extra properties (query parameters, headers)', () => {
    const { chunks, stream } = capture();
    const error = Object.assign(new Error('insert into "leads" failed'), {
      code: '23505',
      parameters: ['+44 20 7946 0958', 'private.person@example.org'],
      query: 'INSERT INTO leads VALUES ($1, $2)',
    });
    createLogger('info', stream).error({ err: error }, 'boom');
    const line = JSON.parse(chunks[0]);
    expect(line.err).toEqual({
      type: 'Error',
      message: 'insert into "leads" failed',
      code: '23505',
      stack: expect.any(String),
    });
    expect(chunks[0]).not.toContain('private.person@example.org');
  });
});
