import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorEnvelope } from './error-envelope';
import { REQUEST_ID_HEADER } from './request-context';

/** Statuses for requests Node's HTTP parser refuses before any handler sees them. */
function statusOf(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'HPE_REQUEST_TIMEOUT' || code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

/**
 * Requests the HTTP parser rejects (invalid header characters, oversized heads, malformed
 * request lines) are answered in the standard envelope too, with a fresh request id, and the
 * connection is closed, as Node's default handler does.
 */
export function answerClientErrorsWithEnvelope(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = statusOf(error.code);
    const requestId = randomUUID();
    const body = JSON.stringify(errorEnvelope(status, 'Malformed HTTP request', requestId));
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `content-type: application/json; charset=utf-8\r\n${REQUEST_ID_HEADER}: ${requestId}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
}
