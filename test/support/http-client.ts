import { Agent, IncomingHttpHeaders, request } from 'node:http';
import { connect } from 'node:net';

/**
 * A small HTTP client on node:http, for suites that need control over the exact request:
 * raw paths (no normalisation, invalid percent-encoding kept), raw body bytes, chunked
 * bodies, and per-request connection handling under load.
 */
export interface HttpCall {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as is; a string is encoded as UTF-8. */
  body?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
  /** Defaults to a fresh connection per request (Connection: close). */
  agent?: Agent | false;
  /** Aborts the request after this long (a hang guard). */
  timeoutMs?: number;
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
}

/** An error of the request itself (no complete response), with the socket error code. */
export class HttpCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** True once the status line and headers had arrived. */
    readonly gotResponse: boolean,
  ) {
    super(message);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function httpCall(baseUrl: string, call: HttpCall): Promise<HttpResult> {
  const url = new URL(baseUrl);
  const body = call.body === undefined ? undefined : Buffer.isBuffer(call.body) ? call.body : Buffer.from(call.body);
  const headers: Record<string, string> = { ...call.headers };
  if (body && !call.chunked) headers['content-length'] = String(body.length);
  // Node only frames GET and DELETE bodies as chunked when asked to.
  if (body && call.chunked) headers['transfer-encoding'] = 'chunked';
  return new Promise<HttpResult>((resolve, reject) => {
    let gotResponse = false;
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: call.method,
        path: call.path,
        headers,
        agent: call.agent ?? false,
      },
      (res) => {
        gotResponse = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) =>
          reject(new HttpCallError(error.code ?? 'ERESPONSE', error.message, true)),
        );
        res.on('end', () => {
          if (!res.complete) {
            reject(new HttpCallError('EINCOMPLETE', 'response ended before it was complete', true));
            return;
          }
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parseJson(text) });
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(new HttpCallError(error.code ?? 'EREQUEST', error.message, gotResponse)),
    );
    if (call.timeoutMs) {
      req.setTimeout(call.timeoutMs, () =>
        req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
      );
    }
    if (body && call.chunked) {
      const step = Math.max(1, Math.ceil(body.length / 4));
      for (let at = 0; at < body.length; at += step) req.write(body.subarray(at, at + step));
    } else if (body) {
      req.write(body);
    }
    req.end();
  });
}

/**
 * Writes raw bytes to host:port and returns everything the server answers until it closes
 * the connection (or the timeout passes): for requests no HTTP client will send.
 */
export function rawHttp(baseUrl: string, bytes: string | Buffer, timeoutMs = 5000): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (chunks.length > 0) resolve(Buffer.concat(chunks).toString('latin1'));
      else reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}
