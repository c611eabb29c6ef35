import { connect, createServer, Server, Socket } from 'node:net';
import { Client } from 'pg';
import { HttpCall, httpCall, HttpCallError } from './http-client';
import { freePort, hasRedisServer } from './redis-server';

/*
 * Support for the chaos suites (test/chaos): the services they need, a TCP proxy that can cut
 * a dependency off and restore it, and a bounded concurrent load generator.
 */

export interface ChaosServices {
  databaseUrl: string;
  redisUrl: string;
}

/**
 * TEST_DATABASE_URL, TEST_REDIS_URL and a redis-server binary (for private instances that the
 * suites kill). Locally, missing services skip the suites; with CI=true they fail them.
 */
export function chaosServices(): ChaosServices | null {
  const databaseUrl = process.env.TEST_DATABASE_URL ?? '';
  const redisUrl = process.env.TEST_REDIS_URL ?? '';
  const missing = [
    ...(databaseUrl ? [] : ['TEST_DATABASE_URL']),
    ...(redisUrl ? [] : ['TEST_REDIS_URL']),
    ...(hasRedisServer() ? [] : ['a redis-server binary on PATH']),
  ];
  if (missing.length === 0) return { databaseUrl, redisUrl };
  if (process.env.CI === 'true') throw new Error(`CI=true: the chaos suites need ${missing.join(', ')}`);
  return null;
}

/** describe() when the chaos services are there, describe.skip() with the reason otherwise (never in CI). */
export function describeChaos(name: string, fn: (services: ChaosServices) => void): void {
  const services = chaosServices();
  if (services) {
    describe(name, () => fn(services));
    return;
  }
  const reason = 'skipped: set TEST_DATABASE_URL and TEST_REDIS_URL (and install redis-server) to run it';
  process.stderr.write(`chaos suite "${name}" ${reason}\n`);
  describe.skip(`${name} [${reason}]`, () => fn({ databaseUrl: '', redisUrl: '' }));
}

/**
 * A TCP proxy on a free loopback port in front of host:port, with the faults a network can
 * have: `cut()` drops every open connection and refuses new ones (the listener closes);
 * `stall()` keeps connections open but silently drops everything sent either way and accepts
 * new ones without ever connecting them (a partition: no reset, no answer); `restore()`
 * returns to normal on the same port (connections stalled so far are dropped).
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private stalled = false;
  private trigger: { bytes: Buffer; fired: () => void } | null = null;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), target);
    await proxy.listen();
    return proxy;
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        this.server = server;
        resolve();
      });
    });
  }

  private track(socket: Socket, onClose: () => void): void {
    this.sockets.add(socket);
    socket.on('error', onClose);
    socket.on('close', onClose);
  }

  private accept(client: Socket): void {
    if (this.stalled) {
      this.track(client, () => this.sockets.delete(client));
      client.on('data', () => undefined); // read and drop
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    this.track(client, close);
    this.track(upstream, close);
    client.on('data', (chunk: Buffer) => {
      if (this.stalled) return;
      const trigger = this.trigger;
      if (trigger && chunk.includes(trigger.bytes)) {
        // The chunk is never delivered: the cut happens just before it.
        this.trigger = null;
        void this.cut().then(trigger.fired);
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!this.stalled) client.write(chunk);
    });
  }

  /**
   * Arms a cut for the moment a client sends `text` (e.g. the SQL of a statement): that chunk
   * is dropped, then everything is cut as by cut(). Resolves once the cut has happened.
   */
  cutWhenClientSends(text: string): Promise<void> {
    return new Promise((resolve) => {
      this.trigger = { bytes: Buffer.from(text), fired: resolve };
    });
  }

  /** Destroys every connection in both directions and stops accepting new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.dropAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** From now on nothing gets through, and nothing says so. */
  stall(): void {
    this.stalled = true;
  }

  async restore(): Promise<void> {
    if (this.stalled) {
      this.stalled = false;
      this.dropAll();
    }
    if (!this.server) await this.listen();
  }

  private dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

/** The same database URL, reached through `port` on 127.0.0.1. */
export function viaPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}

/** Runs `sql` on a fresh client to the database at `url` (never through a proxy under test). */
export async function queryDatabase<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export interface LoadSample<T> {
  worker: number;
  meta: T;
  startedAt: number;
  endedAt: number;
  status?: number;
  body?: unknown;
  /** Socket error code when no complete response arrived. */
  error?: string;
}

export interface LoadOptions<T> {
  baseUrl: string;
  concurrency: number;
  /** The next request of a worker; `meta` is kept with its sample. */
  next: (worker: number, seq: number) => { call: HttpCall; meta: T };
  /** Pause after a sample (for example after an error, so an outage is not hammered). */
  pauseAfter?: (sample: LoadSample<T>) => number;
  /** A worker stops for good after a sample this returns true for (e.g. connection refused). */
  stopWorker?: (sample: LoadSample<T>) => boolean;
  /** Hang guard for every request. */
  requestTimeoutMs?: number;
  /** Hard bound: the load stops by itself after this long. */
  maxDurationMs: number;
}

export interface Load<T> {
  samples: LoadSample<T>[];
  /** Stops issuing requests and resolves once every worker's last request has finished. */
  stop(): Promise<LoadSample<T>[]>;
}

/** Concurrent request loops: each worker sends its next request as soon as the previous one ends. */
export function startLoad<T>(options: LoadOptions<T>): Load<T> {
  const samples: LoadSample<T>[] = [];
  const deadline = Date.now() + options.maxDurationMs;
  let stopped = false;
  const worker = async (id: number): Promise<void> => {
    for (let seq = 0; !stopped && Date.now() < deadline; seq++) {
      const { call, meta } = options.next(id, seq);
      const sample: LoadSample<T> = { worker: id, meta, startedAt: Date.now(), endedAt: 0 };
      try {
        const res = await httpCall(options.baseUrl, { timeoutMs: options.requestTimeoutMs ?? 20000, ...call });
        sample.status = res.status;
        sample.body = res.body;
      } catch (error) {
        sample.error = error instanceof HttpCallError ? error.code : String(error);
      }
      sample.endedAt = Date.now();
      samples.push(sample);
      if (options.stopWorker?.(sample)) return;
      const pause = options.pauseAfter?.(sample) ?? 0;
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  };
  const workers = Array.from({ length: options.concurrency }, (_, id) => worker(id));
  return {
    samples,
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
      return samples;
    },
  };
}

/** Counts of each outcome (status code or error code), for failure messages. */
export function tally<T>(samples: LoadSample<T>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) {
    const key = s.error ?? String(s.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
