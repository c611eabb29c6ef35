/** Small, pure parsers for environment strings. Each returns undefined for "not set". */

export function isSet(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/** The words every boolean setting accepts, case-insensitive. */
const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function isTrueWord(value: string): boolean {
  return TRUE.has(value.trim().toLowerCase());
}

export function isBooleanString(value: string): boolean {
  return isTrueWord(value) || FALSE.has(value.trim().toLowerCase());
}

export function parseBoolean(value: string | undefined, fallback: boolean): boolean {
  if (!isSet(value)) return fallback;
  return isTrueWord(value);
}

export function parseList(value: string | undefined): string[] {
  if (!isSet(value)) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };
export const BYTE_SIZE_PATTERN = /^\s*(\d+)\s*(b|kb|mb)?\s*$/i;

/** "100kb" -> 102400; "2mb" -> 2097152; "512" -> 512 bytes. */
export function parseByteSize(value: string): number {
  const match = BYTE_SIZE_PATTERN.exec(value);
  if (!match) throw new Error(`not a byte size: ${value}`);
  return Number(match[1]) * BYTE_UNITS[(match[2] ?? 'b').toLowerCase()];
}

/** A host name, optionally "*." prefixed, without port. */
export const HOST_PATTERN_RE =
  /^(\*\.)?(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** An origin as browsers send it: scheme://host[:port], no path. */
export const ORIGIN_RE = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;
