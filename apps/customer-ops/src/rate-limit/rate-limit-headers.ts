import type { LimitDecision, WindowState } from './limiter-storage';

/** The window a client hits first: fewest remaining, and of those the one that resets last. */
export function mostRestrictiveWindow(windows: readonly WindowState[]): WindowState | undefined {
  return windows.reduce<WindowState | undefined>((worst, window) => {
    if (!worst || window.remaining < worst.remaining) return window;
    if (window.remaining === worst.remaining && window.resetSeconds > worst.resetSeconds) return window;
    return worst;
  }, undefined);
}

/** An RFC 8941 sf-string: printable ASCII, with `"` and `\` escaped. */
function sfString(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '?').replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

/**
 * X-RateLimit-* (as before) and the IETF draft RateLimit-Policy / RateLimit fields for one
 * decision, plus Retry-After when refused. Times are whole seconds.
 */
export function rateLimitHeaders(decision: LimitDecision): Record<string, string> {
  const headers: Record<string, string> = {};
  const worst = mostRestrictiveWindow(decision.windows);
  if (worst) {
    headers['X-RateLimit-Limit'] = String(worst.limit);
    headers['X-RateLimit-Remaining'] = String(worst.remaining);
    headers['X-RateLimit-Reset'] = String(worst.resetSeconds);
    headers['RateLimit-Policy'] = decision.windows
      .map((window) => `${sfString(window.name)};q=${window.limit};w=${window.windowSeconds}`)
      .join(', ');
    headers['RateLimit'] = `${sfString(worst.name)};r=${worst.remaining};t=${worst.resetSeconds}`;
  }
  if (!decision.allowed) headers['Retry-After'] = String(decision.retryAfterSeconds ?? 1);
  return headers;
}
