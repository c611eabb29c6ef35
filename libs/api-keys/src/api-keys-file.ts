/** An environment as read at run time: variable names to values. */
export type Environment = Record<string, string | undefined>;

/**
 * The API key line format shared by the environment and the keys file:
 * `API_KEY_<TENANT>=<key>`. Tenant names are upper-cased; keys are 6-512 printable
 * characters without spaces (surrounding quotes are stripped).
 */
export const API_KEY_PREFIX = 'API_KEY_';
/** The one tenant-name rule: 1-64 letters, digits, _ or -, starting with a letter or digit; case-insensitive, stored upper-case. */
export const TENANT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const TENANT_NAME_RULE = '1-64 letters, digits, _ or -, starting with a letter or digit';
const TENANT_RE = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;
const KEY_RE = /^[\x21-\x7e]{6,512}$/;
const LINE_RE = /^\s*(?:export\s+)?API_KEY_([A-Za-z0-9_-]+)\s*=\s*(.*?)\s*$/;

export interface ApiKeyEntry {
  tenant: string;
  key: string;
  /** 1-based line number in the keys file (file entries only). */
  line?: number;
}

export class KeysFileError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

function unquote(value: string): string {
  const quoted = /^(['"])(.*)\1$/.exec(value);
  return quoted ? quoted[2] : value;
}

export function normaliseTenant(raw: string): string {
  return raw.trim().toUpperCase();
}

export function isValidTenant(tenant: string): boolean {
  return TENANT_RE.test(tenant);
}

export function isValidKey(key: string): boolean {
  return KEY_RE.test(key);
}

/** A line is blank, a comment, or one key; anything else is an error naming the line. */
export function parseKeysFileLine(text: string, line: number): ApiKeyEntry | null {
  if (text.trim() === '' || text.trim().startsWith('#')) return null;
  const match = LINE_RE.exec(text);
  if (!match) throw new KeysFileError(line, 'expected API_KEY_<TENANT>=<key>, a # comment or a blank line');
  const tenant = normaliseTenant(match[1]);
  const key = unquote(match[2]);
  if (!isValidTenant(tenant)) throw new KeysFileError(line, `invalid tenant name "${tenant}"`);
  if (!isValidKey(key)) throw new KeysFileError(line, 'the key must be 6-512 printable characters without spaces');
  return { tenant, key, line };
}

/** Parses a whole keys file; throws KeysFileError at the first malformed line. */
export function parseKeysFile(text: string): ApiKeyEntry[] {
  return text
    .split(/\r?\n/)
    .map((line, index) => parseKeysFileLine(line, index + 1))
    .filter((entry): entry is ApiKeyEntry => entry !== null);
}

/** API_KEY_<TENANT> variables of an environment. Invalid ones are returned separately. */
export function apiKeysFromEnvironment(env: Environment): { entries: ApiKeyEntry[]; invalid: string[] } {
  const entries: ApiKeyEntry[] = [];
  const invalid: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(API_KEY_PREFIX) || value === undefined || value.trim() === '') continue;
    const tenant = normaliseTenant(name.slice(API_KEY_PREFIX.length));
    const key = unquote(value.trim());
    if (isValidTenant(tenant) && isValidKey(key)) entries.push({ tenant, key });
    else invalid.push(name);
  }
  return { entries, invalid };
}
