import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpCall } from './http-client';
import { freePort } from './redis-server';

/*
 * A private nginx in front of API processes, for suites that need a real load balancer: its
 * own nginx.conf, pid file, logs and temp paths in a temp directory, on a free loopback port,
 * as a child of the test (never the distribution's service). Debian's package installs the
 * binary in /usr/sbin, which is not on every PATH.
 */
const CANDIDATES = ['nginx', '/usr/sbin/nginx'];

export function nginxBinary(): string | null {
  return CANDIDATES.find((bin) => spawnSync(bin, ['-v']).status === 0) ?? null;
}

/** The nginx binary, or null to skip locally; with CI=true a missing nginx is a failure. */
export function requireNginx(): string | null {
  const bin = nginxBinary();
  if (bin || process.env.CI !== 'true') return bin;
  throw new Error('CI=true requires nginx (Debian package nginx); .ci/run installs it');
}

export interface NginxOptions {
  /** Ports of the upstream servers on 127.0.0.1. */
  upstreams: number[];
  /** The body of the `location /` block, proxying to the upstream named `api`. */
  location: string;
  /** Extra lines in the `upstream api` block after the servers (e.g. keepalive). */
  upstream?: string;
  /** Each upstream `server` line's parameters, e.g. `max_fails=1 fail_timeout=1s`. */
  serverParameters?: string;
}

export interface NginxAccess {
  /** The client's X-Request-Id, `-` when it sent none. */
  requestId: string;
  method: string;
  status: number;
  /** Every upstream tried, in order (`127.0.0.1:port`): more than one when nginx retried the request. */
  upstreams: string[];
  /** The status of each try (`502` for a connection error). */
  upstreamStatuses: string[];
}

const ACCESS_LINE = /^(\S+) (\S+) (\d+) "([^"]*)" "([^"]*)"$/;

/** A location that answers the configuration's generation: which configuration is being served. */
const MARKER = '/__nginx-generation';

export class Nginx {
  private child: ChildProcess | null = null;
  private output = '';
  private generation = 0;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** Writes the configuration, starts the master process, and resolves once nginx answers. */
  static async start(bin: string, options: NginxOptions, timeoutMs = 10000): Promise<Nginx> {
    const dir = mkdtempSync(join(tmpdir(), 'co-nginx-'));
    const nginx = new Nginx(dir, await freePort());
    nginx.writeConfig(options);
    // -e: the error log before the configuration is read, too (the built-in one may not be writable).
    const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'];
    nginx.child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.child.stdout?.on('data', (chunk: Buffer) => (nginx.output += chunk.toString()));
    nginx.child.stderr?.on('data', (chunk: Buffer) => (nginx.output += chunk.toString()));
    try {
      await nginx.waitForGeneration(timeoutMs);
    } catch (error) {
      await nginx.stop();
      throw error;
    }
    return nginx;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Rewrites the configuration and reloads it (SIGHUP to the master); resolves once new
   * requests are served by the new configuration (its marker answers the new generation).
   */
  async reload(options: NginxOptions, timeoutMs = 10000): Promise<void> {
    this.writeConfig(options);
    this.child?.kill('SIGHUP');
    await this.waitForGeneration(timeoutMs);
  }

  errorLog(): string {
    const path = join(this.dir, 'error.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  /** The access log, one entry per request, with every upstream tried for it in order. */
  accessLog(): NginxAccess[] {
    const path = join(this.dir, 'access.log');
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .map((line) => ACCESS_LINE.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map(([, requestId, method, status, addrs, statuses]) => ({
        requestId,
        method,
        status: Number(status),
        // Tries are separated by ", " (and by " : " across an internal redirect).
        upstreams: addrs === '-' ? [] : addrs.split(/, | : /),
        upstreamStatuses: statuses === '-' ? [] : statuses.split(/, | : /),
      }));
  }

  /** Stops the master (and with it the workers) and removes the directory. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // SIGTERM is nginx's fast shutdown; SIGKILL if it lingers.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writeConfig(options: NginxOptions): void {
    this.generation += 1;
    const dir = this.dir;
    const servers = options.upstreams
      .map((port) => `    server 127.0.0.1:${port} ${options.serverParameters ?? ''};`)
      .join('\n');
    // As root the workers would run as an unprivileged user that cannot enter the temp directory.
    const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
    const config = `${user}worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} info;
events { worker_connections 1024; }
http {
  log_format upstreams '$http_x_request_id $request_method $status "$upstream_addr" "$upstream_status"';
  access_log ${join(dir, 'access.log')} upstreams;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  upstream api {
${servers}
${options.upstream ?? ''}
  }
  server {
    listen 127.0.0.1:${this.port};
    location = ${MARKER} { return 200 "${this.generation}"; }
    location / {
${options.location}
    }
  }
}
`;
    writeFileSync(join(dir, 'nginx.conf'), config);
  }

  private async waitForGeneration(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const expected = String(this.generation);
    for (;;) {
      const child = this.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        const how = child?.signalCode ?? child?.exitCode;
        throw new Error(`nginx exited (${how}):\n${this.output}\n${this.errorLog()}`);
      }
      try {
        const res = await httpCall(this.baseUrl, { method: 'GET', path: MARKER, timeoutMs: 1000 });
        if (res.status === 200 && res.text === expected) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`nginx did not serve configuration ${expected}:\n${this.errorLog()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
