import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from './api-process';

/** Readers for the deployment files at the repository root, for structural tests. */

export function repoPath(path: string): string {
  return join(REPO_ROOT, path);
}

export function readRepoFile(path: string): string {
  return readFileSync(repoPath(path), 'utf8');
}

export function readYaml<T = Record<string, unknown>>(path: string): T {
  return parseYaml(readRepoFile(path)) as T;
}

export function repoPathExists(path: string): boolean {
  return existsSync(repoPath(path));
}

/** Whether git ignores `path` (which need not exist). */
export function isGitIgnored(path: string): boolean {
  return spawnSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: REPO_ROOT }).status === 0;
}

export interface DockerInstruction {
  keyword: string;
  args: string;
  line: number;
}

export interface DockerStage {
  from: string;
  name: string | null;
  instructions: DockerInstruction[];
}

/** Splits a Dockerfile into stages of instructions (continuations joined, comments dropped). */
export function parseDockerfile(text: string): DockerStage[] {
  const stages: DockerStage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const first = i;
    let logical = lines[i];
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      i += 1;
      const next = lines[i];
      if (/^\s*#/.test(next)) continue;
      logical = logical.replace(/\\\s*$/, ' ') + next.trim();
    }
    const trimmed = logical.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^(\S+)\s*(.*)$/.exec(trimmed);
    if (!match) continue;
    const instruction = { keyword: match[1].toUpperCase(), args: match[2].trim(), line: first + 1 };
    if (instruction.keyword === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(instruction.args);
      stages.push({ from: from?.[1] ?? '', name: from?.[2] ?? null, instructions: [instruction] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG')
        throw new Error(`line ${instruction.line}: ${instruction.keyword} before FROM`);
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

/** Variable names of a dotenv example file, including commented-out examples (`# API_KEY_X=`). */
export function envExampleNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^\s*(?:#\s*)?([A-Z][A-Z0-9_]*)=/.exec(line);
    if (match) names.add(match[1]);
  }
  return names;
}

/**
 * Variables a compose file interpolates: `${VAR}`, `${VAR:-default}`, `${VAR:?message}` and
 * `$VAR` in any string value of the parsed document (comments are not values; `$$` is a literal `$`).
 */
export function composeVariables(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const pattern = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))/g;
    for (const match of value.replace(/\$\$/g, '').matchAll(pattern)) found.add(match[1] ?? match[2]);
  } else if (Array.isArray(value)) {
    for (const item of value) composeVariables(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      composeVariables(key, found);
      composeVariables(item, found);
    }
  }
  return found;
}
