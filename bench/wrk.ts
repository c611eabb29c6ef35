import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinned } from './system';

/*
 * wrk, the C load generator, driven by a generated Lua script: headers and body of the
 * request, a unique Idempotency-Key per request when asked (built in wrk's request() hook), an
 * optional stop after N responses (memory rounds), and a done() hook that prints the summary
 * as one JSON line.
 */

const MARKER = 'WRK_RESULT ';
const STOP_LINE = 'WRK_STOP';
const scriptDir = mkdtempSync(join(tmpdir(), 'co-bench-wrk-'));
let scriptCount = 0;

export interface WrkRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Prefix of a unique Idempotency-Key sent with every request (prefix + counter). */
  idempotencyKeyPrefix?: string;
}

export interface WrkOptions {
  connections: number;
  durationSeconds: number;
  /** Stop after this many responses (the duration is then only an upper bound). */
  stopAfter?: number;
  cpu: number | null;
}

export interface WrkResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
}

const luaString = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function wrkScript(request: WrkRequest, stopAfter?: number): string {
  const lines = [`wrk.method = ${luaString(request.method ?? 'GET')}`];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  }
  if (request.body !== undefined) lines.push(`wrk.body = ${luaString(request.body)}`);
  if (request.idempotencyKeyPrefix !== undefined) {
    lines.push(
      `local keyPrefix = ${luaString(request.idempotencyKeyPrefix)}`,
      'local sent = 0',
      'request = function()',
      '  sent = sent + 1',
      '  local headers = {}',
      '  for name, value in pairs(wrk.headers) do headers[name] = value end',
      '  headers["Idempotency-Key"] = keyPrefix .. sent',
      '  return wrk.format(nil, nil, headers)',
      'end',
    );
  }
  if (stopAfter !== undefined) {
    lines.push(
      `local stopAfter = ${Math.max(1, Math.floor(stopAfter))}`,
      'local received = 0',
      'response = function(status, headers, body)',
      '  received = received + 1',
      // wrk's main thread sleeps for the whole duration whatever the threads do: the bench
      // sees this line and sends SIGINT, wrk's own way to stop early (the summary is printed).
      '  if received == stopAfter then',
      `    io.stderr:write(${luaString(STOP_LINE + '\n')})`,
      '    wrk.thread:stop()',
      '  end',
      'end',
    );
  }
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    `  io.write(string.format('${MARKER}{"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%d,"p99Us":%d,"meanUs":%.1f}\\n',`,
    '    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,',
    '    latency:percentile(50), latency:percentile(99), latency.mean))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}

/** One wrk run (one thread, on the load generators' CPU) against one URL. */
export async function runWrk(request: WrkRequest, options: WrkOptions): Promise<WrkResult> {
  const script = join(scriptDir, `script-${++scriptCount}.lua`);
  writeFileSync(script, wrkScript(request, options.stopAfter));
  const argv = pinned(options.cpu, [
    'wrk',
    '-t1',
    `-c${options.connections}`,
    `-d${Math.max(1, Math.round(options.durationSeconds))}s`,
    '--timeout',
    '10s',
    '-s',
    script,
    request.url,
  ]);
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.includes(STOP_LINE)) child.kill('SIGINT');
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${code} for ${request.url}: ${err.trim()}`)),
    );
  });
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
  if (!line) throw new Error(`wrk printed no summary for ${request.url}:\n${stdout}`);
  const raw = JSON.parse(line.slice(MARKER.length)) as Record<string, number>;
  const durationSeconds = raw.durationUs / 1e6;
  return {
    requests: raw.requests,
    durationSeconds,
    requestsPerSecond: durationSeconds > 0 ? raw.requests / durationSeconds : 0,
    p50Ms: raw.p50Us / 1000,
    p99Ms: raw.p99Us / 1000,
    meanMs: raw.meanUs / 1000,
    errors: { connect: raw.connect, read: raw.read, write: raw.write, status: raw.status, timeout: raw.timeout },
  };
}
