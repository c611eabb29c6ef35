import { readFileSync } from 'node:fs';
import type { EnvironmentProblem } from './environment';
import { isSet } from './parse';

/** Secrets that may be given as `<NAME>_FILE` (Docker/Kubernetes secrets) instead of `<NAME>`. */
export const FILE_SECRETS = ['API_ADMIN_KEY', 'DATABASE_URL', 'REDIS_URL', 'METRICS_TOKEN'] as const;

/**
 * Replaces each `<NAME>_FILE` by `<NAME>` holding the file's content (one trailing newline
 * removed). Setting both is an error, as is a file that cannot be read or is empty. File
 * contents never appear in a problem.
 */
export function resolveSecretFiles(raw: Record<string, string | undefined>): {
  env: Record<string, string | undefined>;
  problems: EnvironmentProblem[];
} {
  const env = { ...raw };
  const problems: EnvironmentProblem[] = [];
  for (const name of FILE_SECRETS) {
    const fileVariable = `${name}_FILE`;
    const path = raw[fileVariable];
    if (!isSet(path)) continue;
    delete env[fileVariable];
    if (isSet(raw[name])) {
      problems.push({ variable: fileVariable, reason: `set either ${name} or ${fileVariable}, not both` });
      continue;
    }
    try {
      const content = readFileSync(path.trim(), 'utf8').replace(/\r?\n$/, '');
      if (content.trim() === '') problems.push({ variable: fileVariable, reason: `${path.trim()} is empty` });
      else env[name] = content;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push({ variable: fileVariable, reason: `cannot read ${path.trim()} (${code})` });
    }
  }
  return { env, problems };
}
