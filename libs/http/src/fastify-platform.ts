import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { MalformedJson, PayloadTooLarge, UnsupportedBodyEncoding } from './errors';
import { isUtf8 } from './pipeline/json-body.middleware';
import { ContextualRequest } from './request-context';

/** application/json and application/<anything>+json, with or without parameters. */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * JSON bodies parsed the way the express pipeline parses them, so both adapters answer
 * alike: an empty body is {}, only objects and arrays are accepted, a charset other than
 * UTF-8 is 415, a parse failure is 400.
 */
function parseJson(contentType: string | undefined, body: string): unknown {
  if (!isUtf8(contentType)) throw new UnsupportedBodyEncoding('charset');
  const text = body.trim();
  if (text === '') return {};
  if (text[0] !== '{' && text[0] !== '[') throw new MalformedJson();
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedJson();
  }
}

/** Reads a body up to `limit` bytes; past it, stops reading and fails with a 413. */
function readBody(payload: IncomingMessage, limit: number, done: (error: Error | null, body?: string) => void): void {
  const declared = Number(payload.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    payload.resume();
    done(new PayloadTooLarge(limit));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (error: Error | null, body?: string) => {
    if (finished) return;
    finished = true;
    done(error, body);
  };
  payload.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) finish(new PayloadTooLarge(limit));
    else if (!finished) chunks.push(chunk);
  });
  payload.once('end', () => finish(null, Buffer.concat(chunks).toString('utf8')));
  payload.once('error', (error) => finish(error));
}

/**
 * Fastify-specific wiring that keeps behaviour identical to express: the route template
 * recorded for logs and metrics, and the same body rules (JSON only, same limit and errors;
 * other bodies are not read into the request). Errors raised here reach the global
 * exception filter through Nest's error handler, like every other error.
 */
export function configureFastify(instance: FastifyInstance, bodyLimitBytes: number): void {
  instance.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    (request.raw as ContextualRequest).routeTemplate = request.routeOptions?.url;
    done();
  });

  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser(JSON_TYPE, (request, payload, done) => {
    readBody(payload, bodyLimitBytes, (error, body) => {
      if (error) return done(error, undefined);
      try {
        done(null, parseJson(request.headers['content-type'], body ?? ''));
      } catch (parseError) {
        done(parseError as Error, undefined);
      }
    });
  });
  instance.addContentTypeParser('*', (_request, payload, done) => {
    payload.resume();
    payload.once('end', () => done(null, undefined));
    payload.once('error', (error) => done(error, undefined));
  });
}
