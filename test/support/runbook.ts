import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './api-process';

/**
 * Reading and running the fenced code blocks of an operator document (docs/OPERATIONS.md),
 * so the commands it shows are executed against a live API instead of only being read.
 */

export const RUNBOOK_PATH = join(REPO_ROOT, 'docs/OPERATIONS.md');

/** The base URL every command of the runbook is written against. */
export const DOCUMENTED_URL = 'http://localhost:8000';

export interface FencedBlock {
  /** The info string of the opening fence: `bash`, `powershell`, `promql`, … ('' when none). */
  lang: string;
  /** The block's text without the fences, ending without a newline. */
  code: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
  /** The titles of the enclosing headings, outermost first. */
  headings: string[];
}

/** Every fenced block of a Markdown text, with the headings it sits under. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const headings: Array<{ level: number; title: string }> = [];
  let open: { lang: string; line: number; body: string[] } | null = null;
  markdown.split(/\r?\n/).forEach((text, index) => {
    if (open) {
      if (/^```\s*$/.test(text)) {
        blocks.push({
          lang: open.lang,
          code: open.body.join('\n'),
          line: open.line,
          headings: headings.map((h) => h.title),
        });
        open = null;
      } else {
        open.body.push(text);
      }
      return;
    }
    const fence = /^```(\S*)\s*$/.exec(text);
    if (fence) {
      open = { lang: fence[1], line: index + 1, body: [] };
      return;
    }
    const heading = /^(#{1,6})\s+(.+?)\s*$/.exec(text);
    if (heading) {
      const level = heading[1].length;
      while (headings.length > 0 && headings[headings.length - 1].level >= level) headings.pop();
      headings.push({ level, title: heading[2] });
    }
  });
  if (open) throw new Error(`unclosed code fence at line ${(open as { line: number }).line}`);
  return blocks;
}

export function readRunbook(path = RUNBOOK_PATH): FencedBlock[] {
  return fencedBlocks(readFileSync(path, 'utf8'));
}

/**
 * The marker a block that must not run starts with: its first line is `# not run: <reason>`.
 * Returns the reason, '' for a marker without one, or null when the block is not marked.
 */
export function notRunReason(block: FencedBlock): string | null {
  const first = block.code.split('\n').find((line) => line.trim() !== '') ?? '';
  const marker = /^#\s*not run:(.*)$/i.exec(first.trim());
  return marker ? marker[1].trim() : null;
}

/** Commands that reach the API: its URL, the operator scripts and the npm scripts that call it. */
const API_TARGETS: RegExp[] = [
  /localhost:8000/,
  /scripts\/rotate-keys\.sh/,
  /scripts\/tenants\.sh/,
  /scripts\/verify_production_ready\.sh/,
  /npm run (--silent )?(rotate-keys|tenants|verify|seed:demo)\b/,
];

export function targetsApi(code: string): boolean {
  return API_TARGETS.some((pattern) => pattern.test(code));
}

/** Commands of the ops CLI, whose `--url` defaults to the documented URL when omitted. */
export const CLI_COMMAND =
  /scripts\/(rotate-keys|tenants|verify_production_ready)\.sh|npm run (--silent )?(rotate-keys|tenants|verify)\b/;

/** The command lines of a block that call the ops CLI without an explicit `--url`. */
export function cliCallsWithoutUrl(code: string): string[] {
  return code.split('\n').filter((line) => CLI_COMMAND.test(line) && !/--url\s/.test(line));
}

/** Points the documented base URL at another server (a test app on a free port). */
export function rewriteBaseUrl(code: string, url: string): string {
  return code.split(DOCUMENTED_URL).join(url);
}

/**
 * API paths a block names (`/ops/tenants`, `/health`, …), cut before anything variable
 * (`$KEY_ID`, `?graceSeconds=…`), so the bash and PowerShell forms of one command compare equal.
 */
export function apiPaths(code: string): string[] {
  const found = new Set<string>();
  for (const match of code.matchAll(/localhost:8000(\/[A-Za-z0-9/_:.-]*)/g)) found.add(match[1]);
  return [...found].sort();
}

/** The npm scripts that call the API, by the name of the script that wraps each in scripts/. */
const WRAPPED_NPM_SCRIPTS: Record<string, string> = {
  'rotate-keys': 'rotate-keys',
  tenants: 'tenants',
  verify: 'verify_production_ready',
  'seed:demo': 'seed:demo',
};

/**
 * The operator commands a block runs, named alike in both shells: `scripts/rotate-keys.sh`,
 * `.\scripts\rotate-keys.ps1` and `npm run rotate-keys` are all `rotate-keys` (and likewise
 * `tenants`).
 */
export function operatorCommands(code: string): string[] {
  const found = new Set<string>();
  for (const match of code.matchAll(/scripts[/\\]([A-Za-z0-9_-]+)\.(?:sh|ps1)/g)) found.add(match[1]);
  for (const match of code.matchAll(/npm run (?:--silent )?([a-z:-]+)/g)) {
    if (match[1] in WRAPPED_NPM_SCRIPTS) found.add(WRAPPED_NPM_SCRIPTS[match[1]]);
  }
  return [...found].sort();
}

/**
 * The PowerShell form of a bash block: the first `powershell` block after it, provided no other
 * bash block and no heading comes in between. Null when there is none.
 */
export function powershellCounterpart(blocks: FencedBlock[], bash: FencedBlock): FencedBlock | null {
  const index = blocks.indexOf(bash);
  const next = blocks[index + 1];
  if (!next || next.lang !== 'powershell') return null;
  return next.headings.join('\u0000') === bash.headings.join('\u0000') ? next : null;
}

export interface BashResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a block the way a careful operator's shell would: `bash -euo pipefail -c`, so a failing
 * command, an unset variable or a broken pipeline fails the block. The environment is exactly
 * `env` (plus PATH and HOME): nothing from the developer's shell leaks in.
 */
export function runBash(
  code: string,
  options: { env: Record<string, string>; cwd?: string; timeoutMs?: number },
): Promise<BashResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', code], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60000);
    child.on('close', (exit) => {
      clearTimeout(timer);
      resolve({ code: exit, stdout, stderr, timedOut });
    });
  });
}

/** A short title for a block in test names: its line and first command. */
export function describeBlock(block: FencedBlock): string {
  const first = block.code.split('\n').find((line) => line.trim() !== '' && !line.trim().startsWith('#')) ?? '';
  const command = first.trim().replace(/\s+/g, ' ');
  return `line ${block.line} (${block.headings.slice(1).join(' › ')}): ${command.length > 70 ? `${command.slice(0, 69)}…` : command}`;
}
