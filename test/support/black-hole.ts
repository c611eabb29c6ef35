import { createServer, Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP server on a free loopback port that accepts every connection, reads everything and
 * never answers: a dependency (Redis, Postgres) that is up at the network level but hangs.
 */
export class BlackHole {
  private readonly sockets = new Set<Socket>();
  private accepted = 0;

  private constructor(private readonly server: Server) {
    server.on('connection', (socket) => {
      this.accepted += 1;
      this.sockets.add(socket);
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<BlackHole> {
    const hole = new BlackHole(createServer());
    await new Promise<void>((resolve, reject) => {
      hole.server.once('error', reject);
      hole.server.listen(0, '127.0.0.1', () => resolve());
    });
    return hole;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Connections accepted so far (a client that reconnects adds one each time). */
  get connections(): number {
    return this.accepted;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
