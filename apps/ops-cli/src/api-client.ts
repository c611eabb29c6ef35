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

/** One HTTP exchange as the commands see it: the body parsed as JSON when it is JSON. */
export interface ApiReply {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: unknown;
  text: string;
}

export interface SendOptions {
  /** Added to (and overriding) the client's own headers. */
  headers?: Record<string, string>;
  /** Sent as JSON when given. */
  json?: unknown;
  timeoutMs?: number;
}

/** The one HTTP client of the operator commands. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
    private readonly timeoutMs = 10000,
  ) {}

  /**
   * `path` is appended to the base URL (which may carry a path prefix, behind a proxy). Any
   * answer is a reply (redirects are not followed); an unreachable API is an ApiError.
   */
  async send(method: string, path: string, options: SendOptions = {}): Promise<ApiReply> {
    const headers = { ...this.headers, ...options.headers };
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: options.json === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: options.json === undefined ? undefined : JSON.stringify(options.json),
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).name;
      throw new ApiError(`cannot reach the API at ${this.baseUrl} (${reason}); is it running?`);
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body, text };
  }

  /** Sends `body`, when given, as JSON; a non-2xx answer is an ApiError with the API's message. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const reply = await this.send(method, path, { json: body });
    if (reply.status < 200 || reply.status >= 300) {
      const answer = reply.body as { message?: unknown; details?: unknown } | null;
      const message = typeof answer?.message === 'string' ? answer.message : reply.text.slice(0, 200);
      throw new ApiError(
        `${method} ${path} failed: ${reply.status} ${message}${describeDetails(answer?.details)}`,
        reply.status,
      );
    }
    return reply.body as T;
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
