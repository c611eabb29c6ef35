import { connect, Socket } from 'node:net';
import { httpCall } from './support/http-client';
import { eventually } from './support/redis';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/*
 * Slow clients (slowloris: headers or a body trickled a byte at a time) are cut off at
 * HEADERS_TIMEOUT_MS and REQUEST_TIMEOUT_MS, on both platforms, while normal requests go on
 * being served; idle keep-alive connections are closed at KEEP_ALIVE_TIMEOUT_MS. The waits are
 * on real sockets: bounded polling on their close events.
 */
const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;
const KEEP_ALIVE_TIMEOUT_MS = 500;
/** The server checks its limits every HEADERS_TIMEOUT_MS / 2; the rest is for a busy machine. */
const SLACK_MS = HEADERS_TIMEOUT_MS / 2 + 1500;
const TRICKLE_EVERY_MS = 100;

interface SlowClient {
  kind: 'headers' | 'body';
  openedAt: number;
  closedAt?: number;
  received: string;
}

/** A connection that sends a request one byte at a time and never finishes it. */
function slowClient(baseUrl: string, kind: SlowClient['kind'], sockets: Socket[]): SlowClient {
  const url = new URL(baseUrl);
  const client: SlowClient = { kind, openedAt: Date.now(), received: '' };
  const socket = connect(Number(url.port), url.hostname);
  sockets.push(socket);
  let timer: NodeJS.Timeout | undefined;
  const head = 'POST /v1/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n';
  socket.on('connect', () => {
    client.openedAt = Date.now();
    // Headers that never end, or complete headers and a body that never ends.
    socket.write(kind === 'headers' ? `${head}X-Slow: ` : `${head}Content-Length: 100000\r\n\r\n{"name":"`);
    timer = setInterval(() => socket.write('a'), TRICKLE_EVERY_MS);
  });
  socket.on('data', (chunk: Buffer) => (client.received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => {
    clearInterval(timer);
    client.closedAt = Date.now();
  });
  return client;
}

describe('slow clients', () => {
  let db: TestDatabase;
  let t: TestApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      listen: true,
      env: {
        HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
      },
    });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await t?.close();
    await db?.drop();
  });

  it('50 slow connections are closed at their limits while normal requests are served', async () => {
    const clients = Array.from({ length: 50 }, (_, i) => slowClient(t.url, i % 2 === 0 ? 'headers' : 'body', sockets));
    const normal: number[] = [];
    let slowOnesOpen = true;
    const traffic = (async () => {
      while (slowOnesOpen) {
        const res = await httpCall(t.url, { method: 'GET', path: '/health', timeoutMs: 5000 });
        normal.push(res.status);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    try {
      await eventually(
        async () => clients.every((c) => c.closedAt !== undefined),
        REQUEST_TIMEOUT_MS + SLACK_MS + 1000,
      );
    } finally {
      slowOnesOpen = false;
      await traffic;
    }

    for (const client of clients) {
      const limit = client.kind === 'headers' ? HEADERS_TIMEOUT_MS : REQUEST_TIMEOUT_MS;
      const heldMs = (client.closedAt ?? Infinity) - client.openedAt;
      // Cut off by its limit: not before it (they kept sending), and promptly after it.
      expect({ kind: client.kind, cutOff: heldMs >= limit - 100 && heldMs <= limit + SLACK_MS }).toEqual({
        kind: client.kind,
        cutOff: true,
      });
      // Told why, or simply closed; never served or answered with a 5xx.
      if (client.received !== '') expect(client.received).toMatch(/^HTTP\/1\.1 408 /);
    }
    expect(normal.length).toBeGreaterThanOrEqual(10);
    expect(normal.every((status) => status === 200)).toBe(true);
  });

  it('an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT_MS', async () => {
    const url = new URL(t.url);
    const socket = connect(Number(url.port), url.hostname);
    sockets.push(socket);
    let answeredAt = 0;
    let closedAt = 0;
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (!answeredAt && received.includes('\r\n\r\n')) answeredAt = Date.now();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (closedAt = Date.now()));
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await eventually(async () => closedAt > 0, KEEP_ALIVE_TIMEOUT_MS + SLACK_MS);
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(closedAt - answeredAt).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS - 100);
  });
});
