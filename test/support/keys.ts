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

/** A plans file with one plan, `metered`, that has a monthly lead quota. */
export function writeQuotaPlan(path: string): void {
  const metered = { default: { windows: [{ limit: 1000, window: '1m' }], quotas: { leadsPerMonth: 1000 } } };
  writeFileSync(path, JSON.stringify({ plans: { metered } }));
}
