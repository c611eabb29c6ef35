/**
 * Host allow-list matching. Patterns are exact host names or "*.suffix" wildcards that admit
 * any subdomain of the suffix (one or more labels) but not the suffix itself.
 * An empty list admits every host.
 */
export type HostMatcher = (hostHeader: string | undefined) => boolean;

/** "Api.Example:8000" -> "api.example"; "[::1]:8000" -> "::1". */
export function hostnameOf(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end > 0 ? value.slice(1, end) : value;
  }
  const colon = value.indexOf(':');
  const host = colon >= 0 ? value.slice(0, colon) : value;
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

export function createHostMatcher(patterns: string[]): HostMatcher {
  if (patterns.length === 0) return () => true;
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of patterns) {
    const pattern = raw.toLowerCase();
    if (pattern.startsWith('*.')) suffixes.push(pattern.slice(1));
    else exact.add(pattern);
  }
  return (hostHeader) => {
    if (!hostHeader) return false;
    const host = hostnameOf(hostHeader);
    if (exact.has(host)) return true;
    return suffixes.some((suffix) => host.length > suffix.length && host.endsWith(suffix));
  };
}
