import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { JsonTooDeep, MalformedJson, PayloadTooLarge, UnreadableBody, UnsupportedBodyEncoding } from './errors';
import { hasRequestBody, isUtf8, NON_JSON_BODY } from './pipeline/json-body.middleware';
import { exceedsJsonDepth } from './pipeline/json-depth';
import { ContextualRequest } from './request-context';
import { fastifyRouteTable } from './route-template';

/** application/json and application/<anything>+json, with or without parameters. */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

export interface FastifyBodyOptions {
  bodyLimitBytes: number;
  /** Deepest nesting of objects and arrays a JSON body may have (JSON_MAX_DEPTH). */
  jsonMaxDepth: number;
}

/**
 * JSON bodies parsed the way the express pipeline parses them, so both adapters answer
 * alike: an empty body is {}, only objects and arrays are accepted, a charset other than
 * UTF-8 is 415, nesting past the limit is 400 before parsing, a parse failure is 400.
 */
function parseJson(contentType: string | undefined, body: string, maxDepth: number): unknown {
  if (!isUtf8(contentType)) throw new UnsupportedBodyEncoding('charset');
  const text = body.trim();
  if (text === '') return {};
  if (exceedsJsonDepth(text, maxDepth)) throw new JsonTooDeep(maxDepth);
  if (text[0] !== '{' && text[0] !== '[') throw new MalformedJson();
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedJson();
  }
}

/** The decoder for a Content-Encoding, as body-parser has them; null for identity. */
function decoderFor(encoding: string): Transform | null {
  switch (encoding) {
    case 'identity':
      return null;
    case 'gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      throw new UnsupportedBodyEncoding('content encoding');
  }
}

/**
 * Reads a body up to `limit` bytes (decoded, when it is compressed); past it, stops reading
 * and fails with a 413. A body that does not decompress is a 400.
 */
function readBody(payload: IncomingMessage, limit: number, done: (error: Error | null, body?: string) => void): void {
  const encoding = (payload.headers['content-encoding'] || 'identity').toLowerCase();
  let decoder: Transform | null;
  try {
    decoder = decoderFor(encoding);
  } catch (error) {
    payload.resume();
    done(error as Error);
    return;
  }
  const declared = Number(payload.headers['content-length']);
  if (!decoder && Number.isFinite(declared) && declared > limit) {
    payload.resume();
    done(new PayloadTooLarge(limit));
    return;
  }
  const source: Readable = decoder ? payload.pipe(decoder) : payload;
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (error: Error | null, body?: string) => {
    if (finished) return;
    finished = true;
    if (decoder) {
      payload.unpipe(decoder);
      decoder.destroy();
      payload.resume();
    }
    done(error, body);
  };
  source.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) finish(new PayloadTooLarge(limit));
    else if (!finished) chunks.push(chunk);
  });
  source.once('end', () => finish(null, Buffer.concat(chunks).toString('utf8')));
  if (decoder) decoder.on('error', () => finish(new UnreadableBody()));
  payload.on('error', (error) => finish(error));
}

/**
 * Fastify-specific wiring that keeps behaviour identical to express: the route template
 * recorded for logs and metrics, the route table (for 405 answers), and the same body rules
 * (JSON only, same limits and errors; other bodies are not read into the request). Errors
 * raised here reach the global exception filter through Nest's error handler, like every
 * other error.
 */
export function configureFastify(instance: FastifyInstance, options: FastifyBodyOptions): void {
  const routes = fastifyRouteTable(instance);
  instance.addHook('onRoute', (route) => routes.add(route.method, route.url));
  instance.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    (request.raw as ContextualRequest).routeTemplate = request.routeOptions?.url;
    done();
  });

  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser(JSON_TYPE, (request, payload, done) => {
    readBody(payload, options.bodyLimitBytes, (error, body) => {
      if (error) return done(error, undefined);
      try {
        done(null, parseJson(request.headers['content-type'], body ?? '', options.jsonMaxDepth));
      } catch (parseError) {
        done(parseError as Error, undefined);
      }
    });
  });
  // Any other content type (or none): the body is not read; routes that take one answer 415.
  instance.addContentTypeParser('*', (request, payload, done) => {
    const body = hasRequestBody(request.headers) ? NON_JSON_BODY : undefined;
    payload.resume();
    payload.once('end', () => done(null, body));
    payload.once('error', (error) => done(error, undefined));
  });
}
