/** A small HTTP client for the operator commands: JSON in, JSON out, clear errors. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface TenantListing {
  count: number;
  tenants: Array<{ tenant: string; keys: Array<{ id: string; source: string; fingerprint: string }> }>;
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
    private readonly timeoutMs = 10000,
  ) {}

  /** Sends `body`, when given, as JSON. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(path, this.baseUrl).toString();
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new ApiError(`cannot reach the API at ${this.baseUrl} (${cause}); is it running?`);
    }
    const text = await res.text();
    let answer: unknown = text;
    try {
      answer = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    if (!res.ok) {
      const message = (answer as { message?: string })?.message ?? text.slice(0, 200);
      const details = describeDetails((answer as { details?: unknown })?.details);
      throw new ApiError(`${method} ${path} failed: ${res.status} ${message}${details}`, res.status);
    }
    return answer as T;
  }
}

/** The field problems of a validation error (`{ field, messages }`), as ` (field: message; …)`. */
function describeDetails(details: unknown): string {
  if (!Array.isArray(details)) return '';
  const parts = details
    .map((item: { field?: unknown; messages?: unknown }) => {
      const messages = Array.isArray(item?.messages) ? item.messages.filter((m) => typeof m === 'string') : [];
      if (messages.length === 0) return '';
      return typeof item.field === 'string' ? `${item.field}: ${messages.join(', ')}` : messages.join(', ');
    })
    .filter(Boolean);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}
