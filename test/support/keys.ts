import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

/** A fresh tenant name per test, so suites never share state. */
export function uniqueTenant(prefix = 'T'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`.toUpperCase();
}

export function randomKey(prefix = 'k'): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`;
}

export function writeKeysFile(path: string, lines: string[]): void {
  writeFileSync(path, lines.join('\n') + '\n');
}

export const ADMIN_KEY = 'admin-key-for-tests-0123456789abcdef';
