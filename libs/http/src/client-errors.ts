import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { FRAMEWORK_ERROR_CODES } from './errors';
import { errorEnvelope } from './error-envelope';
import { REQUEST_ID_HEADER } from './request-context';

/** Status and code for requests Node's HTTP parser refuses before any handler sees them. */
function refusalOf(code: string | undefined): { status: number; code: string; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, code: FRAMEWORK_ERROR_CODES.headersTooLarge, message: 'Request headers too large' };
  }
  if (code === 'HPE_REQUEST_TIMEOUT' || code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, code: FRAMEWORK_ERROR_CODES.requestTimeout, message: 'Request timed out' };
  }
  return { status: 400, code: FRAMEWORK_ERROR_CODES.malformedRequest, message: 'Malformed HTTP request' };
}

/**
 * Answers a request the HTTP parser rejected (invalid header characters, oversized heads,
 * malformed request lines, heads or bodies that arrive too slowly) in the standard envelope
 * too, with a fresh request id, and closes the connection, as Node's default handler does.
 * Fastify takes it as its `clientErrorHandler`; under express it listens on the server.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, code, message } = refusalOf(error.code);
  const requestId = randomUUID();
  const body = JSON.stringify(errorEnvelope(status, code, message, requestId));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      `content-type: application/json; charset=utf-8\r\n${REQUEST_ID_HEADER}: ${requestId}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Node's parser refusals on an express server, answered by answerClientError. */
export function answerClientErrorsWithEnvelope(server: Server): void {
  server.on('clientError', answerClientError);
}
