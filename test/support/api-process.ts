import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { e2eAdapter } from './test-database';

export const REPO_ROOT = join(__dirname, '..', '..');
const TS_NODE = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'];

export interface ApiProcess {
  child: ChildProcess;
  port: number;
  stdout(): string;
  stderr(): string;
  logLines(): Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  url(path: string): string;
}

/** A minimal environment: nothing from the developer's shell leaks into the child. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, TS_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json'), ...env };
}

/** Runs a TypeScript entry point of this repo as a real process. */
export function runTs(entry: string, env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn(process.execPath, [...TS_NODE, join(REPO_ROOT, entry), ...args], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command from the repository root with a minimal environment and collects its output. */
export function runCommand(command: string, args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { out, err, exited } = collect(child);
  return exited.then((code) => ({ code, stdout: out(), stderr: err() }));
}

export function collect(child: ChildProcess): { out: () => string; err: () => string; exited: Promise<number | null> } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out: () => out, err: () => err, exited };
}

function parseLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Starts apps/customer-ops/src/main.ts on a free port and waits for its start-up line (a hang guard, not a target: ts-node start-up is slow on a busy machine). */
export async function startApiProcess(env: Record<string, string>, timeoutMs = 60000): Promise<ApiProcess> {
  const child = runTs('apps/customer-ops/src/main.ts', {
    PORT: '0',
    HOST: '127.0.0.1',
    HTTP_ADAPTER: e2eAdapter(),
    ...env,
  });
  const { out, err, exited } = collect(child);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const started = parseLines(out()).find((line) => line.msg === 'customer-ops started');
    if (started) {
      const port = started.port as number;
      return {
        child,
        port,
        stdout: out,
        stderr: err,
        logLines: () => parseLines(out()),
        exited,
        url: (path) => `http://127.0.0.1:${port}${path}`,
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`API did not start (exit ${child.exitCode}).\nstdout:\n${out()}\nstderr:\n${err()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
