import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { promisify } from 'node:util';

/*
 * What the bench needs from the machine: the load generators (wrk, pgbench), CPU pinning
 * (taskset) and the CPU time of a process (/proc/<pid>/stat).
 */

const run = promisify(execFile);

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Installs a Debian package when its command is missing, as .ci/run installs Prometheus: apt-get
 * (through sudo when not root, non-interactively). Throws a message that says what to do.
 */
export async function ensureDebianCommand(command: string, pkg: string, log: (line: string) => void): Promise<void> {
  if (hasCommand(command)) return;
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  if (!hasCommand('apt-get') || (sudo.length > 0 && !hasCommand('sudo'))) {
    throw new Error(`${command} is not installed and cannot be installed here (no apt-get or sudo): install ${pkg}`);
  }
  log(`installing ${command} from Debian (apt-get install ${pkg})…`);
  const apt = (...args: string[]) =>
    run(sudo[0] ?? 'env', [...(sudo.length ? ['env'] : []), 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
  try {
    await apt('update', '-qq');
    await apt('install', '-y', '-qq', '--no-install-recommends', pkg);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : String(error);
    throw new Error(
      `${command} is not installed and apt-get install ${pkg} failed (${detail}): install it and run again`,
    );
  }
  if (!hasCommand(command)) throw new Error(`apt-get installed ${pkg} but ${command} is still not on PATH`);
}

export interface Pinning {
  /** CPU the servers run on, or null when not pinned. */
  serverCpu: number | null;
  /** CPU the load generators (wrk, autocannon in this process, pgbench) run on, or null. */
  loadCpu: number | null;
  note: string;
}

/** Servers on CPU 1 and load generators on CPU 0 when the machine has two or more and taskset works. */
export function detectPinning(): Pinning {
  const count = cpus().length;
  if (count < 2) return { serverCpu: null, loadCpu: null, note: `not pinned: ${count} CPU` };
  if (!hasCommand('taskset') || spawnSync('taskset', ['-c', '0', 'true']).status !== 0) {
    return { serverCpu: null, loadCpu: null, note: 'not pinned: taskset (util-linux) is not available' };
  }
  return { serverCpu: 1, loadCpu: 0, note: 'servers on CPU 1, load generators on CPU 0 (taskset)' };
}

/** The command line of `argv` run on `cpu` (unchanged when cpu is null). */
export function pinned(cpu: number | null, argv: string[]): string[] {
  return cpu === null ? argv : ['taskset', '-c', String(cpu), ...argv];
}

/** Moves every thread of a running process to `cpu` (nothing when null). */
export function pinProcess(pid: number, cpu: number | null): void {
  if (cpu === null) return;
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

/** Moves this process (autocannon runs in it) to the load generators' CPU. */
export function pinSelf(pinning: Pinning): void {
  pinProcess(process.pid, pinning.loadCpu);
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    clockTicks = Number(out.stdout?.trim()) || 100;
  }
  return clockTicks;
}

/** User + system CPU seconds used so far by a process, all its threads included (/proc/<pid>/stat). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / ticksPerSecond();
}

/** First line a tool prints about its version. */
export function toolVersion(argv: string[]): string {
  const out = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  return `${out.stdout ?? ''}${out.stderr ?? ''}`.trim().split('\n')[0] ?? '?';
}

export function machineDescription(pinning: Pinning) {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    pinning: pinning.note,
    loadAverageAtStart: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    wrk: toolVersion(['wrk', '-v']).replace(/ Copyright.*/, ''),
    pgbench: hasCommand('pgbench') ? toolVersion(['pgbench', '--version']) : 'not installed',
  };
}
